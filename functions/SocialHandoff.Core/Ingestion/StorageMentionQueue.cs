using System.Text;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Ingestion;

/// <summary>Sends mentions to the queue <c>mentions-incoming</c> as base64 JSON, the Functions trigger's format.</summary>
internal sealed class StorageMentionQueue(StorageClients clients) : IMentionQueue
{
    /// <summary>A queue message is at most 64 KiB after base64, i.e. 48 KiB of UTF-8.</summary>
    internal const int MaxBodyBytes = 48 * 1024;

    public async Task EnqueueAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        var body = MentionJson.Serialize(mention);
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            throw new InvalidOperationException(
                $"Mention {mention.Key} is {Encoding.UTF8.GetByteCount(body)} bytes as JSON, over the queue's {MaxBodyBytes}-byte limit before base64.");
        }

        var queue = await clients.GetQueueAsync(StorageNames.MentionsIncomingQueue, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Watermarks in the table <c>SourceState</c>: PartitionKey "watermark", RowKey the escaped source name.</summary>
internal sealed class TableWatermarkStore(StorageClients clients, TimeProvider timeProvider) : IWatermarkStore
{
    internal const string PartitionKey = "watermark";

    public async Task<string?> GetAsync(string source, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.SourceStateTable, cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(
            PartitionKey, StorageNames.EscapeKey(source), cancellationToken: cancellationToken).ConfigureAwait(false);
        return entity.HasValue ? entity.Value!.GetString("Watermark") : null;
    }

    public async Task SaveAsync(string source, string? watermark, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.SourceStateTable, cancellationToken).ConfigureAwait(false);
        var entity = new Azure.Data.Tables.TableEntity(PartitionKey, StorageNames.EscapeKey(source))
        {
            ["Source"] = source,
            ["Watermark"] = watermark,
            ["UpdatedAt"] = timeProvider.GetUtcNow(),
        };
        await table.UpsertEntityAsync(entity, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }
}
