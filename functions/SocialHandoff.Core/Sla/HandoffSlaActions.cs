using System.Globalization;
using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Sla;

/// <summary>
/// The SLA side of the agent actions (issue 5's API wires them to HTTP): respond, pause ("waiting on
/// customer"), resume, resolve, and move to another team. Each reads the handoff, applies the pure
/// change to its <see cref="HandoffSla"/>, writes it back with the ETag (re-reading on 412), then
/// appends the audit event (RowKey from the instant and type, 409 = already there) and indexes the
/// clocks' next steps in SlaDue. Due-time columns are recomputed from the clock history; a paused or
/// stopped clock has none.
/// </summary>
public sealed class HandoffSlaActions(StorageClients clients, SlaDueIndex index, LivePolicies policies, TimeProvider timeProvider)
{
    public const string RespondedEvent = "Responded";
    public const string PausedEvent = "Paused";
    public const string ResumedEvent = "Resumed";
    public const string ResolvedEvent = "Resolved";
    public const string MovedEvent = "Moved";

    public Task<HandoffSla> RespondAsync(string handoffId, string actor, CancellationToken cancellationToken) =>
        ApplyAsync(handoffId, RespondedEvent, actor, (sla, at, _) => Task.FromResult(sla.Respond(at)), cancellationToken);

    public Task<HandoffSla> PauseAsync(string handoffId, string actor, CancellationToken cancellationToken) =>
        ApplyAsync(handoffId, PausedEvent, actor, (sla, at, _) => Task.FromResult(sla.Pause(at)), cancellationToken);

    public Task<HandoffSla> ResumeAsync(string handoffId, string actor, CancellationToken cancellationToken) =>
        ApplyAsync(handoffId, ResumedEvent, actor, (sla, at, _) => Task.FromResult(sla.Resume(at)), cancellationToken);

    public Task<HandoffSla> ResolveAsync(string handoffId, string actor, CancellationToken cancellationToken) =>
        ApplyAsync(handoffId, ResolvedEvent, actor, (sla, at, _) => Task.FromResult(sla.Resolve(at)), cancellationToken);

    /// <summary>Re-resolves the policy for the new team in the policy set in force and recomputes the due times from the same clock history.</summary>
    public Task<HandoffSla> MoveAsync(string handoffId, string team, string actor, CancellationToken cancellationToken)
    {
        if (!StorageNames.IsValidTeamName(team))
        {
            throw new ArgumentException($"'{team}' is not a valid team name.", nameof(team));
        }

        return ApplyAsync(handoffId, MovedEvent, actor, async (sla, _, ct) =>
        {
            var book = await policies.GetSlaAsync(ct).ConfigureAwait(false);
            return sla.Team == team ? sla : sla.MoveTo(team, book.Resolve(team, sla.Priority));
        }, cancellationToken);
    }

    private async Task<HandoffSla> ApplyAsync(string handoffId, string type, string actor, Func<HandoffSla, DateTimeOffset, CancellationToken, Task<HandoffSla>> change, CancellationToken cancellationToken)
    {
        var handoffs = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var stored = (await handoffs.GetEntityAsync<TableEntity>(handoffId, HandoffStore.HandoffRowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var sla = HandoffSla.FromJson(stored.GetString(HandoffStore.SlaColumn)
                ?? throw new InvalidOperationException($"Handoff {handoffId} has no SLA state."));
            var at = timeProvider.GetUtcNow();
            var changed = await change(sla, at, cancellationToken).ConfigureAwait(false);
            if (changed == sla)
            {
                return sla;
            }

            var calendar = await index.CalendarAsync(changed, cancellationToken).ConfigureAwait(false);
            var update = new TableEntity(handoffId, HandoffStore.HandoffRowKey)
            {
                [HandoffStore.SlaColumn] = changed.ToJson(),
                ["Team"] = changed.Team,
                ["SlaPolicy"] = changed.PolicyName,
                ["SlaPolicyVersion"] = changed.PolicyVersion,
                ["FirstResponseDueAt"] = changed.FirstResponse.DueAt(calendar),
                ["ResolutionDueAt"] = changed.Resolution.DueAt(calendar),
            };
            if (type == ResolvedEvent)
            {
                update["Status"] = HandoffStore.StatusResolved;
            }

            if (type == MovedEvent)
            {
                update["FirstResponseSla"] = "";
                update["ResolutionSla"] = "";
                update["FirstResponseEscalationLevel"] = "";
                update["ResolutionEscalationLevel"] = "";
            }

            try
            {
                await handoffs.UpdateEntityAsync(update, stored.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                continue;
            }

            var events = await clients.GetTableAsync(StorageNames.HandoffEventsTable, cancellationToken).ConfigureAwait(false);
            try
            {
                await events.AddEntityAsync(
                    new TableEntity(handoffId, string.Create(CultureInfo.InvariantCulture, $"{at.UtcTicks:D19}-{type}"))
                    {
                        ["Type"] = type,
                        ["At"] = at,
                        ["Actor"] = actor,
                        ["Team"] = changed.Team,
                        ["FromTeam"] = sla.Team,
                        ["Priority"] = changed.Priority,
                        ["SlaPolicy"] = changed.PolicyName,
                        ["SlaPolicyVersion"] = changed.PolicyVersion,
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }

            await index.ScheduleAsync(handoffId, changed, cancellationToken).ConfigureAwait(false);
            return changed;
        }
    }
}
