using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Ingestion;

/// <summary>What one ingest run did, per source.</summary>
public sealed record IngestResult(IReadOnlyList<SourceIngestResult> Sources)
{
    public int Enqueued => Sources.Sum(s => s.Enqueued);

    /// <summary>Records the sources yielded that went to DeadLetters at ingest (unreadable, or too large for the queue).</summary>
    public int DeadLettered => Sources.Sum(s => s.DeadLettered);

    public bool Succeeded => Sources.All(s => s.Error is null);
}

/// <summary>
/// One source's part of a run. <c>Error</c> is null when the source was fetched, every record was
/// enqueued or dead-lettered, and its watermark saved. <c>EnqueuedKeys</c> and <c>DeadLetteredRecords</c>
/// name each one ("source:id", and "source line 12"), so a host can count each mention once.
/// </summary>
public sealed record SourceIngestResult(
    string Source,
    int Fetched,
    int Enqueued,
    string? WatermarkBefore,
    string? WatermarkAfter,
    string? Error,
    int DeadLettered = 0,
    IReadOnlyList<string>? EnqueuedKeys = null,
    IReadOnlyList<string>? DeadLetteredRecords = null,
    IReadOnlyList<string>? Warnings = null);

/// <summary>
/// The IngestMentions stage: for each source, read its watermark, fetch what is newer, enqueue every
/// mention, and only then save the new watermark. A record the source could not read, or that the
/// queue can never take, goes to DeadLetters (source, line or id, reason) and the watermark moves past
/// it: one bad record cannot stop a source. A source that fails otherwise (network, storage) keeps its
/// old watermark (the next run fetches the same mentions again; processing dedupes them) and does not
/// stop the others.
/// </summary>
public sealed partial class IngestStage(
    IEnumerable<IMentionSource> sources,
    IWatermarkStore watermarks,
    IMentionQueue queue,
    IIngestRejects rejects,
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
        var enqueued = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var dead = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var activity = SocialHandoffTelemetry.ActivitySource.StartActivity("IngestSource");
        activity?.SetTag(SocialHandoffTelemetry.Tags.Source, source.Name);
        var sourceTag = SocialHandoffTelemetry.Tag(SocialHandoffTelemetry.Tags.Source, source.Name);
        try
        {
            before = await watermarks.GetAsync(source.Name, cancellationToken).ConfigureAwait(false);
            var batch = await source.FetchAsync(before, cancellationToken).ConfigureAwait(false);
            fetched = batch.Mentions.Count + batch.RejectedRecords.Count;
            SocialHandoffTelemetry.SourceFetched.Add(fetched, sourceTag);

            foreach (var rejected in batch.RejectedRecords)
            {
                await RejectAsync(source.Name, rejected, dead, cancellationToken).ConfigureAwait(false);
            }

            await Parallel.ForEachAsync(
                batch.Mentions,
                new ParallelOptions { MaxDegreeOfParallelism = EnqueueParallelism, CancellationToken = cancellationToken },
                async (mention, ct) =>
                {
                    // One trace per mention, from here through processing to the team queue: the message carries its context.
                    using var enqueue = SocialHandoffTelemetry.StartRoot("EnqueueMention", ActivityKind.Producer);
                    enqueue?.SetTag(SocialHandoffTelemetry.Tags.Source, source.Name);
                    enqueue?.SetTag("socialhandoff.mention.key", mention.Key);
                    try
                    {
                        await queue.EnqueueAsync(enqueue is null ? mention : mention with { TraceParent = enqueue.Id }, ct).ConfigureAwait(false);
                        enqueued.Enqueue(mention.Key);
                        SocialHandoffTelemetry.MentionsIngested.Add(1, sourceTag);
                    }
                    catch (MentionRejectedException ex)
                    {
                        enqueue.Fail(ex);
                        var raw = MentionJson.SerializeCapped(mention, Storage.StoredText.MaxPropertyChars * 8, out _);
                        await RejectAsync(source.Name, new RejectedRecord("id " + Storage.StoredText.Cap(mention.Id, 500), raw, ex.Message), dead, ct).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);

            if (!string.Equals(before, batch.NextWatermark, StringComparison.Ordinal))
            {
                await watermarks.SaveAsync(source.Name, batch.NextWatermark, cancellationToken).ConfigureAwait(false);
            }

            LogIngested(source.Name, enqueued.Count, dead.Count, before, batch.NextWatermark);
            activity?.SetTag("socialhandoff.enqueued", enqueued.Count);
            return new SourceIngestResult(source.Name, fetched, enqueued.Count, before, batch.NextWatermark, null, dead.Count, [.. enqueued], [.. dead], batch.Warnings);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSourceFailed(ex, source.Name, enqueued.Count, fetched, before);
            SocialHandoffTelemetry.SourceErrors.Add(1, sourceTag);
            activity.Fail(ex);
            return new SourceIngestResult(source.Name, fetched, enqueued.Count, before, before, ex.Message, dead.Count, [.. enqueued], [.. dead]);
        }
    }

    private async Task RejectAsync(string source, RejectedRecord record, System.Collections.Concurrent.ConcurrentQueue<string> dead, CancellationToken cancellationToken)
    {
        await rejects.RecordAsync(source, record, cancellationToken).ConfigureAwait(false);
        SocialHandoffTelemetry.SourceRejected.Add(1, SocialHandoffTelemetry.Tag(SocialHandoffTelemetry.Tags.Source, source));
        dead.Enqueue($"{source} {record.Locator}");
        LogRejected(source, record.Locator, record.Reason);
    }

    [LoggerMessage(EventId = 1100, EventName = "SourceIngested", Level = LogLevel.Information, Message = "Source {Source}: {Count} mentions enqueued, {DeadLettered} records dead-lettered, watermark {Before} -> {After}")]
    private partial void LogIngested(string source, int count, int deadLettered, string? before, string? after);

    [LoggerMessage(EventId = 1101, EventName = "SourceFailed", Level = LogLevel.Error, Message = "Source {Source} failed after {Enqueued} of {Fetched} records were enqueued; watermark stays at {Watermark}")]
    private partial void LogSourceFailed(Exception exception, string source, int enqueued, int fetched, string? watermark);

    [LoggerMessage(EventId = 1102, EventName = "IngestRecordRejected", Level = LogLevel.Warning, Message = "Source {Source}: record at {Locator} dead-lettered at ingest: {Reason}")]
    private partial void LogRejected(string source, string locator, string reason);
}
