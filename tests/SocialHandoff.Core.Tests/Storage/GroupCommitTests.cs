using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Tests.Storage;

/// <summary>Group commit: writes that arrive while a flush is in flight go together in the next one; each caller learns its own flush's outcome.</summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task AddAsync_ManyWhileAFlushIsInFlight_TheRestShareTheNextFlush()
    {
        var release = new TaskCompletionSource();
        var flushes = new List<IReadOnlyList<int>>();
        var commit = new GroupCommit<int>(async (_, items) =>
        {
            lock (flushes)
            {
                flushes.Add(items);
            }

            await release.Task;
        });

        var first = commit.AddAsync("p", 0, CancellationToken.None);
        await WaitUntilAsync(() => flushes.Count == 1);
        var rest = Enumerable.Range(1, 20).Select(i => commit.AddAsync("p", i, CancellationToken.None)).ToList();
        Assert.False(first.IsCompleted);
        release.SetResult();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal(2, flushes.Count);
        Assert.Equal([0], flushes[0]);
        Assert.Equal(Enumerable.Range(1, 20), flushes[1]);
    }

    [Fact]
    public async Task AddAsync_ItemsPastTheTransactionBytes_CutBySizeAndAnOversizedItemGoesAlone()
    {
        var release = new TaskCompletionSource();
        var flushes = new List<IReadOnlyList<long>>();
        var commit = new GroupCommit<long>(
            async (_, items) =>
            {
                lock (flushes)
                {
                    flushes.Add(items);
                }

                await release.Task;
            },
            bytes: size => size);
        const long Big = 1_200_000;

        var first = commit.AddAsync("p", 10, CancellationToken.None);
        await WaitUntilAsync(() => flushes.Count == 1);
        var rest = new long[] { Big, Big, Big, 4 * TableLimits.MaxTransactionBytes, 10, 10 }.Select(b => commit.AddAsync("p", b, CancellationToken.None)).ToList();
        release.SetResult();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([[10], [Big, Big], [Big], [4 * TableLimits.MaxTransactionBytes], [10, 10]], flushes);
    }

    [Fact]
    public async Task AddAsync_MoreThanABatch_SplitIntoBatchesOfTheLimit()
    {
        var release = new TaskCompletionSource();
        var sizes = new List<int>();
        var commit = new GroupCommit<int>(
            async (_, items) =>
            {
                lock (sizes)
                {
                    sizes.Add(items.Count);
                }

                await release.Task;
            },
            maxBatch: 30);

        var first = commit.AddAsync("p", -1, CancellationToken.None);
        await WaitUntilAsync(() => sizes.Count == 1);
        var rest = Enumerable.Range(0, 70).Select(i => commit.AddAsync("p", i, CancellationToken.None)).ToList();
        release.SetResult();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 30, 30, 10], sizes);
    }

    [Fact]
    public async Task AddAsync_FlushFails_EveryCallerOfThatFlushSeesTheErrorOthersDoNot()
    {
        var commit = new GroupCommit<string>((key, _) => key == "bad" ? Task.FromException(new InvalidOperationException("storage said no")) : Task.CompletedTask);

        var bad = commit.AddAsync("bad", "a", CancellationToken.None);
        var good = commit.AddAsync("good", "b", CancellationToken.None);

        Assert.Equal("storage said no", (await Assert.ThrowsAsync<InvalidOperationException>(() => bad)).Message);
        await good;
    }

    [Fact]
    public async Task AddAsync_DifferentKeys_FlushedSeparately()
    {
        var seen = new List<(string Key, int Count)>();
        var commit = new GroupCommit<int>((key, items) =>
        {
            lock (seen)
            {
                seen.Add((key, items.Count));
            }

            return Task.CompletedTask;
        });

        await Task.WhenAll(commit.AddAsync("a", 1, CancellationToken.None), commit.AddAsync("b", 2, CancellationToken.None));

        Assert.Equal(["a", "b"], seen.Select(s => s.Key).Order());
    }

    [Fact]
    public async Task AddAsync_AnotherWriterExpected_FlushWaitsForItAndCarriesBoth()
    {
        var flushes = new List<IReadOnlyList<int>>();
        var commit = new GroupCommit<int>((_, items) =>
        {
            lock (flushes)
            {
                flushes.Add(items);
            }

            return Task.CompletedTask;
        }, maxWait: TimeSpan.FromMinutes(1));
        using var coming = commit.Expect("p");

        // The expected writer's arrival ends the wait, however slow the machine: not the time bound.
        var first = commit.AddAsync("p", 1, CancellationToken.None);
        await Task.Delay(10);
        var second = commit.AddAsync("p", 2, CancellationToken.None, coming);
        await Task.WhenAll(first, second);

        Assert.Equal([1, 2], Assert.Single(flushes));
    }

    [Fact]
    public async Task AddAsync_ExpectedWriterWithdraws_FlushGoesWithoutIt()
    {
        var flushes = new List<IReadOnlyList<int>>();
        var commit = new GroupCommit<int>((_, items) =>
        {
            lock (flushes)
            {
                flushes.Add(items);
            }

            return Task.CompletedTask;
        });
        var coming = commit.Expect("p");

        var first = commit.AddAsync("p", 1, CancellationToken.None);
        coming.Dispose();
        coming.Dispose();
        await first;

        Assert.Equal([1], Assert.Single(flushes));
        // Withdrawn once however often disposed: a later write is flushed on its own.
        await commit.AddAsync("p", 2, CancellationToken.None);
        Assert.Equal(2, flushes.Count);
    }

    [Fact]
    public async Task AddAsync_ExpectedWriterNeverArrives_FlushGoesAfterTheMostItWaits()
    {
        var commit = new GroupCommit<int>((_, _) => Task.CompletedTask);
        using var stuck = commit.Expect("p");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await commit.AddAsync("p", 1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(watch.Elapsed >= GroupCommit<int>.MaxWait - TimeSpan.FromMilliseconds(5), $"flushed after {watch.Elapsed}");
    }

    [Fact]
    public async Task AddAsync_TicketOfAnotherKey_NotUsedAndStillWithdrawnWhenDisposed()
    {
        var keys = new List<string>();
        var commit = new GroupCommit<int>((key, _) =>
        {
            lock (keys)
            {
                keys.Add(key);
            }

            return Task.CompletedTask;
        });
        var ticket = commit.Expect("a");

        await commit.AddAsync("b", 1, CancellationToken.None, ticket);
        ticket.Dispose();
        await commit.AddAsync("a", 2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["b", "a"], keys);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
