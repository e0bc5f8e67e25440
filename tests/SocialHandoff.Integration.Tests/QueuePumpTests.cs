using System.Text;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using SocialHandoff.Local.Pipeline;

namespace SocialHandoff.Integration.Tests;

/// <summary>The local pump's concurrency and poison semantics against Azurite, as host.json sets them for the Functions host.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueuePumpTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ReceiveAsync_HandlersStillBusy_BatchSizePlusNewBatchThresholdInFlightAndNoMore()
    {
        var (queue, poison) = await QueuesAsync(50);
        var entered = 0;
        var release = new SemaphoreSlim(0);
        var pump = new QueuePump(queue, poison, async (_, _, ct) =>
        {
            Interlocked.Increment(ref entered);
            await release.WaitAsync(ct);
        }, new QueuePumpOptions { BatchSize = 16, NewBatchThreshold = 8 }, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var polling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await pump.ReceiveAsync(stop.Token, CancellationToken.None) == 0)
                {
                    await Task.Delay(50);
                }
            }
        });

        // One batch: 16 in hand is above the threshold, so no second receive.
        await Until(() => Volatile.Read(ref entered) == 16);
        await Task.Delay(500);
        Assert.Equal(16, Volatile.Read(ref entered));

        // Down to the threshold (8 in hand): the next batch comes, 24 in hand, and no more.
        release.Release(8);
        await Until(() => Volatile.Read(ref entered) == 32);
        await Task.Delay(500);
        Assert.Equal(32, Volatile.Read(ref entered));
        Assert.Equal(24, pump.InHand);

        release.Release(1000);
        await Until(() => Volatile.Read(ref entered) == 50 && pump.InHand == 0);
        await stop.CancelAsync();
        await polling;
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty(pump.TakeFaults());
    }

    [Fact]
    public async Task PumpOnceAsync_HandlerAlwaysFails_PoisonedOnTheLastAllowedDeliveryOnly()
    {
        var (queue, poison) = await QueuesAsync(3);
        var deliveries = 0;
        var pump = new QueuePump(queue, poison, (_, _, _) =>
        {
            Interlocked.Increment(ref deliveries);
            throw new InvalidOperationException("always");
        }, new QueuePumpOptions { MaxDequeueCount = 2 }, NullLogger.Instance);

        await pump.PumpOnceAsync(CancellationToken.None);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        await pump.PumpOnceAsync(CancellationToken.None);

        Assert.Equal(6, deliveries);
        Assert.Equal(3, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task ReceiveAsync_HandledPastItsLeaseWhileAnotherDeliveryTookIt_NotAFault()
    {
        // Regression: the late delivery's delete (pop receipt no longer matching) was reported as a polling failure.
        var (queue, poison) = await QueuesAsync(1);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = new QueuePump(queue, poison, async (_, dequeueCount, _) =>
        {
            if (dequeueCount == 1)
            {
                await secondDone.Task.WaitAsync(Patience);
            }
            else
            {
                secondDone.TrySetResult();
            }
        }, new QueuePumpOptions { ProcessingLease = TimeSpan.FromSeconds(1) }, NullLogger.Instance);

        await pump.ReceiveAsync(CancellationToken.None, CancellationToken.None);
        await Until(() =>
        {
            pump.ReceiveAsync(CancellationToken.None, CancellationToken.None).GetAwaiter().GetResult();
            return secondDone.Task.IsCompleted;
        });
        await pump.WhenHandledAsync();

        Assert.Empty(pump.TakeFaults());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public void Validate_BatchOverWhatOneReceiveReturns_NamesTheSetting()
    {
        var result = new QueuePumpOptionsValidator().Validate(null, new QueuePumpOptions { BatchSize = 33, NewBatchThreshold = -1 });

        Assert.True(result.Failed);
        Assert.Contains("Local:QueuePump:BatchSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Local:QueuePump:NewBatchThreshold", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new QueuePumpOptionsValidator().Validate(null, new QueuePumpOptions()).Succeeded);
    }

    private async Task<(QueueClient Queue, QueueClient Poison)> QueuesAsync(int messages)
    {
        var raw = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        var queue = new QueueClient(azurite.ConnectionString, "pump-test", raw);
        var poison = new QueueClient(azurite.ConnectionString, "pump-test-poison", raw);
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        for (var i = 0; i < messages; i++)
        {
            await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes($"message {i}")));
        }

        return (queue, poison);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }
}
