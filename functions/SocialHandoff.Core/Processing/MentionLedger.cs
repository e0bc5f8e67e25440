using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Processing;

/// <summary>
/// The mention's ledger row, in its handoff's partition of <c>Handoffs</c> (RowKey
/// <see cref="HandoffRow.LedgerRowKey"/>): inserted in the same transaction as the handoff (that insert
/// is the dedupe, and the handoff row fixes the route), with the body as it arrived so a proposed rule
/// set can be dry-run on it; an error recorded before anything was handed off, or the mention's
/// dead-lettering, is merged into it, and the next delivery finds it.
/// </summary>
public sealed class MentionLedger(StorageClients clients, HandoffStore handoffs, TimeProvider timeProvider)
{
    public const string Received = "Received";
    public const string HandedOff = "HandedOff";
    public const string DeadLettered = "DeadLettered";

    /// <summary>Held out of the team queues as spam (no handoff row in the partition): a restore claims the ledger row as a first delivery would.</summary>
    public const string Filtered = "Filtered";

    /// <summary>
    /// Records the mention as filtered in its ledger row, with its <paramref name="filteredEvent"/> (a row
    /// of the same partition) in the same transaction (insert; 409 = seen before). True when it is
    /// filtered (now or by an earlier delivery); false when an earlier delivery or a restore already
    /// handed it off (its handoff row is in the partition) or dead-lettered it, which then stands.
    /// EventWritten says whether this call inserted the event (otherwise the caller
    /// adds it, insert-or-409: a ledger row an earlier delivery left with only an error has none).
    /// </summary>
    public async Task<(bool Filtered, bool EventWritten)> FilterAsync(MentionMessage mention, IReadOnlyList<string> reasons, TableEntity filteredEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(filteredEvent);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = NewEntry(mention);
        entity["Status"] = Filtered;
        entity["SpamReasons"] = StoredText.Cap(string.Join("; ", reasons), 4000);
        try
        {
            await table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Add, entity), new TableTransactionAction(TableTransactionActionType.Add, filteredEvent)],
                cancellationToken).ConfigureAwait(false);
            return (true, true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            TableEntity? existing = null;
            var handoffStored = false;
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {entity.PartitionKey} and (RowKey eq {HandoffRow.RowKey} or RowKey eq {HandoffRow.LedgerRowKey})");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (row.RowKey == HandoffRow.RowKey)
                {
                    handoffStored = true;
                }
                else
                {
                    existing = row;
                }
            }

            if (handoffStored || existing is null || existing.GetString("Status") is HandedOff or DeadLettered)
            {
                return (false, false);
            }

            if (existing.GetString("Status") != Filtered)
            {
                // Only an error was recorded so far (the first delivery failed before deciding): filter it now.
                entity["LastError"] = existing.GetString("LastError");
                await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }

            return (true, false);
        }
    }

    /// <summary>The ledger row of a mention arriving now, for <see cref="HandoffStore.CreateAsync(NewHandoff, TableEntity?, CancellationToken)"/>.</summary>
    public TableEntity NewEntry(MentionMessage mention)
    {
        ArgumentNullException.ThrowIfNull(mention);
        return new TableEntity(HandoffIds.For(mention.Key), HandoffRow.LedgerRowKey)
        {
            ["Status"] = Received,
            ["MentionKey"] = StoredText.Cap(mention.Key),
            ["CorrelationId"] = StoredText.Cap(mention.CorrelationId, 200),
            ["ReceivedAt"] = timeProvider.GetUtcNow(),

            // The mention itself, so a proposed rule set can be dry-run on what really arrived (cut to fit a property, flagged).
            ["Body"] = MentionJson.SerializeCapped(mention, StoredText.MaxPropertyChars, out var bodyTruncated),
            ["BodyTruncated"] = bodyTruncated ? true : null,
        };
    }

    /// <summary>
    /// Records the mention as handed off with an incident's handoff <paramref name="incidentHandoffId"/>
    /// (its own partition holds the ledger row only). Null when this delivery recorded it; otherwise the
    /// status an earlier delivery left (<see cref="HandedOff"/> or <see cref="DeadLettered"/>), which stands.
    /// </summary>
    public async Task<string?> JoinIncidentAsync(MentionMessage mention, string incidentHandoffId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = NewEntry(mention);
        entity["Status"] = HandedOff;
        entity["JoinedHandoffId"] = incidentHandoffId;
        entity["HandedOffAt"] = timeProvider.GetUtcNow();
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (existing.GetString("Status") is HandedOff or DeadLettered)
            {
                return existing.GetString("Status");
            }

            // Only an error (or a filtering a restore overrides) was recorded so far: claim it for the incident now.
            entity["LastError"] = existing.GetString("LastError");
            await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// The mention of a handoff's ledger row as it arrived, when it can be handed off in an incident's
    /// leader's place: not dead-lettered, its body readable and its own (a body cut to fit may have lost its id).
    /// </summary>
    public async Task<MentionMessage?> ReadSuccessorAsync(string handoffId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(handoffId, HandoffRow.LedgerRowKey, ["Status", "Body"], cancellationToken).ConfigureAwait(false);
        return row.HasValue
            && row.Value!.GetString("Status") != DeadLettered
            && MentionJson.TryParse(row.Value.GetString("Body"), out var mention, out _)
            && HandoffIds.For(mention.Key) == handoffId
            ? mention
            : null;
    }

    /// <summary>Points a member's ledger row at the handoff its incident was handed over to (a merge: a repeat writes the same; no row yet, nothing: its delivery writes it).</summary>
    public async Task PointToIncidentAsync(string memberHandoffId, string incidentHandoffId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(memberHandoffId, HandoffRow.LedgerRowKey) { ["JoinedHandoffId"] = incidentHandoffId }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    public Task MarkDeadLetteredAsync(MentionMessage mention, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["Status"] = DeadLettered, ["DeadLetteredAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    public Task RecordErrorAsync(MentionMessage mention, string error, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["LastError"] = StoredText.Cap(error, 8000), ["LastErrorAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    /// <summary>The mention's status (null when it has no row: <see cref="HandedOff"/> once its handoff is in its team's queue) and the last processing error recorded on it.</summary>
    public async Task<(string? Status, string? LastError)> GetStateAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var id = HandoffIds.For(mention.Key);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(id, HandoffRow.LedgerRowKey, ["Status", "LastError"], cancellationToken).ConfigureAwait(false);
        if (!entity.HasValue)
        {
            return (null, null);
        }

        var status = entity.Value!.GetString("Status");
        if (status != DeadLettered && await handoffs.IsHandedOffAsync(id, cancellationToken).ConfigureAwait(false))
        {
            status = HandedOff;
        }

        return (status, entity.Value.GetString("LastError"));
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken);

    private async Task MergeAsync(MentionMessage mention, Dictionary<string, object?> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(values) { PartitionKey = HandoffIds.For(mention.Key), RowKey = HandoffRow.LedgerRowKey };
        entity["MentionKey"] = StoredText.Cap(mention.Key);
        await table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }
}
