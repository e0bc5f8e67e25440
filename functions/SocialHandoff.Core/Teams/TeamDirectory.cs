using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Teams;

/// <summary>A person who works a team: the key assignments store, and the name shown.</summary>
public sealed record TeamPerson(string Id, string Name);

/// <summary>The directory as read at one moment: its teams and who is away.</summary>
public sealed record DirectorySnapshot(IReadOnlyDictionary<string, DirectoryTeam> Teams, IReadOnlyDictionary<string, PersonAvailability> People)
{
    /// <summary>Teams a manager deleted (their history stays readable).</summary>
    public IReadOnlySet<string> Deleted { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public DirectoryTeam? Team(string team) => Teams.GetValueOrDefault(team);

    public bool IsAway(string id) => People.TryGetValue(id, out var person) && person.IsAway;

    public string Availability(string id) => IsAway(id) ? DirectoryRules.Away : DirectoryRules.Available;

    /// <summary>The teams <paramref name="id"/> is a member of.</summary>
    public IReadOnlyList<string> TeamsOf(string id) => Teams.Values.Where(t => t.Member(id) is not null).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The member of <paramref name="team"/> that <paramref name="idOrName"/> names (by key, or by a name only one of them has); null when none.</summary>
    public DirectoryMember? FindMember(string team, string idOrName)
    {
        if (Team(team) is not { } t)
        {
            return null;
        }

        var wanted = idOrName.Trim();
        if (t.Member(wanted) is { } byId)
        {
            return byId;
        }

        var byName = t.Members.Where(m => string.Equals(m.Name, wanted, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return byName.Count == 1 ? byName[0] : null;
    }

    public string? NameOf(string id) => Teams.Values.Select(t => t.Member(id)).FirstOrDefault(m => m is not null)?.Name;

    /// <summary>What the team's entry says about its SLA timing (default policy and calendar); null for a team the directory does not hold.</summary>
    public SlaTeamDefaults? SlaDefaults(string team) => Team(team) is { } t ? new SlaTeamDefaults(t.DefaultPolicy, t.Calendar) : null;
}

/// <summary>The outcome of a directory write as the API reports it.</summary>
public sealed record DirectorySaveResult(int Status, DirectoryTeam? Team, Dictionary<string, string[]>? Errors = null, string? Detail = null);

/// <summary>What a team was deleted, or why not: 204 (deleted now or before), 404, 409 with what blocks it (by field), 412 with the team as it is.</summary>
public sealed record DirectoryDeleteResult(int Status, string Detail, DirectoryTeam? Team = null, Dictionary<string, string[]>? Blockers = null);

/// <summary>
/// The one reader of teams and people. The directory lives in table <c>Directory</c>
/// (<see cref="DirectoryStore"/>): managers edit teams and members in the app, agents set their own
/// availability. Each team named by configuration (<c>Teams</c>, <c>Routing</c>, <c>Sla:Teams</c>, the
/// agent roles of <c>Api:DevIdentities</c>) is seeded into it the first time it is missing, with its
/// configured members and, locally, the development identities with its agent role; after that the
/// directory is what counts. A team exists when the directory or configuration names it, or the rule
/// set in force routes to it.
/// </summary>
public sealed partial class TeamDirectory(
    IOptions<TeamsOptions> teams,
    IOptions<RoutingOptions> routing,
    IOptions<SlaOptions> sla,
    IOptions<ApiOptions> api,
    LivePolicies policies,
    DirectoryStore store,
    TimeProvider timeProvider,
    ILogger<TeamDirectory> logger)
{
    /// <summary>
    /// How long a read of the whole directory serves the queue, names and access checks: 5 s. Measured
    /// in real time, not on the SLA clock (tests run that on a fake one). Auto-assignment and saves
    /// always read fresh; a save by this instance clears it at once.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<Caller> _devIdentities = api.Value.ParseDevIdentities();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private DirectorySnapshot? _snapshot;
    private long _readAt;

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

    /// <summary>Every team that exists: in the directory, configured, or routed to by the rule set in force.</summary>
    public async Task<IReadOnlySet<string>> KnownTeamsAsync(CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(ConfiguredTeams(), StringComparer.Ordinal);
        var snapshot = await GetAsync(cancellationToken).ConfigureAwait(false);
        known.UnionWith(snapshot.Teams.Keys);

        // A deleted team stays gone though configuration still names it (configuration only seeds the directory).
        known.ExceptWith(snapshot.Deleted);
        var rules = (await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false)).Rules;
        known.Add(rules.Default.Team);
        known.UnionWith(rules.Rules.Select(r => r.Then.Team));
        known.RemoveWhere(t => !StorageNames.IsValidTeamName(t));
        return known;
    }

    /// <summary>The directory, read at most <see cref="CacheFor"/> ago.</summary>
    public async Task<DirectorySnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } cached && Stopwatch.GetElapsedTime(Interlocked.Read(ref _readAt)) < CacheFor)
        {
            return cached;
        }

        // One reader when the read expires; the deliveries that wanted it meanwhile take its result (they were a read each).
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _snapshot is { } fresh && Stopwatch.GetElapsedTime(Interlocked.Read(ref _readAt)) < CacheFor
                ? fresh
                : await ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The directory as stored now, seeding any configured team it does not hold yet.</summary>
    public async Task<DirectorySnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var rows = await store.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var missing = SeedTeams().Where(t => !rows.Teams.ContainsKey(t.Name) && !rows.DeletedTeams.Contains(t.Name)).ToList();
        if (missing.Count > 0)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var team in missing)
                {
                    // Insert-only: when another instance seeded it first (409), theirs stands.
                    if (await store.SaveTeamAsync(team, null, "seeded from configuration", cancellationToken).ConfigureAwait(false) == DirectoryWrite.Saved)
                    {
                        LogSeeded(team.Name, team.Members.Count);
                    }
                }
            }
            finally
            {
                _gate.Release();
            }

            rows = await store.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }

        var snapshot = new DirectorySnapshot(rows.Teams, rows.People) { Deleted = rows.DeletedTeams };
        _snapshot = snapshot;
        Interlocked.Exchange(ref _readAt, Stopwatch.GetTimestamp());
        return snapshot;
    }

    /// <summary>Forgets the cached read (after a save by this instance).</summary>
    public void Invalidate() => _snapshot = null;

    /// <summary>The teams as configuration describes them, revision 1: what the directory is seeded with.</summary>
    public IReadOnlyList<DirectoryTeam> SeedTeams()
    {
        var at = timeProvider.GetUtcNow();
        var seeded = new List<DirectoryTeam>();
        foreach (var name in ConfiguredTeams().Order(StringComparer.Ordinal))
        {
            var settings = teams.Value.Teams.GetValueOrDefault(name) ?? new TeamSettings();
            var members = settings.Members
                .Select(m => new DirectoryMember(m.Id.Trim(), string.IsNullOrWhiteSpace(m.Name) ? m.Id.Trim() : m.Name.Trim(), m.Role, m.Capacity))
                .ToList();
            foreach (var dev in _devIdentities.Where(c => c.Teams.Contains(name, StringComparer.Ordinal)))
            {
                if (!members.Any(m => string.Equals(m.Id, dev.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    members.Add(new DirectoryMember(dev.Id, dev.Name, DirectoryRules.RoleAgent, DirectoryRules.DefaultCapacity));
                }
            }

            seeded.Add(new DirectoryTeam(
                name,
                string.IsNullOrWhiteSpace(settings.DisplayName) ? name : settings.DisplayName.Trim(),
                string.IsNullOrWhiteSpace(settings.Calendar) ? null : settings.Calendar.Trim(),
                string.IsNullOrWhiteSpace(settings.DefaultPolicy) ? null : settings.DefaultPolicy.Trim(),
                settings.Notify.Select(n => n.Trim()).ToList(),
                settings.AutoAssign,
                members,
                1,
                "configuration",
                at));
        }

        return seeded;
    }

    /// <summary>The people of a team, in the directory's order.</summary>
    public async Task<IReadOnlyList<TeamPerson>> PeopleAsync(string team, CancellationToken cancellationToken) =>
        (await GetAsync(cancellationToken).ConfigureAwait(false)).Team(team)?.Members.Select(m => new TeamPerson(m.Id, m.Name)).ToList() ?? [];

    /// <summary>The name to show for a person's key: the directory's, a configured member's or development identity's, else the key itself.</summary>
    public string DisplayName(string id)
    {
        if (_snapshot?.NameOf(id) is { } name)
        {
            return name;
        }

        foreach (var settings in teams.Value.Teams.Values)
        {
            if (settings.Members.FirstOrDefault(m => string.Equals(m.Id.Trim(), id, StringComparison.OrdinalIgnoreCase)) is { Name: { Length: > 0 } configured })
            {
                return configured.Trim();
            }
        }

        return _devIdentities.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase))?.Name ?? id;
    }

    /// <summary>
    /// The caller with an agent role for each team the directory makes them a member of: Entra's app
    /// roles decide who signs in, the directory which teams' queues a member works.
    /// </summary>
    public async Task<Caller> WithMembershipsAsync(Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        DirectorySnapshot? snapshot;
        try
        {
            snapshot = await GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFaults.IsUnavailable(ex, cancellationToken))
        {
            // Storage down: the last read still counts, else only Entra's roles; the route itself answers 503 if it needs storage.
            snapshot = _snapshot;
        }

        var extra = snapshot?.TeamsOf(caller.Id).Where(t => !caller.CanWork(t)).ToList() ?? [];
        return extra.Count == 0 ? caller : caller with { Roles = [.. caller.Roles, .. extra.Select(t => Caller.AgentRolePrefix + t)] };
    }

    /// <summary>The people a member may be, by key with their name; null in Azure, where Entra knows them and any well-formed key is taken.</summary>
    public IReadOnlyDictionary<string, string>? KnownPeople(DirectorySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_devIdentities.Count == 0)
        {
            return null;
        }

        // The first name found wins: the directory's, then configuration's, then the identity's own.
        var known = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in snapshot.Teams.Values.SelectMany(t => t.Members))
        {
            known.TryAdd(member.Id, member.Name);
        }

        foreach (var member in teams.Value.Teams.Values.SelectMany(t => t.Members))
        {
            known.TryAdd(member.Id.Trim(), string.IsNullOrWhiteSpace(member.Name) ? member.Id.Trim() : member.Name.Trim());
        }

        foreach (var dev in _devIdentities)
        {
            known.TryAdd(dev.Id, dev.Name);
        }

        return known;
    }

    /// <summary>
    /// Saves a manager's edit of a team: 400 with the fields at fault, 404 for a team that does not
    /// exist unless <paramref name="create"/>, 412 when <paramref name="expectedRevision"/> is not the
    /// stored one, 200 (201 created) with the team; the same content again changes nothing.
    /// </summary>
    public async Task<DirectorySaveResult> SaveTeamAsync(string team, TeamEdit edit, string author, int? expectedRevision, bool create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var book = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);
        var context = new DirectoryContext(
            book.Set.Calendars.Select(c => c.Name).ToHashSet(StringComparer.Ordinal),
            book.Set.Policies.Select(p => p.Name).ToHashSet(StringComparer.Ordinal),
            KnownPeople(snapshot),

            // A target the team already has stays (configuration seeded it, or IT removed it since: its notices go to its webhooks meanwhile); a new one must be configured.
            sla.Value.Notifications.Keys.Concat(snapshot.Team(team)?.Notify ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase));
        var (checkedTeam, errors) = DirectoryRules.Check(team, edit, context);
        if (checkedTeam is null)
        {
            return new DirectorySaveResult(400, null, errors);
        }

        if (DirectoryStore.DocumentChars(checkedTeam) is var chars and > DirectoryStore.MaxDocumentChars)
        {
            return new DirectorySaveResult(400, null, new() { ["members"] = [$"make the team smaller: as stored it takes {chars} characters of {DirectoryStore.MaxDocumentChars} (fewer members, shorter names or keys)."] });
        }

        while (true)
        {
            var row = await store.ReadTeamRowAsync(team, cancellationToken).ConfigureAwait(false);
            var stored = row is { Deleted: false } ? (row.Team, row.ETag) : ((DirectoryTeam Team, Azure.ETag ETag)?)null;
            var tombstone = row is { Deleted: true } ? row : null;
            if (stored is null && !create && tombstone is not null)
            {
                return new DirectorySaveResult(404, null, Detail: $"Team '{team}' was deleted by {DisplayName(tombstone.Team.UpdatedBy ?? "")}. To create it again, send If-None-Match: *.");
            }

            if (stored is null && !create && await KnownTeamsAsync(cancellationToken).ConfigureAwait(false) is var known && !known.Contains(team))
            {
                return new DirectorySaveResult(404, null, Detail: $"There is no team '{team}'; {Routing.Rules.DidYouMean.Hint(team, [.. known])} To create it, send If-None-Match: *.");
            }

            // First: a retried save (its If-Match now stale) finds its own content stored and changes nothing.
            if (stored is { } same && same.Team.SameContent(checkedTeam))
            {
                return new DirectorySaveResult(200, same.Team);
            }

            if (stored is { } existing && create)
            {
                return new DirectorySaveResult(412, existing.Team, Detail: $"Team {team} exists already (If-None-Match: * creates only): load it and save with its ETag {existing.Team.ETag}.");
            }

            if (stored is { } s && expectedRevision is int seen && seen != s.Team.Revision)
            {
                return new DirectorySaveResult(412, s.Team, Detail: $"Team {team} changed since you loaded it (now {s.Team.ETag} by {s.Team.UpdatedBy}, you had \"d{seen}\"): reload and try again.");
            }

            // Created again after a delete: the tombstone's revisions (and history) continue.
            var revision = (stored?.Team.Revision ?? tombstone?.Team.Revision ?? 0) + 1;
            var after = checkedTeam with { Revision = revision, UpdatedBy = author, UpdatedAt = timeProvider.GetUtcNow() };
            var summary = DirectoryRules.Describe(stored?.Team, after);
            if (await store.SaveTeamAsync(after, stored?.ETag ?? tombstone?.ETag, summary, cancellationToken).ConfigureAwait(false) == DirectoryWrite.Saved)
            {
                Invalidate();
                LogTeamSaved(author, team, revision, summary);
                return new DirectorySaveResult(stored is null ? 201 : 200, after);
            }

            if (expectedRevision is not null || (stored is null && create))
            {
                // Someone saved between our read and write: the caller decides on what is there now.
                var now = await store.ReadTeamAsync(team, cancellationToken).ConfigureAwait(false);
                if (now is { } n && n.Team.SameContent(checkedTeam))
                {
                    return new DirectorySaveResult(200, n.Team);
                }

                return new DirectorySaveResult(412, now?.Team, Detail: $"Team {team} changed while you saved: reload and try again.");
            }
        }
    }

    /// <summary>
    /// Deletes a team a manager no longer needs: 409 naming what blocks it (its
    /// <paramref name="openHandoffs"/>, the rules and SLA policies in force that name it), 412 when
    /// <paramref name="expectedRevision"/> is not the stored one, 404 for a team the directory never
    /// held, 204 when deleted, now or before (a retried delete changes nothing). The team's row becomes
    /// a tombstone with a history entry, so configuration does not seed it again.
    /// </summary>
    public async Task<DirectoryDeleteResult> DeleteTeamAsync(string team, string author, int? expectedRevision, int openHandoffs, CancellationToken cancellationToken)
    {
        var rules = (await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false)).Rules;
        var book = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var row = await store.ReadTeamRowAsync(team, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                // A team only the rules route to was never saved in the directory: what blocks it is still worth saying.
                var known = await KnownTeamsAsync(cancellationToken).ConfigureAwait(false);
                return known.Contains(team) && DirectoryRules.DeleteBlockers(team, openHandoffs, rules, book.Set) is { Count: > 0 } used
                    ? new DirectoryDeleteResult(409, $"Team '{team}' is still in use: " + string.Join(" ", used.Values.SelectMany(v => v)), null, used)
                    : new DirectoryDeleteResult(404, $"There is no team '{team}' in the directory; {Routing.Rules.DidYouMean.Hint(team, [.. known])}");
            }

            if (row.Deleted)
            {
                return new DirectoryDeleteResult(204, $"Team '{team}' was deleted by {DisplayName(row.Team.UpdatedBy ?? "")}.");
            }

            if (expectedRevision is int seen && seen != row.Team.Revision)
            {
                return new DirectoryDeleteResult(412, $"Team {team} changed since you loaded it (now {row.Team.ETag} by {row.Team.UpdatedBy}, you had \"d{seen}\"): reload and try again.", row.Team);
            }

            var blockers = DirectoryRules.DeleteBlockers(team, openHandoffs, rules, book.Set);
            if (blockers.Count > 0)
            {
                return new DirectoryDeleteResult(409, $"Team '{team}' is still in use: " + string.Join(" ", blockers.Values.SelectMany(v => v)), row.Team, blockers);
            }

            var at = timeProvider.GetUtcNow();
            var gone = row.Team with { Revision = row.Team.Revision + 1, UpdatedBy = author, UpdatedAt = at };
            var summary = $"team '{team}' deleted by {DisplayName(author)}";
            if (await store.SaveTeamAsync(gone, row.ETag, summary, cancellationToken, deleted: true).ConfigureAwait(false) == DirectoryWrite.Saved)
            {
                Invalidate();
                LogTeamDeleted(author, team, gone.Revision);
                return new DirectoryDeleteResult(204, summary);
            }
        }
    }

    /// <summary>A person's availability changes, newest first.</summary>
    public Task<IReadOnlyList<AvailabilityChange>> AvailabilityHistoryAsync(string id, int max, CancellationToken cancellationToken) => store.PersonHistoryAsync(id, max, cancellationToken);

    /// <summary>A team's saved revisions, newest first.</summary>
    public Task<IReadOnlyList<DirectoryChange>> HistoryAsync(string team, int max, CancellationToken cancellationToken) => store.TeamHistoryAsync(team, max, cancellationToken);

    /// <summary>Sets a person's availability (a member of some team: 404 otherwise); the same value again changes nothing.</summary>
    public async Task<(int Status, PersonAvailability? Person, string? Detail)> SetAvailabilityAsync(string id, string availability, string author, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var key = snapshot.Teams.Values.Select(t => t.Member(id)).FirstOrDefault(m => m is not null)?.Id;
        if (key is null)
        {
            return (404, null, $"'{id}' is not a member of any team; a manager adds people to teams first.");
        }

        while (true)
        {
            var stored = await store.ReadPersonAsync(key, cancellationToken).ConfigureAwait(false);
            if ((stored?.Person.Availability ?? DirectoryRules.Available) == availability)
            {
                return (200, stored?.Person ?? new PersonAvailability(key, availability, 0, null, null), null);
            }

            var after = new PersonAvailability(key, availability, (stored?.Person.Revision ?? 0) + 1, author, timeProvider.GetUtcNow());
            var summary = $"{snapshot.NameOf(key) ?? key} set {availability}" + (string.Equals(author, key, StringComparison.OrdinalIgnoreCase) ? "" : $" by {author}");
            if (await store.SavePersonAsync(after, stored?.ETag, summary, cancellationToken).ConfigureAwait(false) == DirectoryWrite.Saved)
            {
                Invalidate();
                LogAvailabilitySet(author, key, availability);
                return (200, after, null);
            }
        }
    }

    [LoggerMessage(EventId = 1750, EventName = "DirectoryTeamSeeded", Level = LogLevel.Information, Message = "Team {Team} seeded into the directory from configuration with {Members} members")]
    private partial void LogSeeded(string team, int members);

    [LoggerMessage(EventId = 1751, EventName = "DirectoryTeamSaved", Level = LogLevel.Information, Message = "{Actor} saved team {Team} revision {Revision}: {Summary}")]
    private partial void LogTeamSaved(string actor, string team, int revision, string summary);

    [LoggerMessage(EventId = 1753, EventName = "DirectoryTeamDeleted", Level = LogLevel.Information, Message = "{Actor} deleted team {Team} (revision {Revision})")]
    private partial void LogTeamDeleted(string actor, string team, int revision);

    [LoggerMessage(EventId = 1752, EventName = "DirectoryAvailabilitySet", Level = LogLevel.Information, Message = "{Actor} set {Person} {Availability}")]
    private partial void LogAvailabilitySet(string actor, string person, string availability);
}
