namespace SocialHandoff.Core.Storage;

/// <summary>
/// Group commit per key (a table partition): the first write to a key is flushed at once; writes that
/// arrive while that flush is in flight wait and go together in the next one, up to
/// <paramref name="maxBatch"/> (a transaction holds at most 100 entities). So concurrent deliveries
/// share one entity-group transaction, and a lone write is not delayed. Each caller's task completes
/// when the flush that carried its item is stored, or fails with that flush's error (the caller's
/// retry, like any other failed write, is the queue's redelivery).
/// </summary>
public sealed class GroupCommit<T>(Func<string, IReadOnlyList<T>, Task> flush, int maxBatch = 100)
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public Task AddAsync(string key, T item, CancellationToken cancellationToken)
    {
        var pending = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        Lane lane;
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(key, out lane!))
            {
                _lanes[key] = lane = new Lane();
            }

            lane.Queue.Enqueue(pending);
            start = !lane.Running;
            lane.Running = true;
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(key, lane), CancellationToken.None);
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync(string key, Lane lane)
    {
        // Let writers started in the same moment (one received batch) join the first flush.
        await Task.Yield();
        while (true)
        {
            var batch = new List<Pending>();
            lock (_lanes)
            {
                while (batch.Count < maxBatch && lane.Queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    lane.Running = false;
                    _lanes.Remove(key);
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

    private sealed record Pending(T Item, TaskCompletionSource Done);

    private sealed class Lane
    {
        public Queue<Pending> Queue { get; } = new();

        public bool Running { get; set; }
    }
}
