using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// The same mention delivered several times at once, with nothing crashing (an export listing a post
/// twice, overlapping pages, at-least-once delivery): one handoff and one message on its team's queue
/// (regression: each delivery sent it). A delivery that crashed holding the send is taken over.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DuplicateDeliveryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ProcessAsync_RedeliveryAfterACrashHoldingTheSendClaim_SendsOnceTheClaimExpires()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var body = MentionJson.Serialize(Mention());
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(body, 1, CancellationToken.None));
        var handoffId = Assert.Single(await harness.HandoffRowsAsync()).PartitionKey;

        // As if the delivery died after claiming the send and before sending: nothing on the queue, nothing in the team's index.
        await harness.Queue(StorageNames.TeamQueue("billing")).ClearMessagesAsync();
        var indexed = Assert.Single(await harness.IndexRowsAsync());
        await harness.Table(StorageNames.HandoffIndexTable).DeleteEntityAsync(indexed.PartitionKey, indexed.RowKey);
        await harness.Table(StorageNames.HandoffsTable).UpdateEntityAsync(
            new TableEntity(handoffId, HandoffStore.HandoffRowKey)
            {
                ["TeamMessageSent"] = false,
                ["TeamMessageClaim"] = "crashed-delivery",
                ["TeamMessageClaimedUntil"] = harness.Clock.GetUtcNow() + HandoffStore.TeamMessageLease,
            },
            ETag.All, TableUpdateMode.Merge);

        var redelivery = stage.ProcessAsync(body, 2, CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(redelivery.IsCompleted);
        harness.Clock.Advance(HandoffStore.TeamMessageLease);

        Assert.Equal(ProcessOutcome.HandedOff, await redelivery);
        Assert.Equal(1, await harness.TeamMessagesAsync());
        Assert.Single(await harness.IndexRowsAsync());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public async Task ProcessAsync_SameMentionDeliveredConcurrently_OneHandoffAndOneTeamMessage(int deliveries)
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var body = MentionJson.Serialize(Mention());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, deliveries).Select(i => stage.ProcessAsync(body, 1, CancellationToken.None)));

        Assert.All(outcomes, o => Assert.NotEqual(ProcessOutcome.DeadLettered, o));
        Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(1, await harness.TeamMessagesAsync());
        Assert.Single(await harness.EventRowsAsync(), e => e.RowKey == HandoffStore.CreatedEventRowKey);
        Assert.Single(await harness.LedgerRowsAsync());
        Assert.Single(await harness.IndexRowsAsync());
    }

    private static MentionMessage Mention() => new(
        MentionMessage.CurrentSchemaVersion, "corr-dup", "test", "dup-1", new MentionAuthor("a-1", "user_1", "User", 120, false),
        "@contoso I was charged twice, please refund", "en", new MentionMetrics(0, 0, 0, 0), "https://x.com/user/status/1", Harness.Start, "contoso");
}
