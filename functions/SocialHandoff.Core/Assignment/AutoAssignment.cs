using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Assignment;

/// <summary>
/// Auto-assignment, for teams that opt in (the directory's <c>autoAssign</c>: round-robin or
/// least-loaded). A run takes the team's <see cref="AssignmentLock"/>, reads the directory and the
/// team's open handoffs fresh, and gives waiting handoffs (<see cref="AssignmentPlanner"/>) to
/// available members under capacity through <see cref="HandoffWork"/>, the path an agent's claim takes:
/// each assignment is an ETag write of the revision it was planned on, with its audit event, and is
/// refused when anyone claimed the handoff meanwhile. Runs after a handoff is created, when capacity
/// frees (resolve, release, reassign, a member available again or given more capacity) and in every
/// SLA sweep; repeating a run is harmless (at-least-once triggers).
/// </summary>
public sealed partial class AutoAssignment(TeamDirectory directory, AssignmentLock locks, WorkQueries queries, HandoffWork work, ILogger<AutoAssignment> logger)
{
    /// <summary>Who the audit events name: the system, acting for a team like a manager assigning.</summary>
    public static readonly Caller Assigner = new("auto-assign", [Caller.AdminRole]);

    /// <summary>Runs for <paramref name="team"/> when it has auto-assignment on; returns how many handoffs were assigned (0 when another run holds the team: it runs again for us).</summary>
    public async Task<int> RunAsync(string team, CancellationToken cancellationToken)
    {
        if (!IsOn((await directory.ReadAsync(cancellationToken).ConfigureAwait(false)).Team(team)))
        {
            return 0;
        }

        if (await locks.TryAcquireAsync(team, cancellationToken).ConfigureAwait(false) is not { } lease)
        {
            return 0;
        }

        var total = 0;
        var held = true;
        try
        {
            do
            {
                total += await PassAsync(lease, cancellationToken).ConfigureAwait(false);
            }
            while (await locks.ReleaseOrRerunAsync(lease, cancellationToken).ConfigureAwait(false));

            held = false;
        }
        finally
        {
            if (held)
            {
                // A failed pass gives the lock back so the next trigger need not wait out the lease.
                try
                {
                    await locks.ReleaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex, team);
                }
            }
        }

        return total;
    }

    /// <summary>
    /// <see cref="RunAsync"/> for a trigger that must not fail because of it (processing, an agent's
    /// action): a team without auto-assignment costs no storage call (the cached directory says so),
    /// and a failure is logged; the next SLA sweep runs again.
    /// </summary>
    public async Task TryRunAsync(IEnumerable<string> teams, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(teams);
        foreach (var team in teams.Distinct(StringComparer.Ordinal))
        {
            try
            {
                if (IsOn((await directory.GetAsync(cancellationToken).ConfigureAwait(false)).Team(team)))
                {
                    await RunAsync(team, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogFailed(ex, team);
            }
        }
    }

    public Task TryRunAsync(string team, CancellationToken cancellationToken) => TryRunAsync([team], cancellationToken);

    /// <summary>The teams with auto-assignment on, as the cached directory says.</summary>
    public async Task<IReadOnlyList<string>> TeamsOnAsync(CancellationToken cancellationToken) =>
        (await directory.GetAsync(cancellationToken).ConfigureAwait(false)).Teams.Values.Where(IsOn).Select(t => t.Name).ToList();

    /// <summary>Every team with auto-assignment on (the SLA sweep's call: whatever a lost trigger left waiting is assigned within a minute).</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> on;
        try
        {
            on = (await directory.ReadAsync(cancellationToken).ConfigureAwait(false)).Teams.Values.Where(IsOn).Select(t => t.Name).ToList();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex, "*");
            return;
        }

        await TryRunAsync(on, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> PassAsync(AssignmentLease lease, CancellationToken cancellationToken)
    {
        var snapshot = await directory.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot.Team(lease.Team) is not { } team || !IsOn(team))
        {
            return 0;
        }

        var open = await queries.QueueAsync(team.Name, new QueueFilter("open", PageSize: int.MaxValue), Assigner, cancellationToken).ConfigureAwait(false);
        var loads = open.Items.Where(v => v.Handoff.Assignee is not null)
            .GroupBy(v => v.Handoff.Assignee!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var members = team.Members.Select(m => new Candidate(m.Id, m.Name, m.Capacity, loads.GetValueOrDefault(m.Id), snapshot.IsAway(m.Id))).ToList();
        var waiting = AssignmentPlanner.Order(open.Items
            .Where(v => v.Handoff.Assignee is null)
            .Select(v => new WaitingItem(v.Handoff.Id, v.Handoff.Revision, v.Handoff.Priority, NextDue(v.Handoff), v.Handoff.CreatedAt))).ToList();

        var assigned = 0;
        while (AssignmentPlanner.Next(team.AutoAssign, waiting, members, lease.LastAssigned) is { } choice)
        {
            waiting.Remove(choice.Item);
            var command = new WorkCommand(WorkVerb.Assign, choice.Why, choice.Member.Id);
            var outcome = await work.ApplyAsync(choice.Item.Id, command, Assigner, choice.Item.Revision, cancellationToken).ConfigureAwait(false);
            var index = members.IndexOf(choice.Member);
            if (outcome.Refusal is null)
            {
                assigned++;
                members[index] = choice.Member with { Load = choice.Member.Load + 1 };
                lease.LastAssigned = choice.Member.Id;
                LogAssigned(choice.Item.Id, team.Name, choice.Member.Id, choice.Why);
            }
            else if (outcome.Refusal.Holder is { } holder && members.FindIndex(m => string.Equals(m.Id, holder, StringComparison.OrdinalIgnoreCase)) is var h and >= 0)
            {
                // A member claimed it themselves meanwhile: it counts against their capacity.
                members[h] = members[h] with { Load = members[h].Load + 1 };
            }
            else if (outcome.Refusal.Status == 400)
            {
                members.RemoveAt(index);
            }
        }

        return assigned;
    }

    private static bool IsOn(DirectoryTeam? team) => team is not null && team.AutoAssign != DirectoryRules.AutoAssignOff;

    private static DateTimeOffset? NextDue(HandoffRecord h) =>
        h.FirstResponse is null ? h.FirstResponseDueAt ?? h.ResolutionDueAt : h.ResolutionDueAt;

    [LoggerMessage(EventId = 1760, EventName = "HandoffAutoAssigned", Level = LogLevel.Information, Message = "Handoff {HandoffId} of team {Team} auto-assigned to {Person}: {Why}")]
    private partial void LogAssigned(string handoffId, string team, string person, string why);

    [LoggerMessage(EventId = 1761, EventName = "AutoAssignmentFailed", Level = LogLevel.Warning, Message = "Auto-assignment for team {Team} failed; the next SLA sweep runs it again")]
    private partial void LogFailed(Exception exception, string team);
}
