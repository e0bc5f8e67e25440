using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;
using SocialHandoff.Integration.Tests.Api;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// Readers that find a handoff with an unapplied pending event finish it; of many at once, exactly
/// one may send a move's team message (regression: 5 to 22 copies were sent without any crash).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PendingEventRaceTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string CareText = "@contoso is the new autumn menu vegetarian friendly?";
    private const int Readers = 50;

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_FiftyConcurrentReadersOfAPendingMove_OneTeamMessageAndOneEvent()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await MoveThenUndoItsSideEffectsAsync(api, claim: null);

        var reads = await Task.WhenAll(Enumerable.Range(0, Readers).Select(i => api.GetAsync(i % 2 == 0 ? "mia" : "cy", $"api/handoffs/{id}")));

        Assert.All(reads, r => Assert.Equal(200, r.Status));
        Assert.All(reads, r => Assert.Contains(r.Body!["events"]!.AsArray(), e => (string?)e!["type"] == WorkRules.Moved));
        Assert.Equal(1, await api.Harness.QueueLengthAsync(StorageNames.TeamQueue("billing")));
        Assert.Single(await MovedEventsAsync(api, id));
        Assert.True((await StoredAsync(api, id)).PendingEventApplied);
    }

    [Fact]
    public async Task Get_FiftyConcurrentReadersOfAMoveMadeAtTheSameTime_OneTeamMessage()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("r2", CareText);

        var move = api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"team":"billing"}""");
        var reads = Enumerable.Range(0, Readers).Select(_ => api.GetAsync("mia", $"api/handoffs/{id}")).ToList();
        Assert.Equal(200, (await move).Status);
        Assert.All(await Task.WhenAll(reads), r => Assert.Equal(200, r.Status));

        Assert.Equal(1, await api.Harness.QueueLengthAsync(StorageNames.TeamQueue("billing")));
        Assert.Single(await MovedEventsAsync(api, id));
    }

    [Fact]
    public async Task Get_WriterCrashedHoldingItsClaim_ReadersWaitForTheLeaseThenOneFinishes()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await MoveThenUndoItsSideEffectsAsync(api, claim: "crashed-writer");
        var work = api.Harness.Services.GetRequiredService<HandoffWork>();

        var reads = Enumerable.Range(0, Readers).Select(_ => work.GetAsync(id, CancellationToken.None)).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.DoesNotContain(reads, r => r.IsCompleted);
        Assert.Equal(0, await api.Harness.QueueLengthAsync(StorageNames.TeamQueue("billing")));
        api.Harness.Clock.Advance(HandoffWork.FinishLease);
        var finished = await Task.WhenAll(reads);

        Assert.All(finished, h => Assert.True(h!.PendingEventApplied));
        Assert.Equal(1, await api.Harness.QueueLengthAsync(StorageNames.TeamQueue("billing")));
        Assert.Single(await MovedEventsAsync(api, id));
    }

    /// <summary>A move to billing, then the state a crash after its handoff write leaves: no event row, no team message, unapplied (and claimed by <paramref name="claim"/>).</summary>
    private static async Task<string> MoveThenUndoItsSideEffectsAsync(ApiHost api, string? claim)
    {
        var id = await api.HandOffAsync("r1", CareText);
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"team":"billing"}""")).Status);
        await api.Harness.Queue(StorageNames.TeamQueue("billing")).ClearMessagesAsync();
        foreach (var moved in await MovedEventsAsync(api, id))
        {
            await api.Harness.Table(StorageNames.HandoffsTable).DeleteEntityAsync(moved.PartitionKey, moved.RowKey);
        }

        await api.Harness.Table(StorageNames.HandoffsTable).UpdateEntityAsync(
            new TableEntity(id, HandoffStore.HandoffRowKey)
            {
                ["PendingEventApplied"] = false,
                ["PendingEventClaim"] = claim ?? "",
                ["PendingEventClaimedUntil"] = api.Harness.Clock.GetUtcNow() + HandoffWork.FinishLease,
            },
            Azure.ETag.All, TableUpdateMode.Merge);
        Assert.Equal(0, await api.Harness.QueueLengthAsync(StorageNames.TeamQueue("billing")));
        return id;
    }

    private static async Task<List<TableEntity>> MovedEventsAsync(ApiHost api, string id) =>
        (await api.Harness.EventRowsAsync()).Where(e => e.PartitionKey == id && e.GetString("Type") == WorkRules.Moved).ToList();

    private static async Task<HandoffRecord> StoredAsync(ApiHost api, string id) =>
        HandoffRecord.FromEntity((await api.Harness.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(id, HandoffStore.HandoffRowKey)).Value);
}
