using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Spam;

/// <summary>
/// The spam step of ProcessMention. Every write has a key fixed by the mention and is insert-or-accept-409,
/// so a redelivery finds the same verdict written and goes no further: the Mentions row marked
/// Filtered (MentionLedger), the <c>FilteredMentions</c> row the filtered view lists, and a "Filtered"
/// audit event under the handoff id the mention would get (so a restored handoff's history starts there).
/// Identical posts are counted by <see cref="RepeatCounter"/> (a post's rank among the identical posts
/// recorded before it, kept on its row: the same answer on a redelivery; posts in flight together are
/// ranked in posting order however they are interleaved), and only for authors the classifier watches,
/// so most mentions cost no storage call here.
/// </summary>
public sealed partial class SpamFilter(SpamClassifier classifier, MentionLedger ledger, RepeatCounter repeats, StorageClients clients, TimeProvider timeProvider, ILogger<SpamFilter> logger)
{
    public const string FilteredPartition = "filtered";
    public const string FilteredEventRowKey = "000000-filtered";
    public const string RestoredEventRowKey = "000001-restored";
    public const string StatusFiltered = "Filtered";
    public const string StatusRestored = "Restored";

    private const int MaxCounted = RepeatCounter.MaxCounted;

    private static readonly IDisposable NotCounted = new NoTicket();

    /// <summary>The filtered view's rows share one partition: those of mentions filtered together go in one transaction.</summary>
    private readonly GroupCommit<TableEntity> _filtered = new((_, rows) => AddAllOnceAsync(clients, rows), TableLimits.MaxTransactionEntities, TableLimits.WorstCaseBytes);

    /// <summary>
    /// The verdict when the mention is held out as spam (it is recorded; the caller stops), or null
    /// when it goes on to routing: not spam, the filter is off, or an earlier delivery already
    /// claimed it for a team (handed off, or joined to an incident: by this message or another of the same mention).
    /// </summary>
    public async Task<SpamVerdict?> ScreenAsync(MentionMessage mention, MentionScore score, CancellationToken cancellationToken, IDisposable? expected = null)
    {
        ArgumentNullException.ThrowIfNull(mention);
        ArgumentNullException.ThrowIfNull(score);
        try
        {
            return await ScreenCountedAsync(mention, score, expected, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Counted or not, later identical posts in flight wait for this one no longer.
            expected?.Dispose();
        }
    }

    /// <summary>
    /// Says, before the mention is scored, that its identical posts may be counted (an author the
    /// classifier watches): identical posts in flight together here are then ranked in posting order.
    /// Pass the ticket to <see cref="ScreenAsync"/>, which disposes of it.
    /// </summary>
    public IDisposable Expect(MentionMessage mention)
    {
        ArgumentNullException.ThrowIfNull(mention);
        return classifier.Options.Enabled && RepeatsKey(mention) is { } key ? repeats.Expect(key.Partition, key.RowKey) : NotCounted;
    }

    /// <summary>Where the mention is counted among its identical posts (<see cref="RepeatCounter"/>), or null when its author is not watched.</summary>
    private (string Partition, string RowKey)? RepeatsKey(MentionMessage mention) =>
        AuthorKey(mention) is { } author && classifier.WatchesRepetition(mention.Author.Followers, mention.Author.CreatedAt, mention.PostedAt)
            ? (RepeatsPartition(mention, author), RepeatCounter.RowKey(mention.PostedAt, mention.Id))
            : null;

    private async Task<SpamVerdict?> ScreenCountedAsync(MentionMessage mention, MentionScore score, IDisposable? expected, CancellationToken cancellationToken)
    {
        var complaint = SpamClassifier.ComplaintIn(score);
        if (!classifier.Options.Enabled || complaint is { Named: true })
        {
            return null;
        }

        var input = new SpamInput(mention.Text, mention.Author.Followers, mention.Author.CreatedAt, mention.PostedAt, 1, complaint);
        var verdict = classifier.Classify(input);
        // Counted only where repetition could change the verdict (a watched author, and a text that repeated posts would make spam).
        if (!verdict.IsSpam && RepeatsKey(mention) is { } key && classifier.Classify(input with { IdenticalPosts = MaxCounted }).IsSpam)
        {
            var identical = await repeats.CountAsync(key.Partition, key.RowKey, mention.PostedAt, cancellationToken, expected).ConfigureAwait(false);
            if (identical > 1)
            {
                verdict = classifier.Classify(input with { IdenticalPosts = identical });
            }
        }

        // Not counted (or counted and recorded): later identical posts in flight need not wait for the rest.
        expected?.Dispose();
        if (!verdict.IsSpam)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        var filteredEvent = FilteredEvent(mention, verdict, now);
        var (filtered, eventWritten) = await ledger.FilterAsync(mention, verdict.Reasons, filteredEvent, cancellationToken).ConfigureAwait(false);
        if (!filtered)
        {
            return null;
        }

        await RecordAsync(mention, verdict, now, eventWritten ? null : filteredEvent, cancellationToken).ConfigureAwait(false);
        Telemetry.SocialHandoffTelemetry.MentionsFiltered.Add(1, Telemetry.SocialHandoffTelemetry.Tag(Telemetry.SocialHandoffTelemetry.Tags.Source, mention.Source));
        LogFiltered(mention.Key, string.Join("; ", verdict.Reasons));
        return verdict;
    }

    private static string RepeatsPartition(MentionMessage mention, string author) =>
        StorageNames.EscapeKey($"{mention.Source}|{author}|{SpamClassifier.Fingerprint(mention.Text)}");

    private sealed class NoTicket : IDisposable
    {
        public void Dispose()
        {
        }
    }

    /// <summary>The "Filtered" audit event under the handoff id the mention would get (in its ledger row's partition).</summary>
    private static TableEntity FilteredEvent(MentionMessage mention, SpamVerdict verdict, DateTimeOffset now) =>
        new(HandoffIds.For(mention.Key), FilteredEventRowKey)
        {
            ["Type"] = "Filtered",
            ["At"] = now,
            ["Actor"] = "spam filter",
            ["Note"] = StoredText.Cap(string.Join("; ", verdict.Reasons), 4000),
            ["MentionKey"] = StoredText.Cap(mention.Key),
            ["CorrelationId"] = StoredText.Cap(mention.CorrelationId, 200),
        };

    private async Task RecordAsync(MentionMessage mention, SpamVerdict verdict, DateTimeOffset now, TableEntity? filteredEvent, CancellationToken cancellationToken)
    {
        var reasons = StoredText.Cap(string.Join("; ", verdict.Reasons), 4000);
        await _filtered.AddAsync(FilteredPartition, new TableEntity(FilteredPartition, StorageNames.EscapeKey(mention.Key))
        {
            ["Status"] = StatusFiltered,
            ["MentionKey"] = StoredText.Cap(mention.Key),
            ["Source"] = StoredText.Cap(mention.Source, 200),
            ["Handle"] = StoredText.CapOrNull(mention.Author.Handle, 200),
            ["Followers"] = mention.Author.Followers,
            ["Text"] = StoredText.Cap(mention.Text, 4000),
            ["Url"] = StoredText.CapOrNull(mention.Url, 2000),
            ["PostedAt"] = mention.PostedAt,
            ["FilteredAt"] = now,
            ["Reasons"] = reasons,
            ["Points"] = verdict.Points,
            ["Body"] = MentionJson.SerializeCapped(mention, StoredText.MaxPropertyChars, out var truncated),
            ["BodyTruncated"] = truncated ? true : null,
        }, cancellationToken).ConfigureAwait(false);

        if (filteredEvent is not null)
        {
            var events = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
            await AddOnceAsync(events, filteredEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Inserts rows of one partition (a group commit's batch, within a transaction's limits), each unless
    /// it is there already (a redelivery's): a row there fails the transaction with its index, and the
    /// others go again without it.
    /// </summary>
    private static async Task AddAllOnceAsync(StorageClients clients, IReadOnlyList<TableEntity> rows)
    {
        var table = await clients.GetTableAsync(StorageNames.FilteredMentionsTable, CancellationToken.None).ConfigureAwait(false);
        var todo = rows.GroupBy(r => r.RowKey, StringComparer.Ordinal).Select(g => g.First()).ToList();
        while (todo.Count > 0)
        {
            try
            {
                await table.SubmitTransactionAsync(todo.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is { } i && i >= 0 && i < todo.Count)
            {
                todo.RemoveAt(i);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // The service did not say which: one at a time.
                foreach (var row in todo)
                {
                    await AddOnceAsync(table, row, CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }
        }
    }

    internal static async Task AddOnceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    /// <summary>Who posted, as the source names them (id first: a handle can be renamed); null when the source names nobody.</summary>
    private static string? AuthorKey(MentionMessage mention) =>
        !string.IsNullOrWhiteSpace(mention.Author.Id) ? mention.Author.Id : !string.IsNullOrWhiteSpace(mention.Author.Handle) ? mention.Author.Handle.ToLowerInvariant() : null;

    [LoggerMessage(EventId = 1250, EventName = "MentionFilteredAsSpam", Level = LogLevel.Information, Message = "Mention {Key} held out of the team queues as spam: {Reasons}")]
    private partial void LogFiltered(string key, string reasons);
}
