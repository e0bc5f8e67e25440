using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.DeadLetters;

/// <summary>
/// Writes the table <c>DeadLetters</c>: PartitionKey the queue the message came from (or "ingest" for
/// a record a source yielded that could not be read or enqueued), RowKey "mention|&lt;key&gt;" for a
/// readable mention, "record|&lt;source&gt;|&lt;line or id&gt;" for an ingest reject, or "body|&lt;sha256&gt;"
/// otherwise, so recording the same thing twice writes one row. Keys and every column are fitted to
/// the table's limits whatever the body holds: the body is split across Body0..BodyN of 30,000
/// characters, at most <see cref="MaxBodyChunks"/> of them (a longer body is cut, flagged and its
/// length and SHA-256 kept), so recording a dead letter cannot fail on what it records.
/// </summary>
public sealed partial class DeadLetterStore(StorageClients clients, TimeProvider timeProvider, ILogger<DeadLetterStore> logger) : IIngestRejects
{
    /// <summary>The PartitionKey of records dead-lettered at ingest.</summary>
    public const string IngestPartition = "ingest";

    internal const int BodyChunkChars = StoredText.MaxPropertyChars;

    /// <summary>Ten chunks (600 KB as UTF-16) keep the entity under the table's 1 MiB; a queue message (64 KiB) always fits whole.</summary>
    internal const int MaxBodyChunks = 10;

    /// <summary>A message from <paramref name="queue"/>; <paramref name="reasonKind"/> is one of <see cref="DeadLetterReasons"/>, what the dead-letter counter is split by.</summary>
    public Task RecordAsync(string queue, string body, MentionMessage? mention, string reason, string reasonKind, long? dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(body);
        var rowKey = mention is not null ? "mention|" + StorageNames.EscapeKey(mention.Key) : "body|" + Sha256(body);
        return WriteAsync(
            reasonKind,
            queue,
            rowKey,
            mention?.Key ?? rowKey,
            body,
            reason,
            new Dictionary<string, object?>
            {
                ["MentionKey"] = mention is null ? null : StoredText.Cap(mention.Key, 2000),
                ["CorrelationId"] = mention is null ? null : StoredText.Cap(mention.CorrelationId, 200),
                ["DequeueCount"] = dequeueCount,
            },
            cancellationToken);
    }

    /// <summary>
    /// A record a source yielded that could not be read or enqueued: kept with the source, where it was
    /// (line or id) and why, so ingest can move past it and nothing is lost.
    /// </summary>
    public Task RecordAsync(string source, RejectedRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(record);
        var (locator, raw, reason) = (record.Locator, record.Raw, record.Reason);
        var label = $"{source} {locator}";
        return WriteAsync(
            DeadLetterReasons.IngestReject,
            IngestPartition,
            "record|" + StorageNames.EscapeKey(source + "|" + locator),
            label,
            raw,
            reason,
            new Dictionary<string, object?>
            {
                ["Source"] = StoredText.Cap(source, 1000),
                ["Locator"] = StoredText.Cap(locator, 2000),
                ["MentionKey"] = StoredText.Cap(label, 2000),
            },
            cancellationToken);
    }

    private async Task WriteAsync(string reasonKind, string partition, string rowKey, string label, string body, string reason, Dictionary<string, object?> columns, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.DeadLettersTable, cancellationToken).ConfigureAwait(false);
        var stored = StoredText.Cap(body, BodyChunkChars * MaxBodyChunks, out var truncated);
        var entity = new TableEntity(StorageNames.EscapeKey(partition), rowKey)
        {
            ["Reason"] = StoredText.Cap(reason, 8000),
            ["RecordedAt"] = timeProvider.GetUtcNow(),
            ["BodyChunks"] = (stored.Length + BodyChunkChars - 1) / BodyChunkChars,
            ["BodyLength"] = body.Length,
            ["BodyTruncated"] = truncated,
            ["BodySha256"] = Sha256(body),
        };
        foreach (var (name, value) in columns)
        {
            entity[name] = value;
        }

        for (int i = 0, offset = 0; offset < stored.Length; i++)
        {
            // Chunks never end inside a surrogate pair, so each one is valid text on its own.
            var chunk = StoredText.Cap(stored[offset..], BodyChunkChars);
            entity["Body" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = chunk;
            offset += chunk.Length;
            entity["BodyChunks"] = i + 1;
        }

        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            LogDeadLettered(partition, label, reason);
            // Counted on insert only: a redelivery that finds the row (409) is the same dead letter.
            SocialHandoffTelemetry.DeadLetters.Add(1, SocialHandoffTelemetry.Tag(SocialHandoffTelemetry.Tags.Reason, reasonKind));
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            LogAlreadyDeadLettered(partition, label);
        }
    }

    private static string Sha256(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(value.AsSpan())));

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

    [LoggerMessage(EventId = 1300, EventName = "DeadLettered", Level = LogLevel.Warning, Message = "Dead-lettered {Key} from {Queue}: {Reason}")]
    private partial void LogDeadLettered(string queue, string key, string reason);

    [LoggerMessage(EventId = 1301, EventName = "AlreadyDeadLettered", Level = LogLevel.Information, Message = "{Key} from {Queue} was already dead-lettered")]
    private partial void LogAlreadyDeadLettered(string queue, string key);
}

/// <summary>
/// The RecordDeadLetter stage: a message on <c>mentions-incoming-poison</c> failed processing
/// maxDequeueCount times. The poison copy holds only the body, so the reason is rebuilt from the
/// body and the last error ProcessMention stored on the mention's row. A mention that opened an
/// incident and dies here hands the incident over to a member (ProcessMentionStage.HandOverIncidentAsync).
/// </summary>
public sealed class RecordDeadLetterStage(DeadLetterStore deadLetters, MentionLedger ledger, ProcessMentionStage process)
{
    /// <summary>Records the poison message; returns the mention's key (null when the body cannot be read) and whether it was in fact handed off already.</summary>
    public async Task<PoisonOutcome> RecordAsync(string body, long? dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!MentionJson.TryParse(body, out var mention, out var parseError))
        {
            await deadLetters.RecordAsync(StorageNames.MentionsIncomingQueue, body, null, "Arrived on the poison queue and cannot be read: " + parseError, DeadLetterReasons.Unreadable, dequeueCount, cancellationToken).ConfigureAwait(false);
            return new PoisonOutcome(null, false);
        }

        var (status, lastError) = await ledger.GetStateAsync(mention, cancellationToken).ConfigureAwait(false);
        if (status == MentionLedger.HandedOff)
        {
            // A delivery handed it off and then failed to delete the message (or the copy raced it): the mention is not lost, so it is not dead.
            return new PoisonOutcome(mention.Key, true);
        }

        var reason = $"Processing failed on every delivery and the message was moved to {StorageNames.MentionsPoisonQueue}. Last error: {lastError ?? "not recorded (the process stopped before it could record one)"}";
        await deadLetters.RecordAsync(StorageNames.MentionsIncomingQueue, body, mention, reason, DeadLetterReasons.Poisoned, dequeueCount, cancellationToken).ConfigureAwait(false);
        await ledger.MarkDeadLetteredAsync(mention, cancellationToken).ConfigureAwait(false);

        // Last: a failure here retries the whole record (each step idempotent), on the poison queue and then its own poison queue.
        await process.HandOverIncidentAsync(mention, "its leader was dead-lettered", cancellationToken).ConfigureAwait(false);
        return new PoisonOutcome(mention.Key, false);
    }

    /// <summary>
    /// A message whose text is not the base64 the queue trigger reads (the host moves such a message to
    /// poison at once, unread): kept in DeadLetters with its raw text.
    /// </summary>
    public Task RecordUndecodableAsync(string queue, string rawText, long? dequeueCount, CancellationToken cancellationToken) =>
        deadLetters.RecordAsync(
            queue,
            rawText,
            null,
            "The message is not valid base64, the encoding the queue trigger reads (host.json messageEncoding), so it was moved to poison unread; its raw text is the body.",
            DeadLetterReasons.Undecodable,
            dequeueCount,
            cancellationToken);
}

/// <param name="MentionKey">The mention's key, or null when the body could not be read.</param>
/// <param name="AlreadyHandedOff">The mention had been handed off after all, so nothing was dead-lettered.</param>
public sealed record PoisonOutcome(string? MentionKey, bool AlreadyHandedOff);
