namespace SocialHandoff.Core.Ingestion;

/// <summary>
/// Where fetched mentions go: the queue <c>mentions-incoming</c>. Returns once the message is durably
/// stored; throws <see cref="MentionRejectedException"/> for a mention the queue can never take
/// (retrying cannot help) and anything else for a failure that may pass.
/// </summary>
public interface IMentionQueue
{
    Task EnqueueAsync(MentionMessage mention, CancellationToken cancellationToken);
}

/// <summary>Where ingest keeps the records it cannot enqueue (the table <c>DeadLetters</c>, partition "ingest"). Idempotent per source and locator.</summary>
public interface IIngestRejects
{
    Task RecordAsync(string source, RejectedRecord record, CancellationToken cancellationToken);
}

/// <summary>A mention the queue can never take (too large, refused by the service as invalid); retrying cannot help.</summary>
public sealed class MentionRejectedException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Per-source watermarks (the table <c>SourceState</c>).</summary>
public interface IWatermarkStore
{
    Task<string?> GetAsync(string source, CancellationToken cancellationToken);

    Task SaveAsync(string source, string? watermark, CancellationToken cancellationToken);
}
