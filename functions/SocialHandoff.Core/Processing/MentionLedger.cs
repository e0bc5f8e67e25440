using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Processing;

/// <summary>
/// The mention's ledger row, in its handoff's partition of <c>Handoffs</c> (RowKey
/// <see cref="HandoffRow.LedgerRowKey"/>): inserted in the same transaction as the handoff (that insert
/// is the dedupe, and the handoff row fixes the route), with the body as it arrived so a proposed rule
/// set can be dry-run on it; an error recorded before anything was handed off, or the mention's
/// dead-lettering, is merged into it, and the next delivery finds it. A copy that joins an incident
/// has no partition of its own to share a transaction with: its ledger columns (<see cref="JoinedColumns"/>)
/// are stored on its membership row in <c>Incidents</c>, written in the brand's group-committed join, so
/// the join and its record are one write; every read here looks there too.
/// </summary>
public sealed class MentionLedger(StorageClients clients, HandoffStore handoffs, IncidentStore incidents, TimeProvider timeProvider)
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
    /// An earlier delivery may have joined it to an incident, its record then on its membership row, which is read
    /// first: on a redelivery, and on a first delivery too, as the same mention can come in two messages (ingest
    /// enqueued it again after a crash before its watermark moved) and the other may have joined already.
    /// </summary>
    public async Task<(bool Filtered, bool EventWritten)> FilterAsync(
        MentionMessage mention, IReadOnlyList<string> reasons, TableEntity filteredEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(filteredEvent);
        if (await JoinedRecordAsync(mention, cancellationToken).ConfigureAwait(false))
        {
            return (false, false);
        }

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
    /// The ledger columns of a copy joining an incident, for its membership row (<see cref="IncidentGrouping.JoinAsync"/>):
    /// the join's transaction records it as handed off with the incident's handoff (the row's IncidentId).
    /// </summary>
    public IReadOnlyDictionary<string, object?> JoinedColumns(MentionMessage mention)
    {
        var entry = NewEntry(mention);
        entry["Status"] = HandedOff;
        entry["HandedOffAt"] = entry["ReceivedAt"];
        return entry.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")).ToDictionary(p => p.Key, p => (object?)p.Value);
    }

    /// <summary>
    /// For a delivery that did not record the join itself (a redelivery of a member, or a restore):
    /// records the mention as handed off with an incident's handoff <paramref name="incidentHandoffId"/>
    /// in its ledger row when it has one (an error, or a filtering a restore overrides), or when its
    /// membership row carries no record (written before it did). Null when this delivery recorded it;
    /// otherwise the status an earlier delivery left (<see cref="HandedOff"/> or <see cref="DeadLettered"/>), which stands.
    /// </summary>
    public async Task<string?> JoinIncidentAsync(MentionMessage mention, string incidentHandoffId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = NewEntry(mention);
        entity["Status"] = HandedOff;
        entity["JoinedHandoffId"] = incidentHandoffId;
        entity["HandedOffAt"] = timeProvider.GetUtcNow();
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!stored.HasValue)
        {
            if (await JoinedRecordAsync(mention, cancellationToken).ConfigureAwait(false))
            {
                return HandedOff;
            }

            try
            {
                await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                stored = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        var existing = stored.Value!;
        if (existing.GetString("Status") is HandedOff or DeadLettered)
        {
            return existing.GetString("Status");
        }

        // Only an error (or a filtering a restore overrides) was recorded so far: claim it for the incident now.
        entity["LastError"] = existing.GetString("LastError");
        await table.UpdateEntityAsync(KeepingArrival(entity, existing), existing.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// <paramref name="claim"/>, a new ledger entry merged over the <paramref name="stored"/> row it claims, with the
    /// stored arrival kept: a filtered mention restored later arrived when it was filtered, not when it was restored
    /// (the rule dry run orders by arrival). A row that only recorded an error has none; the claim's then stands.
    /// </summary>
    internal static TableEntity KeepingArrival(TableEntity claim, TableEntity stored)
    {
        if (stored.GetDateTimeOffset("ReceivedAt") is { } arrived)
        {
            var kept = new TableEntity(claim) { ["ReceivedAt"] = arrived };
            kept.ETag = claim.ETag;
            return kept;
        }

        return claim;
    }

    /// <summary>
    /// The mention of a handoff's ledger row as it arrived, when it can be handed off in an incident's
    /// leader's place: not dead-lettered, its body readable and its own (a body cut to fit may have lost its id).
    /// A member whose record is on its membership row is read there (<paramref name="incidentPartition"/>, the brand's):
    /// at <paramref name="memberRowKey"/> when known (one point read), else found among the brand's members.
    /// </summary>
    public async Task<MentionMessage?> ReadSuccessorAsync(string handoffId, CancellationToken cancellationToken, string? incidentPartition = null, string? memberRowKey = null)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(handoffId, HandoffRow.LedgerRowKey, ["Status", "Body"], cancellationToken).ConfigureAwait(false);
        if (row.HasValue && row.Value!.GetString("Status") == DeadLettered)
        {
            return null;
        }

        // A ledger row with only an error recorded has no body: the membership row has it.
        var body = row.HasValue ? row.Value!.GetString("Body") : null;
        if (body is null && incidentPartition is not null)
        {
            var member = memberRowKey is not null
                ? await incidents.MemberRowAtAsync(incidentPartition, memberRowKey, cancellationToken).ConfigureAwait(false)
                : await incidents.MemberRowByHandoffIdAsync(incidentPartition, handoffId, cancellationToken).ConfigureAwait(false);
            body = member?.GetString("Body");
        }

        return MentionJson.TryParse(body, out var mention, out _) && HandoffIds.For(mention.Key) == handoffId ? mention : null;
    }

    /// <summary>The mentions that arrived since <paramref name="since"/>, as they arrived (ledger rows and the joined copies' membership rows; a scan of each).</summary>
    public async Task<IReadOnlyList<(DateTimeOffset ReceivedAt, MentionMessage Mention)>> ReceivedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var received = new List<(DateTimeOffset, MentionMessage)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(TableEntity row)
        {
            if (MentionJson.TryParse(row.GetString("Body"), out var mention, out _) && seen.Add(mention.Key))
            {
                received.Add((row.GetDateTimeOffset("ReceivedAt") ?? since, mention));
            }
        }

        var ledgerRows = TableClient.CreateQueryFilter($"RowKey eq {HandoffRow.LedgerRowKey} and ReceivedAt ge {since}");
        await foreach (var row in table.QueryAsync<TableEntity>(ledgerRows, select: ["ReceivedAt", "Body"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            Add(row);
        }

        await foreach (var row in incidents.JoinedSinceAsync(since, ["ReceivedAt", "Body"], cancellationToken).ConfigureAwait(false))
        {
            Add(row);
        }

        return received;
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

    /// <summary>
    /// The mention's status (null when it has no record: <see cref="HandedOff"/> once its handoff is in its
    /// team's queue, or once it joined an incident) and the last processing error recorded on it.
    /// </summary>
    public async Task<(string? Status, string? LastError)> GetStateAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var id = HandoffIds.For(mention.Key);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(id, HandoffRow.LedgerRowKey, ["Status", "LastError"], cancellationToken).ConfigureAwait(false);
        var status = entity.HasValue ? entity.Value!.GetString("Status") : null;
        var lastError = entity.HasValue ? entity.Value!.GetString("LastError") : null;
        if (status is HandedOff or DeadLettered)
        {
            return (status, lastError);
        }

        if ((entity.HasValue && await handoffs.IsHandedOffAsync(id, cancellationToken).ConfigureAwait(false))
            || await JoinedRecordAsync(mention, cancellationToken).ConfigureAwait(false))
        {
            status = HandedOff;
        }

        return (status, lastError);
    }

    /// <summary>Whether the mention joined another mention's incident with its record on its membership row (one read).</summary>
    private async Task<bool> JoinedRecordAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        var member = await incidents.MemberRowAsync(IncidentStore.BrandPartition(mention.Query), mention.Key, cancellationToken).ConfigureAwait(false);
        return member?.GetString("Status") == HandedOff && member.GetString("IncidentId") != HandoffIds.For(mention.Key);
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
