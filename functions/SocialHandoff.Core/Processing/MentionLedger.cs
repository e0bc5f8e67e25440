using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Processing;

/// <summary>How far a mention got, from the table <c>Mentions</c>. <c>IsNew</c> is true when this delivery inserted the row.</summary>
public sealed record MentionEntry(bool IsNew, string Status, string Team, string Rule, string Priority, string HandoffId, bool TeamNotified);

/// <summary>
/// The table <c>Mentions</c>: PartitionKey the escaped source, RowKey the escaped id. Inserting the
/// row is the dedupe (409 = seen before); it also fixes the routing decision, so a redelivery that
/// finds the row finishes the same handoff even if the rules changed in between.
/// </summary>
public sealed class MentionLedger(StorageClients clients, TimeProvider timeProvider)
{
    public const string Received = "Received";
    public const string HandedOff = "HandedOff";
    public const string DeadLettered = "DeadLettered";

    public async Task<MentionEntry> ClaimAsync(MentionMessage mention, string team, string rule, string priority, string handoffId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition(mention), Row(mention))
        {
            ["Status"] = Received,
            ["Team"] = team,
            ["Rule"] = rule,
            ["Priority"] = priority,
            ["HandoffId"] = handoffId,
            ["TeamNotified"] = false,
            ["CorrelationId"] = mention.CorrelationId,
            ["ReceivedAt"] = timeProvider.GetUtcNow(),
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return new MentionEntry(true, Received, team, rule, priority, handoffId, false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (existing.GetString("Team") is not { } existingTeam || existing.GetString("HandoffId") is not { } existingHandoff)
            {
                // Only an error was recorded so far (the first delivery failed before claiming): claim it now.
                entity["LastError"] = existing.GetString("LastError");
                await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return new MentionEntry(true, Received, team, rule, priority, handoffId, false);
            }

            return new MentionEntry(
                false,
                existing.GetString("Status") ?? Received,
                existingTeam,
                existing.GetString("Rule") ?? rule,
                existing.GetString("Priority") ?? priority,
                existingHandoff,
                existing.GetBoolean("TeamNotified") ?? false);
        }
    }

    public Task MarkHandedOffAsync(MentionMessage mention, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["Status"] = HandedOff, ["TeamNotified"] = true, ["HandedOffAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    public Task MarkDeadLetteredAsync(MentionMessage mention, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["Status"] = DeadLettered, ["DeadLetteredAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    public Task RecordErrorAsync(MentionMessage mention, string error, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["LastError"] = error.Length > 8000 ? error[..8000] : error, ["LastErrorAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    public async Task<string?> GetLastErrorAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(Partition(mention), Row(mention), ["LastError"], cancellationToken).ConfigureAwait(false);
        return entity.HasValue ? entity.Value!.GetString("LastError") : null;
    }

    private static string Partition(MentionMessage mention) => StorageNames.EscapeKey(mention.Source);

    private static string Row(MentionMessage mention) => StorageNames.EscapeKey(mention.Id);

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.MentionsTable, cancellationToken);

    private async Task MergeAsync(MentionMessage mention, Dictionary<string, object?> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(values) { PartitionKey = Partition(mention), RowKey = Row(mention) };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }
}
