using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Work;

/// <summary>The result of an action: the handoff after it, or why it was refused.</summary>
public sealed record WorkOutcome(HandoffRecord? Handoff, WorkRefusal? Refusal)
{
    public static WorkOutcome NotFound(string id) => new(null, new WorkRefusal(404, "not-found", "No such handoff.", $"There is no handoff '{id}'."));
}

/// <summary>
/// Applies agent actions to <c>Handoffs</c> rows. The audit event cannot be written in the same
/// transaction (it lives in <c>HandoffEvents</c>), so the handoff's own ETag update carries it in
/// <c>PendingEvent</c>, with the revision that names its row; then the event row is inserted (409 =
/// there already), the SLA index and, for a move, the new team's queue are updated, and the row is
/// marked applied. Whoever next reads a row with an unapplied event finishes that first, so a crash
/// at any point loses no event and no side effect.
/// Finishing is claimed: the action's own write names its writer in <c>PendingEventClaim</c> until
/// <see cref="FinishLease"/> has passed, and a reader finishes only an unclaimed or expired event,
/// claiming it first with the row's ETag. So of any number of concurrent readers exactly one sends a
/// move's team message; the others wait for it to be applied.
/// </summary>
public sealed partial class HandoffWork(StorageClients clients, SlaDueIndex index, LivePolicies policies, HandoffStore store, TeamDirectory directory, TimeProvider timeProvider, ILogger<HandoffWork> logger, HandoffIndex queueIndex, Incidents.IncidentStore incidents)
{
    /// <summary>
    /// How long a claim to finish a pending event holds: 15 s. Finishing takes a few storage calls; a
    /// claim still unapplied after this is taken to be a crash and a reader takes over (so after a
    /// crash the next reader waits up to this long).
    /// </summary>
    public static readonly TimeSpan FinishLease = TimeSpan.FromSeconds(15);

    /// <summary>Reads a handoff (finishing any half-applied action first, or waiting while another finishes it); null when there is none.</summary>
    public async Task<HandoffRecord?> GetAsync(string handoffId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoffId);
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var watch = new ClaimWatch(FinishLease, timeProvider);
        while (true)
        {
            var row = await ReadAsync(table, handoffId, cancellationToken).ConfigureAwait(false);
            if (row is null || row.PendingEvent is null || row.PendingEventApplied)
            {
                return row;
            }

            // Another writer's claim to finish it: wait while it is live, take over once it lapses (a crash).
            if (watch.IsLive(row.PendingEventClaim, row.PendingEventClaimedUntil))
            {
                await watch.PauseAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (await TryClaimAsync(table, row, cancellationToken).ConfigureAwait(false) is { } mine)
            {
                await FinishAsync(table, mine, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Decides and applies one command; <c>ifMatchRevision</c> is the revision the caller saw (If-Match): a newer one means someone acted meanwhile, 412.</summary>
    public async Task<WorkOutcome> ApplyAsync(string handoffId, WorkCommand command, Caller caller, int? ifMatchRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(caller);
        if (!HandoffIds.IsWellFormed(handoffId))
        {
            return WorkOutcome.NotFound(handoffId);
        }

        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var book = command.Verb is WorkVerb.Reassign or WorkVerb.Raise ? await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false) : null;
        var people = command.Verb is WorkVerb.Reassign or WorkVerb.Assign or WorkVerb.Raise ? await directory.GetAsync(cancellationToken).ConfigureAwait(false) : null;
        while (true)
        {
            var h = await GetAsync(handoffId, cancellationToken).ConfigureAwait(false);
            if (h is null)
            {
                return WorkOutcome.NotFound(handoffId);
            }

            // Before If-Match, so a 412 never tells another team's agent anything about the handoff.
            if (WorkRules.AccessRefusal(h, caller) is { } forbidden)
            {
                return new WorkOutcome(null, forbidden);
            }

            if (ifMatchRevision is int seen && seen != h.Revision)
            {
                var holder = h.Assignee is { } a && !WorkRules.SameName(a, caller.Id) ? a : null;
                var held = holder is null ? "" : $"; {WorkRefusal.HolderToken} is working on it now";
                return new WorkOutcome(h, new WorkRefusal(412, "precondition-failed", "The handoff changed since you loaded it.",
                    $"This handoff changed since you loaded it{held}: reload and try again.", holder));
            }

            var at = timeProvider.GetUtcNow();
            var decision = WorkRules.Decide(h, command, caller, at, (team, priority) => book!.Resolve(team, priority, teamDefaults: people?.SlaDefaults(team)), (team, typed) => people?.FindMember(team, typed)?.Id);
            if (decision.Refusal is { } refusal)
            {
                return new WorkOutcome(h, refusal);
            }

            if (decision.IsUnchanged)
            {
                return new WorkOutcome(h, null);
            }

            var after = decision.After!;
            var before = HandoffIndex.KeyOf(h);
            var pending = PendingJson.From(after.Revision, decision.Event!) with { IndexPartition = before.Partition, IndexRow = before.Row };
            var update = await RowUpdateAsync(after, cancellationToken).ConfigureAwait(false);
            var claim = NewClaim();
            var claimedUntil = timeProvider.GetUtcNow() + FinishLease;
            update[HandoffRow.Revision] = after.Revision;
            update[HandoffRow.PendingEvent] = JsonSerializer.Serialize(pending, WorkJsonContext.Default.PendingJson);
            update[HandoffRow.PendingEventApplied] = false;
            update[ClaimColumn] = claim;
            update[ClaimedUntilColumn] = claimedUntil;
            Response response;
            try
            {
                response = await table.UpdateEntityAsync(update, h.StorageETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // The row moved under us (another agent, or the SLA sweep): decide again on what is there now.
                continue;
            }

            var written = after with
            {
                PendingEvent = update.GetString(HandoffRow.PendingEvent), PendingEventApplied = false, StorageETag = response.Headers.ETag ?? default,
                PendingEventClaim = claim, PendingEventClaimedUntil = claimedUntil,
            };
            if (h.FirstResponse is null && after.FirstResponse is { } first)
            {
                // Counted by the update that stored it (the ETag makes that one update), so a retried request cannot count twice.
                SocialHandoff.Core.Telemetry.SocialHandoffTelemetry.RecordFirstResponse(after.Team, after.Priority, first.At - after.CreatedAt);
            }

            try
            {
                var finished = await FinishAsync(table, written, cancellationToken).ConfigureAwait(false);

                // Read it back: the due times shown come from the stored clocks, as every later read sees them.
                return new WorkOutcome(await ReadAsync(table, handoffId, cancellationToken).ConfigureAwait(false) ?? finished, null);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is RequestFailedException or IOException || StorageFaults.IsUnavailable(ex, cancellationToken)))
            {
                // The action is stored; its event and side effects are finished by the next read. Reporting
                // a failure now would invite a retry that records the action twice.
                LogFinishDeferred(ex, handoffId, decision.Event!.Type);
                return new WorkOutcome(written, null);
            }
        }
    }

    /// <summary>The audit events of a handoff (the rows of its partition but the handoff and ledger rows), oldest first.</summary>
    public async Task<IReadOnlyList<TableEntity>> EventsAsync(string handoffId, CancellationToken cancellationToken)
    {
        var events = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var rows = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {handoffId} and RowKey ne {HandoffRow.RowKey} and RowKey ne {HandoffRow.LedgerRowKey} and RowKey ne {HandoffRow.IncidentMarkRowKey}");
        await foreach (var e in events.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(e);
        }

        return rows.OrderBy(e => e.GetDateTimeOffset("At")).ThenBy(e => e.RowKey, StringComparer.Ordinal).ToList();
    }

    private static async Task<HandoffRecord?> ReadAsync(TableClient table, string handoffId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(handoffId, HandoffStore.HandoffRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? HandoffRecord.FromEntity(row.Value!) : null;
    }

    /// <summary>The columns an action may change (<see cref="HandoffRow.ActionUpdate"/>), due times on the handoff's calendar.</summary>
    private async Task<TableEntity> RowUpdateAsync(HandoffRecord h, CancellationToken cancellationToken) =>
        HandoffRow.ActionUpdate(h, h.Sla is { } sla ? await index.CalendarAsync(sla, cancellationToken).ConfigureAwait(false) : null);

    /// <summary>Claims the right to finish the pending event of <paramref name="row"/> with its ETag; null when the row moved meanwhile (look again).</summary>
    private async Task<HandoffRecord?> TryClaimAsync(TableClient table, HandoffRecord row, CancellationToken cancellationToken)
    {
        var claim = NewClaim();
        var until = timeProvider.GetUtcNow() + FinishLease;
        try
        {
            var response = await table.UpdateEntityAsync(
                new TableEntity(row.Id, HandoffRow.RowKey) { [ClaimColumn] = claim, [ClaimedUntilColumn] = until },
                row.StorageETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return row with { PendingEventClaim = claim, PendingEventClaimedUntil = until, StorageETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return null;
        }
    }

    /// <summary>Writes the pending event's row and side effects (each idempotent but the team message, which the claim in <paramref name="h"/> makes ours alone), then marks it applied.</summary>
    private async Task<HandoffRecord> FinishAsync(TableClient table, HandoffRecord h, CancellationToken cancellationToken)
    {
        var pending = JsonSerializer.Deserialize(h.PendingEvent!, WorkJsonContext.Default.PendingJson)
            ?? throw new JsonException($"Handoff {h.Id} has an unreadable pending event.");
        var events = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(h.Id, EventRowKey(pending.Revision, pending.Type))
        {
            ["Type"] = pending.Type,
            ["At"] = pending.At,
            ["Actor"] = pending.Actor,
            ["Revision"] = pending.Revision,
            ["Before"] = JsonSerializer.Serialize(pending.Before, WorkJsonContext.Default.DictionaryStringString),
            ["After"] = JsonSerializer.Serialize(pending.After, WorkJsonContext.Default.DictionaryStringString),
            ["Text"] = pending.Text,
            ["Team"] = pending.Team,
            ["FromTeam"] = pending.FromTeam,
            ["Priority"] = h.Priority,
            ["SlaPolicy"] = h.Sla?.PolicyName,
            ["SlaPolicyVersion"] = h.Sla?.PolicyVersion,
            ["SlaCalendar"] = h.Sla?.Calendar,
        };
        try
        {
            await events.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }

        BusinessCalendar? calendar = null;
        if (h.Sla is { } sla)
        {
            calendar = await index.CalendarAsync(sla, cancellationToken).ConfigureAwait(false);
            await index.ScheduleAsync(h.Id, sla, cancellationToken).ConfigureAwait(false);
        }

        // The team's queue follows: the row moves to where the handoff sorts (or to another team or status) now.
        var before = pending.IndexPartition is { } partition && pending.IndexRow is { } indexRow ? new IndexKey(partition, indexRow) : null;
        await queueIndex.MoveAsync(before, HandoffRow.WithDueTimes(h, calendar), calendar, cancellationToken).ConfigureAwait(false);

        if (pending.Type == WorkRules.Resolved && h.IncidentPartition is { } incidentPartition)
        {
            // Resolving the handoff resolves its incident: a copy posted after this opens a handoff of its own.
            await incidents.CloseAsync(incidentPartition, h.Id, pending.At, cancellationToken).ConfigureAwait(false);
        }

        if (pending.Type == WorkRules.Moved)
        {
            // The new team's channel hears of it as it would of a new handoff; consumers dedupe on the handoff id.
            await store.SendAsync(HandoffStore.TeamMessage(
                h.CorrelationId, h.Id, h.MentionKey, h.Team, h.Priority, h.Urgency, h.Sentiment, h.Text, h.Url,
                h.FirstResponseDueAt ?? h.CreatedAt, h.ResolutionDueAt ?? h.CreatedAt), cancellationToken).ConfigureAwait(false);
        }

        var current = h;
        while (true)
        {
            try
            {
                var marked = await table.UpdateEntityAsync(
                    new TableEntity(h.Id, HandoffRow.RowKey) { [HandoffRow.PendingEventApplied] = true, [ClaimColumn] = "" },
                    current.StorageETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return current with { PendingEventApplied = true, PendingEventClaim = null, StorageETag = marked.Headers.ETag ?? current.StorageETag };
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // The row moved (the SLA sweep's step, say). Mark again while this event and our claim are still there;
                // otherwise it was marked, or a reader took over after our lease and finishes it.
                var now = await ReadAsync(table, h.Id, cancellationToken).ConfigureAwait(false);
                if (now is null || now.PendingEventApplied || now.PendingEvent != h.PendingEvent || now.PendingEventClaim != h.PendingEventClaim)
                {
                    return now ?? h;
                }

                current = now;
            }
        }
    }

    private const string ClaimColumn = HandoffRow.PendingEventClaim;
    private const string ClaimedUntilColumn = HandoffRow.PendingEventClaimedUntil;

    private static string NewClaim() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 1610, EventName = "HandoffFinishDeferred", Level = LogLevel.Warning, Message = "Handoff {HandoffId}: {Type} is stored; writing its event and side effects failed and the next read finishes them")]
    private partial void LogFinishDeferred(Exception exception, string handoffId, string type);

    public static string EventRowKey(int revision, string type) => string.Create(CultureInfo.InvariantCulture, $"{revision:D6}-{type}");
}

/// <summary>An action's event while it is pending; IndexPartition and IndexRow say where the handoff sat in the queue index before the action (null in events written before the index).</summary>
internal sealed record PendingJson(
    int Revision, string Type, DateTimeOffset At, string Actor, Dictionary<string, string?> Before, Dictionary<string, string?> After, string? Text, string Team, string FromTeam,
    string? IndexPartition = null, string? IndexRow = null)
{
    public static PendingJson From(int revision, WorkEvent e) =>
        new(revision, e.Type, e.At, e.Actor, new(e.Before), new(e.After), e.Text, e.Team, e.FromTeam);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PendingJson))]
[JsonSerializable(typeof(Dictionary<string, string?>))]
internal sealed partial class WorkJsonContext : JsonSerializerContext
{
}
