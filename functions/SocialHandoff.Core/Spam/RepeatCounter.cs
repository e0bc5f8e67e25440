using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Spam;

/// <summary>
/// The table <c>SpamRepeats</c>, the one owner of its rows: one partition per source, author and text
/// fingerprint, one row per post keyed by its posting time and id (<see cref="RowKey"/>). A post's count
/// is its rank: the identical posts recorded before it, plus one, fixed when its row is inserted and kept
/// on it (<c>Rank</c>), so a redelivery reads the same answer and a post processed later changes no rank
/// already given. The rank comes from the partition's counter row, changed in the same transaction as the
/// post's row on its ETag, so instances ranking at the same moment never give two posts one rank. The posts of a partition in flight together on an instance are recorded one at a time
/// in posting order (time, then id): each counts once the earlier ones said to be coming (<see cref="Expect"/>)
/// and any being recorded have inserted their rows, and counts again if one started meanwhile. So however
/// such posts are interleaved, the Nth by posting order gets rank N, and every burst of N identical posts
/// gets ranks 1 to N whatever order they arrive in (a post that arrives after later-posted ones were
/// ranked takes the next rank). Two requests a post (the counter's read and the transaction), one on a redelivery.
/// </summary>
public sealed class RepeatCounter(StorageClients clients)
{
    /// <summary>The highest rank answered: past it the count says "at least" (the classifier's own cap).</summary>
    public const int MaxCounted = 1000;

    /// <summary>
    /// How long a post waits at most for the others in flight to record themselves: a few round trips.
    /// One that is slower (a stalled delivery) is not waited for: it counts as arriving later.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private const string Prefix = "p|";

    /// <summary>The partition's counter row: how many posts were ranked (it sorts before the posts' rows).</summary>
    private const string CounterRowKey = "count";
    private const string CountColumn = "Count";
    private const string RankColumn = "Rank";

    /// <summary>Counter conflicts a post retries before its delivery fails (and the queue delivers it again).</summary>
    private const int MaxConflicts = 20;

    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>The row key: posting time (ticks, fixed width, so keys sort by posting order), then the post's id.</summary>
    public static string RowKey(DateTimeOffset postedAt, string postId) =>
        Prefix + Math.Max(0, postedAt.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "|" + StorageNames.EscapeKey(postId);

    /// <summary>
    /// Says that the post keyed <paramref name="rowKey"/> may be counted in <paramref name="partition"/>
    /// soon: later posts of the partition wait (briefly) for it to record itself, or for the ticket to be
    /// disposed (dispose it as soon as it is known not to be counted).
    /// </summary>
    public IDisposable Expect(string partition, string rowKey)
    {
        var entry = new Entry(rowKey);
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(partition, out var lane))
            {
                _lanes[partition] = lane = new Lane();
            }

            lane.Entries.Add(entry);
        }

        return new Ticket(this, partition, entry);
    }

    /// <summary>
    /// The post's rank among identical posts (1 when it is the first recorded), recorded with its row on
    /// the first delivery and read back on any other. <paramref name="expected"/>: its ticket from
    /// <see cref="Expect"/>, when it has one.
    /// </summary>
    public async Task<int> CountAsync(string partition, string rowKey, DateTimeOffset postedAt, CancellationToken cancellationToken, IDisposable? expected = null)
    {
        var table = await clients.GetTableAsync(StorageNames.SpamRepeatsTable, cancellationToken).ConfigureAwait(false);
        var ticket = expected as Ticket is { } given && given.Partition == partition && given.Entry.RowKey == rowKey ? given : (Ticket)Expect(partition, rowKey);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var conflicts = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // The earlier posts in flight here, and any being recorded, go first (bounded), so this count includes them.
                var (ahead, commits) = Ahead(partition, ticket.Entry);
                var left = MaxWait - waited.Elapsed;
                var pending = ahead.Where(e => !e.Recorded.Task.IsCompleted).Select(e => (Task)e.Recorded.Task).ToList();
                if (pending.Count > 0 && left > TimeSpan.Zero)
                {
                    await Task.WhenAny(Task.WhenAll(pending), Task.Delay(left, cancellationToken)).ConfigureAwait(false);
                    continue;
                }

                var (count, counterETag, stored) = await ReadAsync(table, partition, rowKey, cancellationToken).ConfigureAwait(false);
                if (stored is { } rank)
                {
                    return Math.Min(rank, MaxCounted);
                }

                // Another post of the partition registered before this one or started recording while this one counted: count again.
                if (!TryStartRecording(partition, ticket.Entry, ahead, commits) && MaxWait > waited.Elapsed)
                {
                    continue;
                }

                // The post's row and the partition's counter in one transaction, on the counter's ETag: two
                // instances ranking identical posts at once cannot both take the same rank.
                var mine = count + 1;
                var counter = new TableEntity(partition, CounterRowKey) { [CountColumn] = mine };
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.Add, new TableEntity(partition, rowKey) { ["PostedAt"] = postedAt, [RankColumn] = mine }),
                    counterETag is { } etag ? new(TableTransactionActionType.UpdateReplace, counter, etag) : new(TableTransactionActionType.Add, counter),
                ];
                try
                {
                    await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    return Math.Min(mine, MaxCounted);
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && ++conflicts < MaxConflicts)
                {
                    // The counter moved (another instance ranked an identical post) or another delivery of this post
                    // recorded it: read again after a short, jittered pause so racing instances spread out.
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 * conflicts)), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ticket.Entry.Recorded.TrySetResult();
            if (!ReferenceEquals(ticket, expected))
            {
                ticket.Dispose();
            }
        }
    }

    /// <summary>The partition's counter (how many posts were ranked, with its ETag; 0 and none before the first) and the rank stored on the post's own row when it is there, in one read.</summary>
    private static async Task<(int Count, ETag? CounterETag, int? Stored)> ReadAsync(TableClient table, string partition, string rowKey, CancellationToken cancellationToken)
    {
        var (count, etag, stored) = (0, (ETag?)null, (int?)null);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and (RowKey eq {CounterRowKey} or RowKey eq {rowKey})");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", CountColumn, RankColumn], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == CounterRowKey)
            {
                (count, etag) = (row.GetInt32(CountColumn) ?? 0, row.ETag);
            }
            else
            {
                stored = row.GetInt32(RankColumn) ?? 1;
            }
        }

        return (count, etag, stored);
    }

    /// <summary>The posts in flight here that go before <paramref name="entry"/> (keyed earlier, or being recorded), and how many recordings have started.</summary>
    private (HashSet<Entry> Ahead, long Commits) Ahead(string partition, Entry entry)
    {
        lock (_lanes)
        {
            return _lanes.TryGetValue(partition, out var lane)
                ? (lane.Entries.Where(e => e != entry && (e.Recording || string.CompareOrdinal(e.RowKey, entry.RowKey) < 0)).ToHashSet(), lane.Commits)
                : ([], 0);
        }
    }

    /// <summary>Marks the post as being recorded, unless a post that goes before it appeared, or another started recording, since <paramref name="ahead"/> was taken.</summary>
    private bool TryStartRecording(string partition, Entry entry, HashSet<Entry> ahead, long commits)
    {
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(partition, out var lane))
            {
                return true;
            }

            if (lane.Commits != commits || lane.Entries.Any(e => e != entry && !ahead.Contains(e) && string.CompareOrdinal(e.RowKey, entry.RowKey) < 0))
            {
                return false;
            }

            entry.Recording = true;
            lane.Commits++;
            return true;
        }
    }

    private void Withdraw(string partition, Entry entry)
    {
        entry.Recorded.TrySetResult();
        lock (_lanes)
        {
            if (_lanes.TryGetValue(partition, out var lane) && lane.Entries.Remove(entry) && lane.Entries.Count == 0)
            {
                _lanes.Remove(partition);
            }
        }
    }

    private sealed class Lane
    {
        public List<Entry> Entries { get; } = [];

        /// <summary>Recordings started in this lane: a count that raced one counts again.</summary>
        public long Commits { get; set; }
    }

    private sealed class Entry(string rowKey)
    {
        public string RowKey { get; } = rowKey;

        public bool Recording { get; set; }

        public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Ticket(RepeatCounter owner, string partition, Entry entry) : IDisposable
    {
        private int _disposed;

        public string Partition { get; } = partition;

        public Entry Entry { get; } = entry;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Withdraw(Partition, Entry);
            }
        }
    }
}
