using Microsoft.Extensions.Options;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Teams;

/// <summary>
/// The teams and their people as configuration (section <c>Teams</c>): <c>Teams:&lt;team&gt;:Members:N:Id</c>
/// (the person's Entra object id in Azure; a development identity's name locally), <c>:Name</c>,
/// <c>:Role</c> and <c>:Capacity</c>. This seeds the directory (table <c>Directory</c>) the first time a
/// team is used; after that managers edit the team in the app. A team added here later is seeded too.
/// </summary>
public sealed class TeamsOptions
{
    public const string SectionName = "Teams";

    public const int MaxMemberChars = 128;

    public Dictionary<string, TeamSettings> Teams { get; } = new(StringComparer.Ordinal);
}

public sealed class TeamSettings
{
    /// <summary>The team's name for people; the team key when empty. Setting it is also how a team with no members yet is declared.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The business calendar of the team (a calendar of the SLA policies); none when empty.</summary>
    public string? Calendar { get; set; }

    /// <summary>The team's default SLA policy (a policy name); none when empty.</summary>
    public string? DefaultPolicy { get; set; }

    /// <summary>Names of notification targets (a webhook key or channel name, never a URL: URLs are secrets and stay in Sla:Teams).</summary>
    public List<string> Notify { get; set; } = [];

    /// <summary>Auto-assignment: off (default), round-robin or least-loaded.</summary>
    public string AutoAssign { get; set; } = DirectoryRules.AutoAssignOff;

    public List<TeamMember> Members { get; set; } = [];
}

public sealed class TeamMember
{
    /// <summary>The stable key: the Entra object id (claim <c>oid</c>) in Azure.</summary>
    public string Id { get; set; } = "";

    /// <summary>The display name; defaults to <see cref="Id"/>.</summary>
    public string? Name { get; set; }

    /// <summary>agent (default), lead or manager.</summary>
    public string Role { get; set; } = DirectoryRules.RoleAgent;

    /// <summary>The most open claims auto-assignment gives this person in the team. Default 5; 0 means never auto-assigned.</summary>
    public int Capacity { get; set; } = DirectoryRules.DefaultCapacity;
}

internal sealed class TeamsOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options)
    {
        var errors = new List<string>();
        foreach (var (team, settings) in options.Teams)
        {
            if (!StorageNames.IsValidTeamName(team))
            {
                errors.Add($"Teams:{team} is not a valid team name (lowercase letters, digits, hyphens; at most 58).");
            }

            var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < settings.Members.Count; i++)
            {
                var member = settings.Members[i];
                if (string.IsNullOrWhiteSpace(member.Id) || member.Id.Length > TeamsOptions.MaxMemberChars || member.Id.Any(char.IsControl))
                {
                    errors.Add($"Teams:{team}:Members:{i}:Id is required (the person's Entra object id), at most {TeamsOptions.MaxMemberChars} characters.");
                }
                else if (!ids.Add(member.Id.Trim()))
                {
                    errors.Add($"Teams:{team}:Members:{i}:Id '{member.Id}' is listed twice.");
                }

                if (member.Name is { } display && (display.Length > TeamsOptions.MaxMemberChars || display.Any(char.IsControl)))
                {
                    errors.Add($"Teams:{team}:Members:{i}:Name must be at most {TeamsOptions.MaxMemberChars} characters of text.");
                }

                if (!DirectoryRules.Roles.Contains(member.Role))
                {
                    errors.Add($"Teams:{team}:Members:{i}:Role must be one of {string.Join(", ", DirectoryRules.Roles)} (got '{member.Role}').");
                }

                if (member.Capacity is < 0 or > DirectoryRules.MaxCapacity)
                {
                    errors.Add($"Teams:{team}:Members:{i}:Capacity must be 0 to {DirectoryRules.MaxCapacity} (got {member.Capacity}).");
                }
            }

            if (!DirectoryRules.AutoAssignModes.Contains(settings.AutoAssign))
            {
                errors.Add($"Teams:{team}:AutoAssign must be one of {string.Join(", ", DirectoryRules.AutoAssignModes)} (got '{settings.AutoAssign}').");
            }

            for (var i = 0; i < settings.Notify.Count; i++)
            {
                if (DirectoryRules.NotifyTargetProblem(settings.Notify[i]) is { } problem)
                {
                    errors.Add($"Teams:{team}:Notify:{i} {problem}");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
