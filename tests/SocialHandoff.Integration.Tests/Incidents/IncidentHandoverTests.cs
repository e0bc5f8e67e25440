using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Spam;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Incidents;

/// <summary>
/// An incident's leader that ends without a handoff (dead-lettered, filtered as spam) must not strand
/// the copies that joined it: on Azurite through the real ProcessMention, poison and dead-letter paths,
/// every copy ends in exactly one open handoff, that of the first surviving copy.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IncidentHandoverTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Complaint = "@ContosoBank the mobile app logs me out every time I open my statements and support keeps closing my ticket.";
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(3);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RunOnce_LeaderFailsEveryDeliveryAfterOpeningItsIncident_CopiesHandedOverToTheFirstSurvivorAndAccountsClose()
    {
        var path = Path.Combine(Path.GetTempPath(), $"handover-{Guid.NewGuid():N}.jsonl");
        var lines = Enumerable.Range(0, 7).Select(i => JsonSerializer.Serialize(new
        {
            id = i == 0 ? "lead" : "copy" + i.ToString(CultureInfo.InvariantCulture),
            text = i == 0 ? Complaint : $"@user{i} {Complaint}",
            postedAt = Harness.Start.AddMinutes(i),
            brand = "contoso",
            handle = "user" + i.ToString(CultureInfo.InvariantCulture),
            followers = 100 + i,
        }));
        await File.WriteAllLinesAsync(path, lines);
        try
        {
            await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?>
            {
                ["Sources:Files:Exports:0:Name"] = "copies",
                ["Sources:Files:Exports:0:Path"] = path,
            });
            var mentions = (await new FileMentionSource(new() { Name = "copies", Path = path }).FetchAsync(null, CancellationToken.None)).Mentions;
            var leader = mentions.Single(m => m.Id == "lead");
            var copies = mentions.Where(m => m != leader).ToList();

            // A stray row in the leader's handoff partition makes every delivery fail after the incident is opened.
            await harness.Table(StorageNames.HandoffsTable).AddEntityAsync(new TableEntity(HandoffIds.For(leader.Key), HandoffRow.CreatedEventRowKey));
            var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
            await Assert.ThrowsAsync<InvalidOperationException>(() => stage.ProcessAsync(MentionJson.Serialize(leader), 1, CancellationToken.None));

            await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
            await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
            var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

            Assert.True(summary.Complete, $"ingested {summary.Ingested}, handed off {summary.HandedOff}, dead-lettered {summary.DeadLettered}");
            Assert.Equal((7, 6, 1), (summary.Ingested, summary.HandedOff, summary.DeadLettered));
            Assert.Equal(leader.Key, Assert.Single(await harness.RowsAsync(StorageNames.DeadLettersTable)).GetString("MentionKey"));
            await AssertEveryCopyInOneHandoffAsync(harness, copies, copies[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Drain_LeaderOnPoisonOfPoisonAfterCopiesJoined_CopiesHandedOverAndARepeatChangesNothing()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var (leader, copies) = await LeaderCrashedAndCopiesJoinedAsync(harness, 5);

        await harness.Queue(StorageNames.PoisonOfPoisonQueue).SendMessageAsync(MentionJson.Serialize(leader));
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        await AssertEveryCopyInOneHandoffAsync(harness, copies, copies[0]);

        // The dead letter recorded again, twice at once (a redelivered poison message): one handoff, one team message.
        var record = harness.Services.GetRequiredService<RecordDeadLetterStage>();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => record.RecordAsync(MentionJson.Serialize(leader), 1, CancellationToken.None)));
        await AssertEveryCopyInOneHandoffAsync(harness, copies, copies[0]);
        Assert.Equal(1, await harness.TeamMessagesAsync());
    }

    [Fact]
    public async Task RecordDeadLetter_FirstCopyDeadLetteredToo_TheNextSurvivorLeads()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var (leader, copies) = await LeaderCrashedAndCopiesJoinedAsync(harness, 3);
        await harness.Services.GetRequiredService<MentionLedger>().MarkDeadLetteredAsync(copies[0], CancellationToken.None);

        await harness.Services.GetRequiredService<RecordDeadLetterStage>().RecordAsync(MentionJson.Serialize(leader), 5, CancellationToken.None);

        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(HandoffIds.For(copies[1].Key), handoff.PartitionKey);
    }

    [Fact]
    public async Task RecordDeadLetter_LeaderWithoutCopies_IncidentClosedAndTheNextCopyGetsItsOwnHandoff()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var (leader, _) = await LeaderCrashedAndCopiesJoinedAsync(harness, 0);

        await harness.Services.GetRequiredService<RecordDeadLetterStage>().RecordAsync(MentionJson.Serialize(leader), 5, CancellationToken.None);
        var late = Copy(9, Complaint);

        Assert.Equal(ProcessOutcome.HandedOff, await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(late), 1, CancellationToken.None));
        Assert.Equal(HandoffIds.For(late.Key), Assert.Single(await harness.HandoffRowsAsync()).PartitionKey);
    }

    [Fact]
    public async Task RecordDeadLetter_CopiesJoiningDuringTheHandover_EachInExactlyOneHandoff()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var (leader, copies) = await LeaderCrashedAndCopiesJoinedAsync(harness, 3);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var late = Enumerable.Range(10, 12).Select(i => Copy(i, Variant(i))).ToList();

        var record = harness.Services.GetRequiredService<RecordDeadLetterStage>().RecordAsync(MentionJson.Serialize(leader), 5, CancellationToken.None);
        var outcomes = await Task.WhenAll(late.Select(m => Task.Run(() => stage.ProcessAsync(MentionJson.Serialize(m), 1, CancellationToken.None))));
        await record;

        Assert.All(outcomes, o => Assert.Equal(ProcessOutcome.JoinedIncident, o));
        await AssertEveryCopyInOneHandoffAsync(harness, [.. copies, .. late], copies[0]);
    }

    [Fact]
    public async Task Process_LeaderFilteredAsSpamOnItsRedelivery_CopiesHandedOverAndTheRestoredLeaderJoinsThem()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?> { ["Spam:Enabled"] = "true" });
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        const string Advert = "Great offers on kettles today only @ContosoBank https://spam.link/17";
        var newAccount = Harness.Start.AddDays(-2);
        MentionMessage Post(string id, string handle, DateTimeOffset? created, int minutes) => Copy(0, Advert) with
        {
            Id = id,
            Author = new MentionAuthor(handle, handle, handle, 3, false, created),
            PostedAt = Harness.Start.AddMinutes(minutes),
        };

        var leader = Post("ad-lead", "bot", newAccount, 0);
        var copies = Enumerable.Range(1, 3).Select(i => Post("ad-copy" + i.ToString(CultureInfo.InvariantCulture), "fan" + i.ToString(CultureInfo.InvariantCulture), null, i)).ToList();

        // The leader's first delivery opened the incident and crashed; copies by other people joined it.
        await harness.Services.GetRequiredService<IncidentGrouping>().JoinAsync(leader, "promotion", HandoffIds.For(leader.Key), CancellationToken.None);
        foreach (var copy in copies)
        {
            Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None));
        }

        // Its author had posted the advert twice before (at another brand), processed meanwhile, so the redelivery ranks it the third identical post from a new account.
        for (var i = 1; i <= 2; i++)
        {
            var earlier = Post("ad-before" + i.ToString(CultureInfo.InvariantCulture), "bot", newAccount, i - 3) with { Query = "fabrikam" };
            await stage.ProcessAsync(MentionJson.Serialize(earlier), 1, CancellationToken.None);
        }

        Assert.Equal(ProcessOutcome.Filtered, await stage.ProcessAsync(MentionJson.Serialize(leader), 2, CancellationToken.None));

        var successor = Assert.Single(await harness.HandoffRowsAsync(), h => h.PartitionKey == HandoffIds.For(copies[0].Key));
        var incidents = harness.Services.GetRequiredService<IncidentStore>();
        var incident = (await incidents.ForHandoffAsync(successor.PartitionKey, CancellationToken.None))!;
        Assert.Superset(copies.Select(c => c.Key).ToHashSet(), incident.Members.Select(m => m.MentionKey).ToHashSet());
        Assert.DoesNotContain(leader.Key, incident.Members.Select(m => m.MentionKey));

        // An agent restores the leader: it joins its copies' handoff like any copy.
        var restored = await harness.Services.GetRequiredService<SpamReview>().RestoreAsync(leader.Key, "ana", CancellationToken.None);

        Assert.True(restored!.Restored);
        Assert.DoesNotContain(await harness.HandoffRowsAsync(), h => h.PartitionKey == HandoffIds.For(leader.Key));
        Assert.Contains(leader.Key, (await incidents.ForHandoffAsync(successor.PartitionKey, CancellationToken.None))!.Members.Select(m => m.MentionKey));
    }

    /// <summary>The leader's delivery opened the incident and stopped there (crashed); <paramref name="count"/> copies then joined it through the real stage.</summary>
    private static async Task<(MentionMessage Leader, List<MentionMessage> Copies)> LeaderCrashedAndCopiesJoinedAsync(Harness harness, int count)
    {
        var leader = Copy(0, Complaint);
        var grouping = harness.Services.GetRequiredService<IncidentGrouping>();
        Assert.Equal(IncidentRole.Leads, (await grouping.JoinAsync(leader, "complaint", HandoffIds.For(leader.Key), CancellationToken.None)).Role);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var copies = Enumerable.Range(1, count).Select(i => Copy(i, Variant(i))).ToList();
        foreach (var copy in copies)
        {
            Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None));
        }

        return (leader, copies);
    }

    /// <summary>One handoff, the successor's, open in its team's queue; its incident counts and lists every copy; every copy's ledger row points at it.</summary>
    private static async Task AssertEveryCopyInOneHandoffAsync(Harness harness, IReadOnlyList<MentionMessage> copies, MentionMessage successor)
    {
        var id = HandoffIds.For(successor.Key);
        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(id, handoff.PartitionKey);
        Assert.Equal(HandoffStore.StatusOpen, handoff.GetString(HandoffRow.Status));
        Assert.True(await harness.Services.GetRequiredService<HandoffStore>().IsHandedOffAsync(id, CancellationToken.None));
        var incident = (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(id, CancellationToken.None))!;
        Assert.Equal(copies.Count, incident.Count);
        Assert.Equal(copies.Select(c => c.Key).Order(StringComparer.Ordinal), incident.Members.Select(m => m.MentionKey).Order(StringComparer.Ordinal));
        // A copy's record is its membership row (moved to the successor's incident) or, when it had one, its ledger row.
        var records = (await harness.JoinedRecordsAsync()).ToDictionary(r => r.GetString("HandoffId")!);
        var ledger = (await harness.LedgerRowsAsync()).ToDictionary(r => r.PartitionKey);
        Assert.All(copies.Where(c => c != successor), c => Assert.Equal(
            id,
            ledger.TryGetValue(HandoffIds.For(c.Key), out var row) && row.GetString("JoinedHandoffId") is { } joined ? joined : records[HandoffIds.For(c.Key)].GetString("IncidentId")));
    }

    private static string Variant(int i) => (i % 3) switch
    {
        0 => Complaint,
        1 => $"@user{i} {Complaint} https://t.co/x{i}",
        _ => "RT @angry_" + i.ToString(CultureInfo.InvariantCulture) + ": " + Complaint,
    };

    private static MentionMessage Copy(int i, string text) => IncidentCopies.Copy(i, text, minutesAfterStart: i);
}
