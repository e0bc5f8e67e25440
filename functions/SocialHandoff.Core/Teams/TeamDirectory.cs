using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Teams;

/// <summary>A person who works a team: the key assignments store, and the name shown.</summary>
public sealed record TeamPerson(string Id, string Name);

/// <summary>
/// The one answer to "which teams exist" and "who works a team" until the managers' workspace has a
/// real directory. A team exists when configuration names it (<c>Teams</c>, <c>Routing</c>,
/// <c>Sla:Teams</c>, the agent roles of <c>Api:DevIdentities</c>) or the rule set in force routes to
/// it (it was known when that version was saved). Its people are its configured members plus, locally,
/// the development identities with its agent role.
/// </summary>
public sealed class TeamDirectory(
    IOptions<TeamsOptions> teams,
    IOptions<RoutingOptions> routing,
    IOptions<SlaOptions> sla,
    IOptions<ApiOptions> api,
    LivePolicies policies)
{
    private readonly IReadOnlyList<Caller> _devIdentities = api.Value.ParseDevIdentities();

    /// <summary>The teams configuration names (valid names only).</summary>
    public IReadOnlySet<string> ConfiguredTeams()
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { routing.Value.DefaultTeam };
        known.UnionWith(teams.Value.Teams.Keys);
        known.UnionWith(routing.Value.Rules.Select(r => r.Team));
        known.UnionWith(sla.Value.Teams.Keys);
        known.UnionWith(_devIdentities.SelectMany(c => c.Teams));
        known.RemoveWhere(t => !StorageNames.IsValidTeamName(t));
        return known;
    }

    /// <summary>Every team that exists: configured, or routed to by the rule set in force.</summary>
    public async Task<IReadOnlySet<string>> KnownTeamsAsync(CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(ConfiguredTeams(), StringComparer.Ordinal);
        var rules = (await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false)).Rules;
        known.Add(rules.Default.Team);
        known.UnionWith(rules.Rules.Select(r => r.Then.Team));
        known.RemoveWhere(t => !StorageNames.IsValidTeamName(t));
        return known;
    }

    /// <summary>The people of a team, in configuration order.</summary>
    public IReadOnlyList<TeamPerson> People(string team)
    {
        var people = new List<TeamPerson>();
        if (teams.Value.Teams.TryGetValue(team, out var settings))
        {
            people.AddRange(settings.Members.Select(m => new TeamPerson(m.Id.Trim(), string.IsNullOrWhiteSpace(m.Name) ? m.Id.Trim() : m.Name.Trim())));
        }

        foreach (var dev in _devIdentities.Where(c => c.Teams.Contains(team, StringComparer.Ordinal)))
        {
            if (!people.Any(p => string.Equals(p.Id, dev.Id, StringComparison.OrdinalIgnoreCase)))
            {
                people.Add(new TeamPerson(dev.Id, dev.Name));
            }
        }

        return people;
    }

    /// <summary>The person of <paramref name="team"/> that <paramref name="idOrName"/> names (by id, or by a name only one of them has); null when none.</summary>
    public TeamPerson? FindPerson(string team, string idOrName)
    {
        var people = People(team);
        var wanted = idOrName.Trim();
        var byId = people.FirstOrDefault(p => string.Equals(p.Id, wanted, StringComparison.OrdinalIgnoreCase));
        if (byId is not null)
        {
            return byId;
        }

        var byName = people.Where(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return byName.Count == 1 ? byName[0] : null;
    }

    /// <summary>The name to show for a person's key: a configured member's or development identity's name, else the key itself.</summary>
    public string DisplayName(string id)
    {
        foreach (var settings in teams.Value.Teams.Values)
        {
            if (settings.Members.FirstOrDefault(m => string.Equals(m.Id.Trim(), id, StringComparison.OrdinalIgnoreCase)) is { Name: { Length: > 0 } name })
            {
                return name.Trim();
            }
        }

        return _devIdentities.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase))?.Name ?? id;
    }
}
