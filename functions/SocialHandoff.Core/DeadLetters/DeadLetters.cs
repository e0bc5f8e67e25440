using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.DeadLetters;

/// <summary>
/// Writes the table <c>DeadLetters</c>: PartitionKey the queue the message came from, RowKey
/// "mention|&lt;key&gt;" for a readable mention or "body|&lt;sha256&gt;" otherwise, so recording the same
/// message twice writes one row. The original body is kept whole, split across Body0..BodyN when it
/// exceeds a string property's 32K characters.
/// </summary>
public sealed partial class DeadLetterStore(StorageClients clients, TimeProvider timeProvider, ILogger<DeadLetterStore> logger)
{
    internal const int BodyChunkChars = 30_000;

    public async Task RecordAsync(string queue, string body, MentionMessage? mention, string reason, long? dequeueCount, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.DeadLettersTable, cancellationToken).ConfigureAwait(false);
        var rowKey = mention is not null
            ? "mention|" + StorageNames.EscapeKey(mention.Key)
            : "body|" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var entity = new TableEntity(queue, rowKey)
        {
            ["Reason"] = reason.Length > BodyChunkChars ? reason[..BodyChunkChars] : reason,
            ["MentionKey"] = mention?.Key,
            ["CorrelationId"] = mention?.CorrelationId,
            ["RecordedAt"] = timeProvider.GetUtcNow(),
            ["DequeueCount"] = dequeueCount,
            ["BodyChunks"] = (body.Length + BodyChunkChars - 1) / BodyChunkChars,
        };
        for (var i = 0; i * BodyChunkChars < body.Length; i++)
        {
            entity["Body" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                body.Substring(i * BodyChunkChars, Math.Min(BodyChunkChars, body.Length - (i * BodyChunkChars)));
        }

        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            LogDeadLettered(queue, mention?.Key ?? rowKey, reason);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            LogAlreadyDeadLettered(queue, mention?.Key ?? rowKey);
        }
    }

    /// <summary>The original body of a dead letter, reassembled.</summary>
    public static string ReadBody(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var chunks = entity.GetInt32("BodyChunks") ?? 0;
        var builder = new StringBuilder();
        for (var i = 0; i < chunks; i++)
        {
            builder.Append(entity.GetString("Body" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return builder.ToString();
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Dead-lettered {Key} from {Queue}: {Reason}")]
    private partial void LogDeadLettered(string queue, string key, string reason);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "{Key} from {Queue} was already dead-lettered")]
    private partial void LogAlreadyDeadLettered(string queue, string key);
}

/// <summary>
/// The RecordDeadLetter stage: a message on <c>mentions-incoming-poison</c> failed processing
/// maxDequeueCount times. The poison copy holds only the body, so the reason is rebuilt from the
/// body and the last error ProcessMention stored on the mention's row.
/// </summary>
public sealed class RecordDeadLetterStage(DeadLetterStore deadLetters, MentionLedger ledger)
{
    public async Task RecordAsync(string body, long? dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!MentionJson.TryParse(body, out var mention, out var parseError))
        {
            await deadLetters.RecordAsync(StorageNames.MentionsIncomingQueue, body, null, "Arrived on the poison queue and cannot be read: " + parseError, dequeueCount, cancellationToken).ConfigureAwait(false);
            return;
        }

        var lastError = await ledger.GetLastErrorAsync(mention, cancellationToken).ConfigureAwait(false);
        var reason = $"Processing failed on every delivery and the message was moved to {StorageNames.MentionsPoisonQueue}. Last error: {lastError ?? "not recorded (the process stopped before it could record one)"}";
        await deadLetters.RecordAsync(StorageNames.MentionsIncomingQueue, body, mention, reason, dequeueCount, cancellationToken).ConfigureAwait(false);
        await ledger.MarkDeadLetteredAsync(mention, cancellationToken).ConfigureAwait(false);
    }
}
