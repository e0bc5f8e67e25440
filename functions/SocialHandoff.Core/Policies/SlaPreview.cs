using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Policies;

/// <summary>
/// What a proposed SLA policy set would mean before it is saved: when a handoff of one team and
/// priority arriving at a given time would be due, under the policies in force and under the
/// proposal; and, for the open handoffs, how many would be due at another time or be breached now if
/// they were timed by the proposal. Open handoffs keep the policy version they were created under
/// (a save does not re-time them); the second half says what the same work would look like under
/// the proposal. Nothing is written. A manager's action, so one filtered scan of the open rows is acceptable.
/// </summary>
public sealed class SlaPreview(StorageClients clients, LivePolicies policies, TeamDirectory directory, TimeProvider timeProvider)
{
    /// <summary>Open handoffs read at most; beyond it the report says it stopped.</summary>
    public const int MaxOpenHandoffs = 5000;

    /// <summary>Rows of changed handoffs listed at most (the counts cover all of them).</summary>
    public const int MaxRows = 200;

    /// <summary>The proposal must be valid (<see cref="SlaPolicyBook.Compile"/> throws otherwise).</summary>
    public async Task<SlaPreviewReport> RunAsync(SlaPolicySet proposed, string team, string priority, DateTimeOffset? arrivesAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var candidate = SlaPolicyBook.Compile(proposed);
        var current = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);
        var rules = (await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false)).Rules;

        // Timed as the pipeline times a new handoff: with the team's directory entry (default policy, calendar).
        var teams = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var at = arrivesAt ?? now;
        var sample = new SlaPreviewSample(team, priority, at, Due(current, team, priority, at, teams.SlaDefaults(team)), Due(candidate, team, priority, at, teams.SlaDefaults(team)));

        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        int evaluated = 0, changed = 0, breachedNow = 0, breachedProposed = 0, newlyBreached = 0, noLongerBreached = 0;
        var truncated = false;
        var rows = new List<SlaPreviewRow>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Status ne {HandoffStore.StatusResolved}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var handoff = HandoffRecord.FromEntity(row);
            if (handoff.Sla is not { } sla)
            {
                continue;
            }

            if (evaluated == MaxOpenHandoffs)
            {
                truncated = true;
                break;
            }

            evaluated++;
            var before = await policies.GetSlaAsync(sla.PolicyVersion, cancellationToken).ConfigureAwait(false);
            var was = before.Resolve(sla.Team, sla.Priority, sla.PolicyName) with { Calendar = before.CalendarFor(sla) };

            // As routing would time it now: the policy its rule names, when the proposal still has it, else by team and priority.
            var named = handoff.Rule == "default" ? rules.Default.SlaPolicy : rules.Rules.FirstOrDefault(r => r.Name == handoff.Rule)?.Then.SlaPolicy;
            var will = candidate.Resolve(sla.Team, sla.Priority, named is { Length: > 0 } && candidate.HasPolicy(named) ? named : null, teams.SlaDefaults(sla.Team));
            var oldFirst = sla.FirstResponse.DueAt(was.Calendar);
            var oldResolution = sla.Resolution.DueAt(was.Calendar);
            var newFirstClock = sla.FirstResponse.WithTarget(will.FirstResponse);
            var newResolutionClock = sla.Resolution.WithTarget(will.Resolution);
            var newFirst = newFirstClock.DueAt(will.Calendar);
            var newResolution = newResolutionClock.DueAt(will.Calendar);
            var breachedBefore = IsBreached(sla.FirstResponse, was.Calendar, now) || IsBreached(sla.Resolution, was.Calendar, now);
            var breachedAfter = IsBreached(newFirstClock, will.Calendar, now) || IsBreached(newResolutionClock, will.Calendar, now);
            breachedNow += breachedBefore ? 1 : 0;
            breachedProposed += breachedAfter ? 1 : 0;
            newlyBreached += breachedAfter && !breachedBefore ? 1 : 0;
            noLongerBreached += breachedBefore && !breachedAfter ? 1 : 0;
            if (oldFirst == newFirst && oldResolution == newResolution && was.Name == will.Name)
            {
                continue;
            }

            changed++;
            if (rows.Count < MaxRows)
            {
                rows.Add(new SlaPreviewRow(
                    handoff.Id, sla.Team, sla.Priority, handoff.Text,
                    new SlaPreviewDue(was.Name, was.Calendar.Name, ZoneOf(was.Calendar), oldFirst, oldResolution, null, breachedBefore),
                    new SlaPreviewDue(will.Name, will.Calendar.Name, ZoneOf(will.Calendar), newFirst, newResolution, null, breachedAfter)));
            }
        }

        return new SlaPreviewReport(sample, now, evaluated, changed, breachedNow, breachedProposed, newlyBreached, noLongerBreached, truncated,
            [.. rows.OrderBy(r => r.To.FirstResponseDueAt ?? r.To.ResolutionDueAt ?? DateTimeOffset.MaxValue).ThenBy(r => r.Id, StringComparer.Ordinal)]);
    }

    /// <summary>When a handoff of this team and priority arriving at <paramref name="at"/> is due, and when it is warned.</summary>
    private static SlaPreviewDue Due(SlaPolicyBook book, string team, string priority, DateTimeOffset at, SlaTeamDefaults? teamDefaults)
    {
        var policy = book.Resolve(team, priority, teamDefaults: teamDefaults);
        var calendar = policy.Calendar;
        var warnAt = policy.WarnBefore > TimeSpan.Zero ? calendar.AddBusinessTime(at, policy.FirstResponse - policy.WarnBefore) : (DateTimeOffset?)null;
        return new SlaPreviewDue(policy.Name, calendar.Name, ZoneOf(calendar),
            calendar.AddBusinessTime(at, policy.FirstResponse), calendar.AddBusinessTime(at, policy.Resolution), warnAt, false)
        {
            PolicySource = policy.Source,
            CalendarSource = policy.CalendarSource,
        };
    }

    private static bool IsBreached(SlaClock clock, BusinessCalendar calendar, DateTimeOffset now) =>
        clock.Status(calendar, now, TimeSpan.Zero) is SlaStatus.Breached or SlaStatus.MissedButDone;

    // The zone a due time is read in: the calendar's own (24/7 calendars count in UTC, any zone reads them).
    private static string ZoneOf(BusinessCalendar calendar) => calendar.IsAlwaysOpen ? "Etc/UTC" : calendar.Zone.Id;
}

/// <summary>The preview: one sample arrival timed both ways, and what the proposal would mean for the open handoffs.</summary>
public sealed record SlaPreviewReport(
    SlaPreviewSample Sample,
    DateTimeOffset Now,
    int OpenEvaluated,
    int OpenChanged,
    int BreachedNow,
    int BreachedUnderProposal,
    int NewlyBreached,
    int NoLongerBreached,
    bool Truncated,
    IReadOnlyList<SlaPreviewRow> Changes);

public sealed record SlaPreviewSample(string Team, string Priority, DateTimeOffset ArrivesAt, SlaPreviewDue Current, SlaPreviewDue Proposed);

/// <summary>A policy's due times for one handoff (null for a clock that is stopped or paused), read in <see cref="TimeZone"/>.</summary>
public sealed record SlaPreviewDue(string Policy, string Calendar, string TimeZone, DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt, DateTimeOffset? WarnAt, bool Breached)
{
    /// <summary>Why the policy applies (<see cref="SlaPolicySources"/>); null on the rows of open handoffs, which keep theirs.</summary>
    public string? PolicySource { get; init; }

    /// <summary>Why the calendar: "policy" or "team calendar".</summary>
    public string? CalendarSource { get; init; }
}

public sealed record SlaPreviewRow(string Id, string Team, string Priority, string Text, SlaPreviewDue From, SlaPreviewDue To);
