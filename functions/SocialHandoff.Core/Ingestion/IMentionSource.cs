namespace SocialHandoff.Core.Ingestion;

/// <summary>
/// A place mentions come from. <see cref="FetchAsync"/> returns everything newer than the
/// watermark and the watermark to store once every returned mention is durably enqueued; it throws
/// (and the caller keeps the old watermark) when it cannot fetch the whole batch.
/// </summary>
public interface IMentionSource
{
    /// <summary>Stable name, used as the key of the source's watermark ("x:brand", "file:sample").</summary>
    string Name { get; }

    Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken);
}

/// <param name="Mentions">Oldest first.</param>
/// <param name="NextWatermark">The watermark after this batch; unchanged when nothing new arrived.</param>
public sealed record SourceBatch(IReadOnlyList<MentionMessage> Mentions, string? NextWatermark)
{
    /// <summary>What the source met without failing (partial errors, a restart, a run ended early), each as a person reads it.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
