namespace SocialHandoff.Core.Ingestion;

/// <summary>Where fetched mentions go: the queue <c>mentions-incoming</c>. Returns once the message is durably stored.</summary>
public interface IMentionQueue
{
    Task EnqueueAsync(MentionMessage mention, CancellationToken cancellationToken);
}

/// <summary>Per-source watermarks (the table <c>SourceState</c>).</summary>
public interface IWatermarkStore
{
    Task<string?> GetAsync(string source, CancellationToken cancellationToken);

    Task SaveAsync(string source, string? watermark, CancellationToken cancellationToken);
}
