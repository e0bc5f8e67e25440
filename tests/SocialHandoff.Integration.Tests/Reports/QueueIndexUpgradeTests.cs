using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;
using SocialHandoff.Integration.Tests.Api;

namespace SocialHandoff.Integration.Tests.Reports;

/// <summary>After a deployment the sweep's upgrade rewrites the rows an earlier version wrote, once, so the reports count their handoffs without anyone calling the repair.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueueIndexUpgradeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RunAsync_RowsWrittenByAnEarlierVersion_RewrittenOnceAndTheSummaryCountsThemWithTheNewOnes()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var services = api.Harness.Services;
        for (var i = 0; i < 4; i++)
        {
            await api.HandOffAsync($"u{i}", $"@contoso is the autumn menu at the {Harness.Place(i)} store vegetarian friendly?");
        }

        var index = services.GetRequiredService<HandoffIndex>();
        Assert.False(await index.NeedsLayoutUpgradeAsync("care", CancellationToken.None));

        // The partition as an earlier version left it: rows without the clocks' outcomes, no day tally, and a count row that names no layout.
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        var partition = HandoffIndex.Partition("care", false);
        var day = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        var rows = (await api.Harness.RowsAsync(StorageNames.HandoffIndexTable)).Where(r => r.PartitionKey == partition && string.CompareOrdinal(r.RowKey, HandoffIndex.CountRowKey) < 0).ToList();
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            row.Remove(HandoffIndex.FirstResponseOutcomeColumn);
            await table.UpsertEntityAsync(row, TableUpdateMode.Replace);
        }

        await table.DeleteEntityAsync(partition, DayTally.Key(day));
        await table.UpsertEntityAsync(new TableEntity(partition, HandoffIndex.CountRowKey) { ["Count"] = 4 }, TableUpdateMode.Replace);
        var reports = services.GetRequiredService<SlaReports>();
        Assert.Empty(await reports.SummaryAsync("care", day, day, CancellationToken.None));

        // A fifth handoff arrives before the upgrade: written in the current layout, its share is in the tally already.
        await api.HandOffAsync("u4", $"@contoso is the autumn menu at the {Harness.Place(4)} store vegetarian friendly?");
        Assert.Equal(1, Assert.Single(await reports.SummaryAsync("care", day, day, CancellationToken.None)).Received);

        var upgrade = services.GetRequiredService<QueueIndexUpgrade>();
        Assert.Equal(1, await upgrade.RunAsync(CancellationToken.None));

        var summary = Assert.Single(await reports.SummaryAsync("care", day, day, CancellationToken.None));
        Assert.Equal(5, summary.Received);
        Assert.Equal(5, summary.Open);
        Assert.False(await index.NeedsLayoutUpgradeAsync("care", CancellationToken.None));
        Assert.Equal(0, await upgrade.RunAsync(CancellationToken.None));

        // Another instance checks again and finds every partition current: nothing rebuilt twice.
        var other = ActivatorUtilities.CreateInstance<QueueIndexUpgrade>(services);
        Assert.Equal(0, await other.RunAsync(CancellationToken.None));
    }
}
