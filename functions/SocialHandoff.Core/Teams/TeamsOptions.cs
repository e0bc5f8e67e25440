using Microsoft.Extensions.Options;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Teams;

/// <summary>
/// The teams and their people (section <c>Teams</c>): <c>Teams:&lt;team&gt;:Members:N:Id</c> (the
/// person's Entra object id in Azure; a development identity's name locally) and <c>:Name</c> (what
/// is shown). Until a real directory exists this is who a handoff can be reassigned to.
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

    public List<TeamMember> Members { get; set; } = [];
}

public sealed class TeamMember
{
    /// <summary>The stable key: the Entra object id (claim <c>oid</c>) in Azure.</summary>
    public string Id { get; set; } = "";

    /// <summary>The display name; defaults to <see cref="Id"/>.</summary>
    public string? Name { get; set; }
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
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
