namespace SocialHandoff.Core.Access;

/// <summary>
/// The signed-in person behind a request and what they may do. Roles are Entra app-role values:
/// <c>agent.&lt;team&gt;</c> (one per team), <c>manager</c>, <c>admin</c>. Managers and admins see and
/// act on every team; an agent only on their own teams. <see cref="Id"/> is who they are (the Entra
/// object id in Azure, the identity's name locally): assignments, holders and "me" compare it, because
/// a display name can change or be shared. <see cref="Name"/> is for showing.
/// </summary>
public sealed record Caller(string Name, IReadOnlyList<string> Roles)
{
    /// <summary>The stable key of the person; defaults to <see cref="Name"/> (development identities).</summary>
    public string Id { get; init; } = Name;

    public const string AgentRolePrefix = "agent.";
    public const string ManagerRole = "manager";
    public const string AdminRole = "admin";

    public bool IsAdmin => Roles.Contains(AdminRole, StringComparer.OrdinalIgnoreCase);

    public bool IsManager => IsAdmin || Roles.Contains(ManagerRole, StringComparer.OrdinalIgnoreCase);

    /// <summary>The teams this caller is an agent of (lowercase).</summary>
    public IReadOnlyList<string> Teams => Roles
        .Where(r => r.StartsWith(AgentRolePrefix, StringComparison.OrdinalIgnoreCase) && r.Length > AgentRolePrefix.Length)
        .Select(r => r[AgentRolePrefix.Length..].ToLowerInvariant())
        .Distinct(StringComparer.Ordinal)
        .ToList();

    /// <summary>Managers work every team's queue (to cover and to reassign); agents their own.</summary>
    public bool CanWork(string team) => IsManager || Teams.Contains(team, StringComparer.Ordinal);
}
