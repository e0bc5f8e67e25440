using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Spam;

/// <summary>
/// The table <c>SpamRepeats</c>, the one owner of its rows: one partition per source, author and text
/// fingerprint, one row per post keyed by its posting time and id (<see cref="RowKey"/>). A post's count
/// is its rank by posting order among the identical posts recorded before it: the rows keyed at or before
/// its own, counted before its row is inserted with that rank (<c>Rank</c>), so the Nth identical post by
/// posting order gets N whatever order the posts are processed in, a post processed late changes no rank
/// already given to a later one, and a redelivery reads the rank its row holds (the same answer).
/// Posts of one partition in flight together on this instance are ranked in posting order: each counts
/// only once the earlier ones said to be coming (<see cref="Expect"/>) have inserted their rows.
/// Two requests a post (the count and the insert), one on a redelivery.
/// </summary>
public sealed class RepeatCounter(StorageClients clients)
{
    /// <summary>Reads at most this many rows when counting: past it the count says "at least".</summary>
    public const int MaxCounted = 1000;

    /// <summary>
    /// How long a post waits at most for an earlier identical post in flight to record itself: a few
    /// round trips. One that is slower (a stalled delivery) is not waited for: it counts as processed late.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private const string Prefix = "p|";

    private readonly Dictionary<string, List<Entry>> _lanes = new(StringComparer.Ordinal);

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
                _lanes[partition] = lane = [];
            }

            lane.Add(entry);
        }

        return new Ticket(this, partition, entry);
    }

    /// <summary>
    /// The post's rank among identical posts by posting order (1 when it is the first), recorded with its
    /// row on the first delivery and read back on any other. <paramref name="expected"/>: its ticket from
    /// <see cref="Expect"/>, when it has one.
    /// </summary>
    public async Task<int> CountAsync(string partition, string rowKey, DateTimeOffset postedAt, CancellationToken cancellationToken, IDisposable? expected = null)
    {
        var table = await clients.GetTableAsync(StorageNames.SpamRepeatsTable, cancellationToken).ConfigureAwait(false);
        var ticket = expected as Ticket is { } given && given.Partition == partition && given.Entry.RowKey == rowKey ? given : (Ticket)Expect(partition, rowKey);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (true)
            {
                // The earlier posts said to be coming record themselves first (bounded), so this count includes them.
                var before = Earlier(partition, rowKey);
                var pending = before.Where(e => !e.Recorded.Task.IsCompleted).Select(e => (Task)e.Recorded.Task).ToList();
                var left = MaxWait - waited.Elapsed;
                if (pending.Count > 0 && left > TimeSpan.Zero)
                {
                    await Task.WhenAny(Task.WhenAll(pending), Task.Delay(left, cancellationToken)).ConfigureAwait(false);
                }

                var (count, stored) = await CountRowsAsync(table, partition, rowKey, cancellationToken).ConfigureAwait(false);
                if (stored is { } rank)
                {
                    return rank;
                }

                // An earlier post said it was coming while this one counted: count again once it has recorded itself.
                if (MaxWait > waited.Elapsed && Earlier(partition, rowKey).Any(e => !before.Contains(e)))
                {
                    continue;
                }

                var mine = Math.Min(count + 1, MaxCounted);
                try
                {
                    await table.AddEntityAsync(new TableEntity(partition, rowKey) { ["PostedAt"] = postedAt, ["Rank"] = mine }, cancellationToken).ConfigureAwait(false);
                    return mine;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // Another delivery of this post recorded it meanwhile: its rank stands.
                    var row = await table.GetEntityAsync<TableEntity>(partition, rowKey, ["Rank"], cancellationToken).ConfigureAwait(false);
                    return row.Value.GetInt32("Rank") ?? mine;
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

    /// <summary>Rows keyed before <paramref name="rowKey"/> (at most <see cref="MaxCounted"/>), and the rank stored on its own row when it is there.</summary>
    private static async Task<(int Count, int? Stored)> CountRowsAsync(TableClient table, string partition, string rowKey, CancellationToken cancellationToken)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {Prefix} and RowKey le {rowKey}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: MaxCounted, select: ["RowKey", "Rank"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == rowKey)
            {
                return (count, row.GetInt32("Rank") ?? count + 1);
            }

            if (++count >= MaxCounted)
            {
                break;
            }
        }

        return (count, null);
    }

    /// <summary>The posts of the partition in flight here that are keyed before <paramref name="rowKey"/>.</summary>
    private HashSet<Entry> Earlier(string partition, string rowKey)
    {
        lock (_lanes)
        {
            return _lanes.TryGetValue(partition, out var lane)
                ? lane.Where(e => string.CompareOrdinal(e.RowKey, rowKey) < 0).ToHashSet()
                : [];
        }
    }

    private void Withdraw(string partition, Entry entry)
    {
        entry.Recorded.TrySetResult();
        lock (_lanes)
        {
            if (_lanes.TryGetValue(partition, out var lane) && lane.Remove(entry) && lane.Count == 0)
            {
                _lanes.Remove(partition);
            }
        }
    }

    private sealed class Entry(string rowKey)
    {
        public string RowKey { get; } = rowKey;

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
