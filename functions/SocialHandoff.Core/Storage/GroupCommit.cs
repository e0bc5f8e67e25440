namespace SocialHandoff.Core.Storage;

/// <summary>
/// Group commit per key (a table partition): the first write to a key is flushed at once; writes that
/// arrive while that flush is in flight wait and go together in the next one, up to
/// <paramref name="maxBatch"/> (a transaction holds at most 100 entities) and, when <paramref name="bytes"/>
/// gives each item's worst-case size, <see cref="TableLimits.MaxTransactionBytes"/> (an item alone always
/// goes), so long texts arriving together never make a transaction too large to send. So concurrent deliveries
/// share one entity-group transaction, and a lone write is not delayed. A delivery that knows it will
/// write to a key soon says so (<see cref="Expect"/>); a flush waits for the writers expected at its key
/// (at most <see cref="MaxWait"/>, or the <c>maxWait</c> given: tests give a long one, so a slow machine
/// cannot cut the wait short), so deliveries that started together share a transaction even when
/// they reach the write a moment apart. Each caller's task completes when the flush that carried its
/// item is stored, or fails with that flush's error (the caller's retry, like any other failed write,
/// is the queue's redelivery).
/// </summary>
public sealed class GroupCommit<T>(Func<string, IReadOnlyList<T>, Task> flush, int maxBatch = 100, Func<T, long>? bytes = null, TimeSpan? maxWait = null)
{
    /// <summary>
    /// How long a flush waits at most for writers expected at its key: 100 ms, a few round trips to the
    /// table service. A writer nobody else expects is flushed at once; one that is expected but delayed
    /// (a slow step, a crash) holds the others back no longer than this.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>
    /// Says that a write to <paramref name="key"/> is coming: pass the ticket to <see cref="AddAsync"/>,
    /// or dispose of it when the write turns out not to be needed (disposing a used ticket does nothing).
    /// </summary>
    public GroupCommitTicket Expect(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lanes)
        {
            LaneOf(key).Expected++;
        }

        return new GroupCommitTicket(this, key, Withdraw);
    }

    public Task AddAsync(string key, T item, CancellationToken cancellationToken, GroupCommitTicket? expected = null)
    {
        var pending = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), bytes?.Invoke(item) ?? 0);
        bool start;
        Lane lane;
        lock (_lanes)
        {
            if (expected?.Use(this, key) == true)
            {
                // Arrived: counted with the queue now, not with the writers still expected.
                LaneOf(key).Expected--;
            }

            lane = LaneOf(key);
            lane.Queue.Enqueue(pending);
            start = !lane.Running;
            lane.Running = true;
            lane.Pulse();
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(key, lane), CancellationToken.None);
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private void Withdraw(string key)
    {
        lock (_lanes)
        {
            if (_lanes.TryGetValue(key, out var lane))
            {
                lane.Expected--;
                lane.Pulse();
                RemoveIfIdle(key, lane);
            }
        }
    }

    private Lane LaneOf(string key)
    {
        if (!_lanes.TryGetValue(key, out var lane))
        {
            _lanes[key] = lane = new Lane();
        }

        return lane;
    }

    private void RemoveIfIdle(string key, Lane lane)
    {
        if (!lane.Running && lane.Expected <= 0 && lane.Queue.Count == 0)
        {
            _lanes.Remove(key);
        }
    }

    private async Task DrainAsync(string key, Lane lane)
    {
        // Let writers started in the same moment (one received batch) join the first flush.
        await Task.Yield();
        while (true)
        {
            // Writers expected here and not arrived yet: wait for them (bounded), so they share this flush.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                Task changed;
                lock (_lanes)
                {
                    if (lane.Expected <= 0 || lane.Queue.Count >= maxBatch)
                    {
                        break;
                    }

                    changed = lane.Changed.Task;
                }

                var left = (maxWait ?? MaxWait) - waited.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                await Task.WhenAny(changed, Task.Delay(left)).ConfigureAwait(false);
            }

            var batch = new List<Pending>();
            lock (_lanes)
            {
                var size = 0L;
                while (batch.Count < maxBatch && lane.Queue.TryPeek(out var next) && (batch.Count == 0 || size + next.Bytes <= TableLimits.MaxTransactionBytes))
                {
                    batch.Add(lane.Queue.Dequeue());
                    size += next.Bytes;
                }

                if (batch.Count == 0)
                {
                    lane.Running = false;
                    RemoveIfIdle(key, lane);
                    return;
                }
            }

            try
            {
                await flush(key, batch.Select(p => p.Item).ToList()).ConfigureAwait(false);
                batch.ForEach(p => p.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(p => p.Done.TrySetException(ex));
            }
        }
    }

    private sealed record Pending(T Item, TaskCompletionSource Done, long Bytes);

    private sealed class Lane
    {
        public Queue<Pending> Queue { get; } = new();

        public bool Running { get; set; }

        /// <summary>Writers that said they are coming and have not arrived (or withdrawn) yet.</summary>
        public int Expected { get; set; }

        /// <summary>Completed (and replaced) whenever a writer arrives or withdraws.</summary>
        public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Pulse()
        {
            var changed = Changed;
            Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }
}

/// <summary>A write expected at a group commit's key: used by the <c>AddAsync</c> it is passed to, or withdrawn when disposed unused.</summary>
public sealed class GroupCommitTicket : IDisposable
{
    private readonly object _owner;
    private readonly string _key;
    private readonly Action<string> _withdraw;
    private int _done;

    internal GroupCommitTicket(object owner, string key, Action<string> withdraw)
    {
        _owner = owner;
        _key = key;
        _withdraw = withdraw;
    }

    /// <summary>A ticket for nothing: the write it stands for is not group-committed (the feature is off).</summary>
    public static GroupCommitTicket None { get; } = new(new object(), "", _ => { }) { _done = 1 };

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _withdraw(_key);
        }
    }

    /// <summary>True the first time it is used for its own group commit and key (the writer arrived).</summary>
    internal bool Use(object owner, string key) =>
        ReferenceEquals(owner, _owner) && string.Equals(key, _key, StringComparison.Ordinal) && Interlocked.Exchange(ref _done, 1) == 0;
}
