using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;
using SocialHandoff.Integration.Tests.Api;

namespace SocialHandoff.Integration.Tests.Incidents;

/// <summary>
/// Near-duplicate mentions grouped into one incident handoff, on Azurite through the real ProcessMention
/// stage: concurrent copies, redeliveries, the surge's one-step raise, resolution, and what must not group.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IncidentTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Complaint = "@ContosoBank I was charged twice for my debit card order #4821 and nobody answers the chat. I want a refund today.";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ProcessAsync_FiftyCopiesConcurrently_OneHandoffWithCountFiftyAndRedeliveryKeepsFifty()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var copies = Enumerable.Range(0, 50).Select(i => Copy(i, Variant(i))).ToList();

        var outcomes = await Task.WhenAll(copies.Select(m => Task.Run(() => stage.ProcessAsync(MentionJson.Serialize(m), 1, CancellationToken.None))));

        Assert.Equal(1, outcomes.Count(o => o == ProcessOutcome.HandedOff));
        Assert.Equal(49, outcomes.Count(o => o == ProcessOutcome.JoinedIncident));
        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        var incident = (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!;
        Assert.Equal(50, incident.Count);
        Assert.Equal(copies.Sum(m => m.Author.Followers!.Value), incident.Reach);
        Assert.Equal(new IncidentOptions().MaxMembersListed, incident.Members.Count);
        Assert.Equal(1, await harness.TeamMessagesAsync());
        // Each copy is recorded by its join (its membership row carries its ledger columns), with no write of its own in Handoffs.
        Assert.Equal(handoff.PartitionKey, Assert.Single(await harness.LedgerRowsAsync()).PartitionKey);
        var joined = await harness.JoinedRecordsAsync();
        Assert.Equal(49, joined.Count);
        Assert.All(joined, m =>
        {
            Assert.Equal(handoff.PartitionKey, m.GetString("IncidentId"));
            Assert.True(MentionJson.TryParse(m.GetString("Body"), out var body, out _));
            Assert.Equal(HandoffIds.For(body.Key), m.GetString("HandoffId"));
        });

        // Every copy delivered again, some of them at the same time: nothing counts twice.
        var again = await Task.WhenAll(copies.Concat(copies.Take(10)).Select(m => Task.Run(() => stage.ProcessAsync(MentionJson.Serialize(m), 2, CancellationToken.None))));

        Assert.All(again, o => Assert.Equal(ProcessOutcome.Duplicate, o));
        Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(50, (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!.Count);
    }

    [Fact]
    public async Task ProcessAsync_FiftyListedCopiesWithHugeIdsHandlesAndLinks_JoinWithinTheTableLimits()
    {
        // Regression: 50 listed members with long keys, handles and links overflowed the members column (a string property holds 32,768 characters).
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?> { ["Incidents:MaxMembersListed"] = "50" });
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var copies = Enumerable.Range(0, 50).Select(i => Copy(i, Complaint) with
        {
            Id = new string('7', 2_000) + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Author = new MentionAuthor("a", new string('h', 5_000) + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "Name", 10, false),
            Url = "https://example.com/" + new string('u', 5_000),
        }).ToList();

        foreach (var copy in copies)
        {
            await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None);
        }

        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        var incident = (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!;
        Assert.Equal(50, incident.Count);
        Assert.Equal(50, incident.Members.Count);
    }

    [Fact]
    public async Task ProcessAsync_CopyRedeliveredAfterItsJoinCommitted_DuplicateCountedOnceAndHandedOff()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var copy = Copy(1, Complaint);
        Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None));

        // As if the delivery died after the join committed (the message not deleted): the join was its record.
        Assert.Equal(ProcessOutcome.Duplicate, await stage.ProcessAsync(MentionJson.Serialize(copy), 2, CancellationToken.None));

        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(2, (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!.Count);
        Assert.Equal(MentionLedger.HandedOff, (await harness.Services.GetRequiredService<MentionLedger>().GetStateAsync(copy, CancellationToken.None)).Status);
        var poison = await harness.Services.GetRequiredService<RecordDeadLetterStage>().RecordAsync(MentionJson.Serialize(copy), 5, CancellationToken.None);
        Assert.True(poison.AlreadyHandedOff);
        Assert.Empty(await harness.RowsAsync(StorageNames.DeadLettersTable));
    }

    [Fact]
    public async Task ReceivedSinceAsync_CopiesJoinedAnIncident_EveryMentionOnceAsItArrivedForTheRuleDryRun()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var copies = Enumerable.Range(0, 4).Select(i => Copy(i, Variant(i))).ToList();
        foreach (var copy in copies)
        {
            await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None);
        }

        Assert.Equal(3, (await harness.JoinedRecordsAsync()).Count);
        var received = await harness.Services.GetRequiredService<MentionLedger>().ReceivedSinceAsync(Harness.Start.AddDays(-7), CancellationToken.None);

        Assert.Equal(copies.Select(c => c.Key).Order(StringComparer.Ordinal), received.Select(r => r.Mention.Key).Order(StringComparer.Ordinal));
        Assert.All(received, r => Assert.Equal(copies.Single(c => c.Key == r.Mention.Key).Text, r.Mention.Text));
        Assert.Empty(await harness.Services.GetRequiredService<MentionLedger>().ReceivedSinceAsync(Harness.Start.AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task ProcessAsync_OneCopyDeliveredTwiceAtOnce_JoinedOnceAndADuplicateCountedOnce()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        Assert.Equal(ProcessOutcome.HandedOff, await one.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None));
        var copies = Enumerable.Range(1, 6).Select(i => Copy(i, Variant(i))).ToList();

        // Each copy twice at the same moment: on one instance (one group commit) and on two.
        var outcomes = await Task.WhenAll(copies.SelectMany(c => new[]
        {
            Task.Run(() => one.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(c), 1, CancellationToken.None)),
            Task.Run(() => (c == copies[0] ? one : two).Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(c), 1, CancellationToken.None)),
        }));

        Assert.Equal(6, outcomes.Count(o => o == ProcessOutcome.JoinedIncident));
        Assert.Equal(6, outcomes.Count(o => o == ProcessOutcome.Duplicate));
        var handoff = Assert.Single(await one.HandoffRowsAsync());
        Assert.Equal(7, (await one.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!.Count);
        Assert.Equal(6, (await one.JoinedRecordsAsync()).Count);
        Assert.Single(await one.LedgerRowsAsync());
    }

    [Fact]
    public async Task ProcessAsync_CopyFailedAfterItsJoinCommitted_RedeliveryClaimsTheErrorRowCountedOnce()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var ledger = harness.Services.GetRequiredService<MentionLedger>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var copy = Copy(1, Complaint);
        Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None));

        // As if the delivery joined, then failed (a surge's raise) and recorded its error in a ledger row of its own.
        await ledger.RecordErrorAsync(copy, "IOException: the surge's raise failed", CancellationToken.None);

        Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 2, CancellationToken.None));
        Assert.Equal(ProcessOutcome.Duplicate, await stage.ProcessAsync(MentionJson.Serialize(copy), 3, CancellationToken.None));

        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(2, (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!.Count);
        var row = (await harness.LedgerRowsAsync()).Single(l => l.PartitionKey == HandoffIds.For(copy.Key));
        Assert.Equal(MentionLedger.HandedOff, row.GetString("Status"));
        Assert.Equal(handoff.PartitionKey, row.GetString("JoinedHandoffId"));
    }

    [Fact]
    public async Task ProcessAsync_MemberJoinedWithoutItsRecord_RedeliveryWritesItsLedgerRowCountedOnce()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var copy = Copy(1, Complaint);
        Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 1, CancellationToken.None));

        // A membership row as written before it carried the ledger columns, whose delivery died before its ledger row.
        var member = Assert.Single(await harness.JoinedRecordsAsync());
        await harness.Table(StorageNames.IncidentsTable).UpdateEntityAsync(
            new TableEntity(member.PartitionKey, member.RowKey) { ["IncidentId"] = member.GetString("IncidentId"), ["PostedAt"] = member.GetDateTimeOffset("PostedAt"), ["HandoffId"] = member.GetString("HandoffId") },
            Azure.ETag.All,
            TableUpdateMode.Replace);

        Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(copy), 2, CancellationToken.None));

        var handoff = Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(2, (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!.Count);
        Assert.Equal(handoff.PartitionKey, (await harness.LedgerRowsAsync()).Single(l => l.PartitionKey == HandoffIds.For(copy.Key)).GetString("JoinedHandoffId"));
    }

    [Fact]
    public async Task ProcessAsync_DifferentComplaintsSameBrandSharingWords_SeparateHandoffs()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        string[] texts =
        [
            Complaint,
            "@ContosoBank my debit card order arrived damaged and the courier left it in the rain, I want a replacement",
            "@ContosoBank the chat says my refund for order #4821 was sent but it never reached my account, still waiting after 10 days",
            "@ContosoBank charged twice again?? third time this year, your online banking is a joke and nobody answers",
        ];

        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
        {
            Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(Copy(i, text)), 1, CancellationToken.None));
        }

        Assert.Equal(texts.Length, (await harness.HandoffRowsAsync()).Count);
    }

    [Fact]
    public async Task ProcessAsync_SameComplaintOtherBrandOrOutsideTheWindow_SeparateHandoffs()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();

        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var otherBrand = await stage.ProcessAsync(MentionJson.Serialize(Copy(1, Complaint) with { Query = "fabrikam" }), 1, CancellationToken.None);
        var dayLater = await stage.ProcessAsync(MentionJson.Serialize(Copy(2, Complaint) with { PostedAt = Harness.Start.AddHours(30) }), 1, CancellationToken.None);
        var sameDay = await stage.ProcessAsync(MentionJson.Serialize(Copy(3, Complaint) with { PostedAt = Harness.Start.AddHours(20) }), 1, CancellationToken.None);

        Assert.Equal(ProcessOutcome.HandedOff, otherBrand);
        Assert.Equal(ProcessOutcome.HandedOff, dayLater);
        Assert.Equal(ProcessOutcome.JoinedIncident, sameDay);
        Assert.Equal(3, (await harness.HandoffRowsAsync()).Count);
    }

    [Fact]
    public async Task ProcessAsync_SameQuestionAskedByMany_EachGetsItsOwnHandoff()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(Copy(i, "@ContosoBank is the new savings account available to students as well?")), 1, CancellationToken.None));
        }

        Assert.Equal(3, (await harness.HandoffRowsAsync()).Count);
    }

    [Fact]
    public async Task ProcessAsync_SurgeOfCopies_PriorityRaisedOneStepOnceWithTheReasonInTheAudit()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?>
        {
            ["Incidents:SurgeCount"] = "5",
            ["Incidents:SurgeWindow"] = "00:30:00",
        });
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var handoffId = Assert.Single(await harness.HandoffRowsAsync()).PartitionKey;
        var work = harness.Services.GetRequiredService<HandoffWork>();
        var before = (await work.GetAsync(handoffId, CancellationToken.None))!.Priority;

        for (var i = 1; i < 12; i++)
        {
            await stage.ProcessAsync(MentionJson.Serialize(Copy(i, Variant(i)) with { PostedAt = Harness.Start.AddMinutes(i) }), 1, CancellationToken.None);
        }

        var after = (await work.GetAsync(handoffId, CancellationToken.None))!;
        Assert.Equal(IncidentRules.OneStepUp(before), after.Priority);
        Assert.NotEqual(before, after.Priority);

        // The raise moved the handoff's queue index row to its new priority's key (one row, none left at the old key).
        var indexRow = Assert.Single(await harness.IndexRowsAsync());
        Assert.Equal(HandoffIndex.KeyOf(after).Row, indexRow.RowKey);
        Assert.StartsWith(after.Priority[1..] + "-", indexRow.RowKey, StringComparison.Ordinal);
        var raised = Assert.Single(await work.EventsAsync(handoffId, CancellationToken.None), e => e.GetString("Type") == WorkRules.Raised);
        Assert.Contains("incident surge: 5 copies within", raised.GetString("Text"), StringComparison.Ordinal);
        Assert.Equal("pipeline", raised.GetString("Actor"));
        var incident = (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoffId, CancellationToken.None))!;
        Assert.Equal(new IncidentSurge(incident.Surge!.At, incident.Surge.Reason, before, after.Priority, true), incident.Surge);
    }

    [Fact]
    public async Task ProcessAsync_SurgeBeforeTheLeadersHandoffExists_AppliedWhenItIsCreated()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?> { ["Incidents:SurgeCount"] = "3" });
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        var grouping = harness.Services.GetRequiredService<IncidentGrouping>();
        var leader = Copy(0, Complaint);

        // The leader's delivery opened the incident and stopped there (crashed); two copies join and surge meanwhile.
        await grouping.JoinAsync(leader, "complaint", HandoffIds.For(leader.Key), CancellationToken.None);
        await stage.ProcessAsync(MentionJson.Serialize(Copy(1, Complaint)), 1, CancellationToken.None);
        await stage.ProcessAsync(MentionJson.Serialize(Copy(2, Complaint)), 1, CancellationToken.None);
        Assert.Empty(await harness.HandoffRowsAsync());

        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(leader), 2, CancellationToken.None));

        var events = await harness.Services.GetRequiredService<HandoffWork>().EventsAsync(HandoffIds.For(leader.Key), CancellationToken.None);
        Assert.Single(events, e => e.GetString("Type") == WorkRules.Raised);
        Assert.Equal(3, (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(HandoffIds.For(leader.Key), CancellationToken.None))!.Count);
    }

    [Fact]
    public async Task Api_IncidentHandoff_QueueAndDetailShowCountReachAndMembersResolvedWithIt()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var stage = api.Harness.Services.GetRequiredService<ProcessMentionStage>();
        for (var i = 0; i < 4; i++)
        {
            await stage.ProcessAsync(MentionJson.Serialize(Copy(i, Variant(i))), 1, CancellationToken.None);
        }

        var handoff = Assert.Single(await api.Harness.HandoffRowsAsync());
        var id = handoff.PartitionKey;
        var team = handoff.GetString("Team")!;

        var queue = await api.GetAsync("mia", $"api/teams/{team}/handoffs");
        var card = Assert.Single(queue.Body!["items"]!.AsArray())!;
        Assert.Equal(4, (int)card["incident"]!["count"]!);
        Assert.Equal(1000 + 1001 + 1002 + 1003, (long)card["incident"]!["reach"]!);

        var resolved = await api.PostAsync("mia", $"api/handoffs/{id}/resolve", """{"note":"Refunds issued to everyone double-charged."}""");
        Assert.Equal(200, resolved.Status);

        var detail = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!;
        var members = detail["incident"]!["members"]!.AsArray();
        Assert.Equal(4, members.Count);
        Assert.All(members, m => Assert.Equal("resolved", (string?)m!["status"]));
        Assert.Equal("test:copy0", (string?)members[0]!["mentionKey"]);
        Assert.Equal("https://x.com/user_copy1/status/copy1", (string?)members[1]!["url"]);

        // A copy after the incident was resolved is news again: a handoff of its own.
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(Copy(9, Complaint)), 1, CancellationToken.None));
        Assert.Equal(2, (await api.Harness.HandoffRowsAsync()).Count);
    }

    [Fact]
    public async Task Api_SingleMentionHandoff_NoIncidentField()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("one", Complaint);

        var detail = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!;

        Assert.False(detail.AsObject().ContainsKey("incident"));
    }

    /// <summary>The complaint as copies of it come: other handles, numbers, links, emoji, case, a word more or less.</summary>
    private static string Variant(int i) => (i % 6) switch
    {
        0 => Complaint,
        1 => $"@user{i} {Complaint} https://t.co/x{i}",
        2 => Complaint.Replace("4821", (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).ToUpperInvariant(),
        3 => "RT @angry_" + i + ": " + Complaint + " 😡",
        4 => Complaint.Replace("nobody answers", "nobody ever answers", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal),
        _ => Complaint.Replace(" today", "", StringComparison.Ordinal) + " #fail",
    };

    private static MentionMessage Copy(int i, string text) => IncidentCopies.Copy(i, text);
}
