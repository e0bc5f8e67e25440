using System.Text;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Ingestion;

/// <summary>Sends mentions to the queue <c>mentions-incoming</c> as base64 JSON, the Functions trigger's format.</summary>
internal sealed class StorageMentionQueue(StorageClients clients) : IMentionQueue
{
    public async Task EnqueueAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        var body = MentionQueueLimit.Serialize(mention, out var refusal);
        if (refusal is not null)
        {
            throw new MentionRejectedException(refusal);
        }

        var queue = await clients.GetQueueAsync(StorageNames.MentionsIncomingQueue, cancellationToken).ConfigureAwait(false);
        try
        {
            await queue.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 400 or 413)
        {
            // The service refused this message itself (too large, invalid); the next try would be refused too.
            throw new MentionRejectedException($"The queue refused mention {StoredText.Cap(mention.Key, 200)}: {ex.Status} {ex.ErrorCode}.", ex);
        }
    }
}

/// <summary>What fits on <c>mentions-incoming</c>: a queue message is at most 64 KiB after base64, i.e. 48 KiB of UTF-8 JSON.</summary>
public static class MentionQueueLimit
{
    public const int MaxBodyBytes = 48 * 1024;

    /// <summary>The mention's queue body; <paramref name="refusal"/> says why it cannot be sent (null when it fits).</summary>
    public static string Serialize(MentionMessage mention, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var body = MentionJson.Serialize(mention);
        var bytes = Encoding.UTF8.GetByteCount(body);
        refusal = bytes > MaxBodyBytes
            ? $"The mention is {bytes:N0} bytes as JSON ({mention.Text.Length:N0} characters of text), over the {MaxBodyBytes:N0} bytes a queue message holds before base64; it cannot be enqueued."
            : null;
        return body;
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
