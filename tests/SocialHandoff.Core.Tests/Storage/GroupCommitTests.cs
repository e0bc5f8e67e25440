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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
