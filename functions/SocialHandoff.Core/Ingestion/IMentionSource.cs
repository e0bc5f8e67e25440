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
/// <param name="NextWatermark">The watermark after this batch (past the rejected records too); unchanged when nothing new arrived.</param>
/// <param name="Rejected">Records the source yielded but could not read, or that cannot travel as a mention; ingest dead-letters them and moves on.</param>
public sealed record SourceBatch(IReadOnlyList<MentionMessage> Mentions, string? NextWatermark, IReadOnlyList<RejectedRecord>? Rejected = null)
{
    public IReadOnlyList<RejectedRecord> RejectedRecords => Rejected ?? [];

    /// <summary>What the source met without failing (partial errors, a restart, a run ended early), each as a person reads it.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <param name="Locator">Where the record was, for a person to find it ("line 12", "id 1789...").</param>
/// <param name="Raw">The record as the source gave it.</param>
/// <param name="Reason">Why it could not be taken, in words that say what to fix.</param>
public sealed record RejectedRecord(string Locator, string Raw, string Reason);
