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
