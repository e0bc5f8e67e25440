using Microsoft.Extensions.Logging;

namespace SocialHandoff.Core.Ingestion;

/// <summary>What one ingest run did, per source.</summary>
public sealed record IngestResult(IReadOnlyList<SourceIngestResult> Sources)
{
    public int Enqueued => Sources.Sum(s => s.Enqueued);

    public bool Succeeded => Sources.All(s => s.Error is null);
}

/// <summary>One source's part of a run. <c>Error</c> is null when the source was fetched, enqueued and its watermark saved.</summary>
public sealed record SourceIngestResult(string Source, int Fetched, int Enqueued, string? WatermarkBefore, string? WatermarkAfter, string? Error);

/// <summary>
/// The IngestMentions stage: for each source, read its watermark, fetch what is newer, enqueue every
/// mention, and only then save the new watermark. A source that fails keeps its old watermark (the
/// next run fetches the same mentions again; processing dedupes them) and does not stop the others.
/// </summary>
public sealed partial class IngestStage(
    IEnumerable<IMentionSource> sources,
    IWatermarkStore watermarks,
    IMentionQueue queue,
    ILogger<IngestStage> logger)
{
    /// <summary>Enqueues run this many at a time: a few hundred mentions take a fraction of a second, and the queue's 2,000 msg/s target is far off.</summary>
    internal const int EnqueueParallelism = 8;

    private readonly IReadOnlyList<IMentionSource> _sources = sources.ToArray();

    public IReadOnlyList<IMentionSource> Sources => _sources;

    public async Task<IngestResult> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<SourceIngestResult>(_sources.Count);
        foreach (var source in _sources)
        {
            results.Add(await IngestSourceAsync(source, cancellationToken).ConfigureAwait(false));
        }

        return new IngestResult(results);
    }

    private async Task<SourceIngestResult> IngestSourceAsync(IMentionSource source, CancellationToken cancellationToken)
    {
        string? before = null;
        var fetched = 0;
        var enqueued = 0;
        try
        {
            before = await watermarks.GetAsync(source.Name, cancellationToken).ConfigureAwait(false);
            var batch = await source.FetchAsync(before, cancellationToken).ConfigureAwait(false);
            fetched = batch.Mentions.Count;

            await Parallel.ForEachAsync(
                batch.Mentions,
                new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken },
                async (mention, ct) =>
                {
                    await queue.EnqueueAsync(mention, ct).ConfigureAwait(false);
                    Interlocked.Increment(ref enqueued);
                }).ConfigureAwait(false);

            if (!string.Equals(before, batch.NextWatermark, StringComparison.Ordinal))
            {
                await watermarks.SaveAsync(source.Name, batch.NextWatermark, cancellationToken).ConfigureAwait(false);
            }

            LogIngested(source.Name, fetched, before, batch.NextWatermark);
            return new SourceIngestResult(source.Name, fetched, enqueued, before, batch.NextWatermark, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSourceFailed(ex, source.Name, enqueued, fetched, before);
            return new SourceIngestResult(source.Name, fetched, enqueued, before, before, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Source {Source}: {Count} mentions enqueued, watermark {Before} -> {After}")]
    private partial void LogIngested(string source, int count, string? before, string? after);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Source {Source} failed after {Enqueued} of {Fetched} mentions were enqueued; watermark stays at {Watermark}")]
    private partial void LogSourceFailed(Exception exception, string source, int enqueued, int fetched, string? watermark);
}
