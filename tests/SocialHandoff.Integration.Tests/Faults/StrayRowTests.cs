using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>A handoff partition holding a row that conflicts with the handoff's inserts: every delivery fails with the reason, none spins.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StrayRowTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Process_StrayEventRowAndTheLedgerRowOfAnEarlierFailure_EveryDeliveryFailsWithTheReasonInsteadOfLooping()
    {
        // Regression: from the second delivery on (the first one's error recorded in the ledger row) the create retried forever.
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var mention = (await harness.SampleMentionsAsync())[0];
        await harness.Table(StorageNames.HandoffsTable).AddEntityAsync(new TableEntity(HandoffIds.For(mention.Key), HandoffRow.CreatedEventRowKey));
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();

        for (var delivery = 1; delivery <= 3; delivery++)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stage.ProcessAsync(MentionJson.Serialize(mention), delivery, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("repair the partition by hand", error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("repair the partition by hand", (await harness.Services.GetRequiredService<MentionLedger>().GetStateAsync(mention, CancellationToken.None)).LastError, StringComparison.Ordinal);
        Assert.Empty(await harness.HandoffRowsAsync());
    }
}
