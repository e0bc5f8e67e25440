using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Integration.Tests.Incidents;

/// <summary>
/// Incident grouping with each instance's memory of the incidents it saw (IncidentCache), on Azurite:
/// two harnesses on one storage account are two instances of the app, each with its own memory. What
/// one instance remembers must never make it open a second incident, count a member twice or join a
/// resolved one, whatever the other instance did meanwhile.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IncidentCacheTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Complaint = "@ContosoBank I was charged twice for my debit card order #4821 and nobody answers the chat. I want a refund today.";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ProcessAsync_FiftyCopiesConcurrentlyOnTwoInstances_OneHandoffWithCountFifty()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stages = new[] { one, two }.Select(h => h.Services.GetRequiredService<ProcessMentionStage>()).ToArray();
        var copies = Enumerable.Range(0, 50).Select(i => Copy(i, Variant(i))).ToList();

        var outcomes = await Task.WhenAll(copies.Select((m, i) => Task.Run(() => stages[i % 2].ProcessAsync(MentionJson.Serialize(m), 1, CancellationToken.None))));

        Assert.Equal(1, outcomes.Count(o => o == ProcessOutcome.HandedOff));
        Assert.Equal(49, outcomes.Count(o => o == ProcessOutcome.JoinedIncident));
        var handoff = Assert.Single(await one.HandoffRowsAsync());
        Assert.Equal(50, (await CountAsync(one, handoff.PartitionKey)));

        // Every copy again, on the other instance than the first time: nothing counts twice.
        var again = await Task.WhenAll(copies.Select((m, i) => Task.Run(() => stages[(i + 1) % 2].ProcessAsync(MentionJson.Serialize(m), 2, CancellationToken.None))));

        Assert.All(again, o => Assert.Equal(ProcessOutcome.Duplicate, o));
        Assert.Single(await one.HandoffRowsAsync());
        Assert.Equal(50, await CountAsync(two, handoff.PartitionKey));
    }

    [Fact]
    public async Task JoinAsync_CopyOfATierThatOpensNothingOnAnInstanceThatNeverSawTheIncident_JoinsIt()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var leader = Copy(0, Complaint);
        Assert.Equal(ProcessOutcome.HandedOff, await one.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(leader), 1, CancellationToken.None));

        // "request" opens no incident, so its instance's empty memory cannot settle it: it looks in the table and joins.
        var copy = Copy(1, Variant(1));
        var decision = await two.Services.GetRequiredService<IncidentGrouping>().JoinAsync(copy, "request", HandoffIds.For(copy.Key), CancellationToken.None);

        Assert.Equal(IncidentRole.Joined, decision.Role);
        Assert.Equal(HandoffIds.For(leader.Key), decision.HandoffId);
        Assert.Equal(2, await CountAsync(one, decision.HandoffId));
    }

    [Fact]
    public async Task ProcessAsync_CopyOnAnInstanceThatNeverSawTheIncident_JoinsInsteadOfOpeningASecond()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await one.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);

        // Nothing in the second instance's memory: its open inserts the bands the first one holds, fails, and it looks.
        var outcome = await two.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(Copy(1, Variant(3))), 1, CancellationToken.None);

        Assert.Equal(ProcessOutcome.JoinedIncident, outcome);
        var handoff = Assert.Single(await one.HandoffRowsAsync());
        Assert.Equal(2, await CountAsync(two, handoff.PartitionKey));
    }

    [Fact]
    public async Task ProcessAsync_IncidentJoinedOnAnotherInstanceSinceRemembered_CountStaysExact()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var first = one.Services.GetRequiredService<ProcessMentionStage>();
        var second = two.Services.GetRequiredService<ProcessMentionStage>();
        await first.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        await first.ProcessAsync(MentionJson.Serialize(Copy(1, Variant(1))), 1, CancellationToken.None);

        // The other instance moves the incident on: the first one's remembered ETag is stale now.
        await second.ProcessAsync(MentionJson.Serialize(Copy(2, Variant(2))), 1, CancellationToken.None);
        await second.ProcessAsync(MentionJson.Serialize(Copy(3, Variant(3))), 1, CancellationToken.None);
        Assert.Equal(ProcessOutcome.JoinedIncident, await first.ProcessAsync(MentionJson.Serialize(Copy(4, Variant(4))), 1, CancellationToken.None));

        var handoff = Assert.Single(await one.HandoffRowsAsync());
        var incident = (await one.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!;
        Assert.Equal(5, incident.Count);
        Assert.Equal(Enumerable.Range(0, 5).Sum(i => 1000L + i), incident.Reach);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"test:copy{i}"), incident.Members.Select(m => m.MentionKey));
    }

    [Fact]
    public async Task ProcessAsync_IncidentResolvedOnAnotherInstanceSinceRemembered_CopyOpensANewHandoff()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var first = one.Services.GetRequiredService<ProcessMentionStage>();
        await first.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        await first.ProcessAsync(MentionJson.Serialize(Copy(1, Variant(1))), 1, CancellationToken.None);
        var id = Assert.Single(await one.HandoffRowsAsync()).PartitionKey;

        var resolved = await two.Services.GetRequiredService<HandoffWork>().ApplyAsync(id, new WorkCommand(WorkVerb.Resolve, "Refunded."), IncidentGrouping.Pipeline, null, CancellationToken.None);
        Assert.Null(resolved.Refusal);

        Assert.Equal(ProcessOutcome.HandedOff, await first.ProcessAsync(MentionJson.Serialize(Copy(2, Variant(2))), 1, CancellationToken.None));
        Assert.Equal(2, (await one.HandoffRowsAsync()).Count);
        Assert.Equal(2, await CountAsync(one, id));
    }

    [Fact]
    public async Task ProcessAsync_ComplaintNothingRemembersOnAWarmInstance_OpensWithoutALookInTheTable()
    {
        var counter = new CountingPolicy();
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, s => s.AddSingleton<HttpPipelinePolicy>(counter), Remembered, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);

        counter.Reset();
        var other = Copy(1, "@ContosoBank the courier left my parcel in the rain again and the tracking page has said delivered for four days");
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(other), 1, CancellationToken.None));

        // Four transactions: the incident's open, the handoff (with its incident mark), its index row, its volume rows. Nothing read in Incidents.
        Assert.Equal(0, counter.Count("GET Incidents"));
        Assert.Equal(4, counter.Count("POST $batch"));
    }

    [Fact]
    public async Task ProcessAsync_CopyOnAWarmInstance_JoinsWithOneTransactionOnly()
    {
        var counter = new CountingPolicy();
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, s => s.AddSingleton<HttpPipelinePolicy>(counter), Remembered, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        await stage.ProcessAsync(MentionJson.Serialize(Copy(1, Variant(1))), 1, CancellationToken.None);

        counter.Reset();
        Assert.Equal(ProcessOutcome.JoinedIncident, await stage.ProcessAsync(MentionJson.Serialize(Copy(2, Variant(2))), 1, CancellationToken.None));

        // The join (membership with the copy's ledger columns + the incident by its remembered ETag): no look-up, no read of the handoff, no ledger row of its own.
        Assert.Equal(["POST $batch"], counter.Requests.Order(StringComparer.Ordinal));
        Assert.Equal(3, await CountAsync(harness, Assert.Single(await harness.HandoffRowsAsync()).PartitionKey));
    }

    [Fact]
    public async Task ProcessAsync_LoneLeaderResolvedThenACopy_CopyOpensANewHandoff()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        await stage.ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var id = Assert.Single(await harness.HandoffRowsAsync()).PartitionKey;
        var resolved = await harness.Services.GetRequiredService<HandoffWork>().ApplyAsync(id, new WorkCommand(WorkVerb.Resolve, "Refunded."), IncidentGrouping.Pipeline, null, CancellationToken.None);
        Assert.Null(resolved.Refusal);

        // The incident this instance remembers from opening it was closed by the resolve: its ETag moved, the join reads it closed.
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(Copy(1, Variant(1))), 1, CancellationToken.None));

        Assert.Equal(2, (await harness.HandoffRowsAsync()).Count);
        Assert.Equal(1, await CountAsync(harness, id));
    }

    [Fact]
    public async Task JoinAsync_TierThatOpensNothingWithFreshMemoryAndNothingNear_NoStorageRequest()
    {
        var counter = new CountingPolicy();
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, s => s.AddSingleton<HttpPipelinePolicy>(counter), Remembered, withSample: false);
        var grouping = harness.Services.GetRequiredService<IncidentGrouping>();
        await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);

        counter.Reset();
        var question = Copy(1, "@ContosoBank is the new savings account available to students as well, and from what age?");
        var decision = await grouping.JoinAsync(question, "request", HandoffIds.For(question.Key), CancellationToken.None);

        Assert.Equal(IncidentRole.None, decision.Role);
        Assert.Empty(counter.Requests);
    }

    [Fact]
    public async Task JoinAsync_IncidentOpenedElsewhereAfterThisInstanceReadTheJournal_JoinedOnceMemoryIsNoLongerFresh()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, settings: new Dictionary<string, string?> { ["Incidents:MemoryFreshness"] = "00:00:00" }, withSample: false);
        var grouping = two.Services.GetRequiredService<IncidentGrouping>();
        var early = Copy(9, "@ContosoBank the courier left my parcel in the rain again and the tracking page has said delivered for four days");
        await grouping.JoinAsync(early, "complaint", HandoffIds.For(early.Key), CancellationToken.None);

        // Opened on the first instance after the second one read the journal; the second one's memory is not fresh (0): it reads again.
        await one.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(Copy(0, Complaint)), 1, CancellationToken.None);
        var copy = Copy(1, Variant(1));
        var decision = await grouping.JoinAsync(copy, "request", HandoffIds.For(copy.Key), CancellationToken.None);

        Assert.Equal(IncidentRole.Joined, decision.Role);
        Assert.Equal(2, await CountAsync(one, decision.HandoffId));
    }

    /// <summary>Memory counted fresh for the whole test, so a request count does not depend on how long a step took.</summary>
    private static Dictionary<string, string?> Remembered => new() { ["Incidents:MemoryFreshness"] = "00:01:00" };

    private static async Task<int> CountAsync(Harness harness, string handoffId) =>
        (await harness.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoffId, CancellationToken.None))!.Count;

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

    /// <summary>Counts the storage requests the app's clients send, as "METHOD path" (a query's path ends in "()").</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private ConcurrentQueue<string> _requests = new();

        public IReadOnlyCollection<string> Requests => _requests;

        public int Count(string prefix) => _requests.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

        public void Reset() => _requests = new ConcurrentQueue<string>();

        public override void OnSendingRequest(HttpMessage message)
        {
            var path = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            _requests.Enqueue($"{message.Request.Method} {(path.Length > 1 ? Uri.UnescapeDataString(path[1]) : "?")}");
        }
    }
}
