using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class PipelineTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(3);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RunOnce_SampleSet_EveryMentionHandedOffOnItsTeamQueue()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);

        var ingest = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        var expected = Harness.SampleCount;
        Assert.True(expected >= 200, $"the sample set has {expected} mentions");
        Assert.True(ingest.Succeeded);
        Assert.Equal(expected, ingest.Enqueued);
        Assert.True(summary.Complete);
        var handoffs = await harness.HandoffRowsAsync();

        // Copies of one complaint (the sample's echoes) are one incident's handoff; the others each have their own.
        var joined = await harness.JoinedIncidentsAsync();
        Assert.Equal(joined, summary.JoinedIncidents);
        Assert.True(joined > 0, "the sample's echoed complaints form an incident");
        Assert.Equal(expected, handoffs.Count + joined);
        Assert.Equal(handoffs.Count, handoffs.Select(h => h.GetString("MentionKey")).Distinct().Count());
        Assert.Equal(handoffs.Count, (await harness.EventRowsAsync()).Count(e => e.GetString("Type") == "Created"));

        // Every handed-off mention has its ledger row in its own handoff's partition; a joined one is recorded on its incident membership row.
        var ledger = await harness.LedgerRowsAsync();
        Assert.Equal(handoffs.Count, ledger.Count);
        Assert.Equal(joined, (await harness.JoinedRecordsAsync()).Count);
        Assert.Equal(handoffs.Select(h => h.PartitionKey).Order(), (await harness.IndexRowsAsync()).Select(r => r.GetString("HandoffId")).Order());
        Assert.Empty(await harness.RowsAsync(StorageNames.HandoffEventsTable));
        Assert.Empty(await harness.RowsAsync(StorageNames.MentionsTable));
        Assert.Empty(await harness.RowsAsync(StorageNames.DeadLettersTable));

        foreach (var team in handoffs.GroupBy(h => h.GetString("Team")!))
        {
            Assert.Equal(team.Count(), await harness.QueueLengthAsync(StorageNames.TeamQueue(team.Key)));
        }

        Assert.Equal(handoffs.Count, await harness.TeamMessagesAsync());
        Assert.Contains(handoffs, h => h.GetString("Team") == "crisis");
        Assert.Contains(handoffs, h => h.GetString("Team") == "billing");
        Assert.Contains(handoffs, h => h.GetString("Team") == "care");
        Assert.Equal(
            expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
            await harness.Services.GetRequiredService<IWatermarkStore>().GetAsync("file:sample", CancellationToken.None));
    }

    [Fact]
    public async Task CreateHandoff_SeedPolicySet_DueTimesInBusinessTimeFromFakeClock()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        var handoffs = await harness.HandoffRowsAsync();
        var book = await harness.Services.GetRequiredService<Core.Policies.LivePolicies>().GetSlaAsync(CancellationToken.None);
        foreach (var handoff in handoffs)
        {
            var priority = handoff.GetString("Priority")!;
            var sla = book.Resolve(handoff.GetString("Team")!, priority);
            // No seed rule sets a priority, so each one is the severity tier's, and the route says so.
            // A surging incident's handoff was raised one step after it was created, and its reasons say so.
            var why = handoff.GetString("RuleWhy")!;
            Assert.True(why.Contains($"{priority} from severity: ", StringComparison.Ordinal) || why.Contains($"raised to {priority}: incident surge", StringComparison.Ordinal), why);
            Assert.Equal(sla.Name, handoff.GetString("SlaPolicy"));
            Assert.Equal(Harness.Start, handoff.GetDateTimeOffset("CreatedAt"));
            Assert.Equal(sla.Calendar.AddBusinessTime(Harness.Start, sla.FirstResponse), handoff.GetDateTimeOffset("FirstResponseDueAt"));
            Assert.Equal(sla.Calendar.AddBusinessTime(Harness.Start, sla.Resolution), handoff.GetDateTimeOffset("ResolutionDueAt"));
            Assert.Equal(HandoffStore.StatusOpen, handoff.GetString("Status"));
            Assert.NotNull(JsonDocument.Parse(handoff.GetString("Reasons")!));
        }

        Assert.Contains(handoffs, h => h.GetString("Priority") == "P1");
        Assert.Contains(handoffs, h => h.GetString("Priority") == "P4");
    }

    [Fact]
    public async Task Redeliver_EveryMessage_NoSecondHandoff()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var teamMessagesBefore = await harness.TeamMessagesAsync();

        var queue = harness.Services.GetRequiredService<IMentionQueue>();
        foreach (var mention in await harness.SampleMentionsAsync())
        {
            await queue.EnqueueAsync(mention with { CorrelationId = "redelivery" }, CancellationToken.None);
        }

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        var handoffs = Harness.SampleCount - await harness.JoinedIncidentsAsync();
        Assert.Equal(handoffs, (await harness.HandoffRowsAsync()).Count);
        Assert.Equal(handoffs, (await harness.EventRowsAsync()).Count(e => e.GetString("Type") == "Created"));
        Assert.Equal(handoffs, (await harness.IndexRowsAsync()).Count);
        Assert.Equal(Harness.SampleCount, summary.Duplicates);
        Assert.Equal(teamMessagesBefore, await harness.TeamMessagesAsync());
    }

    [Fact]
    public async Task Process_ErrorRecordedBeforeTheHandoff_RedeliveryClaimsTheLedgerRowAndCompletes()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        var mention = (await harness.SampleMentionsAsync())[0];
        var handoffId = HandoffIds.For(mention.Key);
        // The first delivery failed before its transaction and recorded why: the ledger row alone is there.
        await harness.Services.GetRequiredService<MentionLedger>().RecordErrorAsync(mention, "TimeoutException: storage was slow", CancellationToken.None);

        var outcome = await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 2, CancellationToken.None);

        Assert.Equal(ProcessOutcome.HandedOff, outcome);
        var handoff = (await harness.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(handoffId, HandoffStore.HandoffRowKey)).Value;
        Assert.True((await harness.Table(StorageNames.HandoffsTable).GetEntityIfExistsAsync<TableEntity>(handoffId, HandoffStore.CreatedEventRowKey)).HasValue);
        var ledger = Assert.Single(await harness.LedgerRowsAsync());
        Assert.Equal("TimeoutException: storage was slow", ledger.GetString("LastError"));
        Assert.True(MentionJson.TryParse(ledger.GetString("Body"), out _, out _));
        var team = handoff.GetString("Team")!;
        Assert.Equal(1, await harness.QueueLengthAsync(StorageNames.TeamQueue(team)));
        Assert.Equal(ProcessOutcome.Duplicate, await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        Assert.Equal(1, await harness.QueueLengthAsync(StorageNames.TeamQueue(team)));
    }

    [Fact]
    public async Task Process_CrashAfterTheTeamMessageBeforeTheIndexRow_RedeliveryIndexesIt()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        var mention = (await harness.SampleMentionsAsync())[0];
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        var row = Assert.Single(await harness.IndexRowsAsync());

        // As if the process died after sending and before the index row (its claim long expired by the redelivery).
        await harness.Table(StorageNames.HandoffIndexTable).DeleteEntityAsync(row.PartitionKey, row.RowKey);
        harness.Clock.Advance(HandoffStore.TeamMessageLease);

        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(mention), 2, CancellationToken.None));
        Assert.Equal(row.RowKey, Assert.Single(await harness.IndexRowsAsync()).RowKey);
        Assert.Equal(ProcessOutcome.Duplicate, await stage.ProcessAsync(MentionJson.Serialize(mention), 3, CancellationToken.None));
        Assert.Single(await harness.HandoffRowsAsync());
    }

    [Fact]
    public async Task Process_CrashAfterHandoffTransaction_RedeliverySendsTheMessageKeepsDueTimes()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        var mention = (await harness.SampleMentionsAsync())[1];
        var handoffId = HandoffIds.For(mention.Key);
        var first = new NewHandoff(handoffId, mention.Key, mention.CorrelationId, "care", "default", "P3", 40, "Negative", -0.5, [], mention.Text, "en", null, null, null,
            mention.PostedAt, Harness.Start, Harness.Start.AddHours(4), Harness.Start.AddHours(24));
        await harness.Services.GetRequiredService<HandoffStore>().CreateAsync(first, CancellationToken.None);
        harness.Clock.Advance(TimeSpan.FromMinutes(30));

        await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 2, CancellationToken.None);

        var message = (await harness.Queue("team-care").ReceiveMessageAsync()).Value;
        var sent = HandoffIds.Deserialize(message.Body.ToString())!;
        Assert.Equal(handoffId, sent.HandoffId);
        Assert.Equal(Harness.Start.AddHours(4), sent.FirstResponseDueAt);
        Assert.Single(await harness.HandoffRowsAsync());
        Assert.Single(await harness.EventRowsAsync());
    }

    [Fact]
    public async Task Drain_MalformedAndAlwaysFailingMessages_EndInDeadLettersWithReasons()
    {
        var mentions = (await ReadSampleAsync()).Take(20).ToList();
        var failing = mentions[7];
        await using var harness = await Harness.CreateAsync(
            azurite.ConnectionString,
            services => services.AddSingleton<IRouter>(sp => new ThrowingRouter(failing.Key, ActivatorUtilities.CreateInstance<RuleRouter>(sp))));
        var raw = harness.Queue(StorageNames.MentionsIncomingQueue);
        var queue = harness.Services.GetRequiredService<IMentionQueue>();
        foreach (var mention in mentions)
        {
            await queue.EnqueueAsync(mention, CancellationToken.None);
        }

        const string notJson = "{ this is not json";
        var wrongVersion = MentionJson.Serialize(mentions[0] with { SchemaVersion = 99, Id = "v99" });
        await raw.SendMessageAsync(notJson);
        await raw.SendMessageAsync(wrongVersion);

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);
        var deadLetters = await harness.RowsAsync(StorageNames.DeadLettersTable);

        Assert.Equal(3, deadLetters.Count);
        var failed = Assert.Single(deadLetters, d => d.GetString("MentionKey") == failing.Key);
        Assert.Contains("router exploded", failed.GetString("Reason"), StringComparison.Ordinal);
        Assert.Contains(StorageNames.MentionsPoisonQueue, failed.GetString("Reason"), StringComparison.Ordinal);
        Assert.Equal(failing.Key, MentionJson.TryParse(Core.DeadLetters.DeadLetterStore.ReadBody(failed), out var body, out _) ? body.Key : null);
        var malformed = Assert.Single(deadLetters, d => Core.DeadLetters.DeadLetterStore.ReadBody(d) == notJson);
        Assert.Contains("not a valid mention", malformed.GetString("Reason"), StringComparison.Ordinal);
        var versioned = Assert.Single(deadLetters, d => Core.DeadLetters.DeadLetterStore.ReadBody(d) == wrongVersion);
        Assert.Contains("schemaVersion 99", versioned.GetString("Reason"), StringComparison.Ordinal);

        var handoffs = await harness.HandoffRowsAsync();
        Assert.Equal(mentions.Count + 2, handoffs.Count + await harness.JoinedIncidentsAsync() + deadLetters.Count);
        // Enqueued here, not by this run's ingest: counted as other messages, each once.
        Assert.Equal(mentions.Count - 1, summary.OtherHandedOff);
        Assert.Equal(3, summary.OtherDeadLetters);
        Assert.Equal(0, summary.Ingested);
        Assert.Equal(0, summary.QueuedMessages);
        Assert.Equal(MentionLedger.DeadLettered, (await harness.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(HandoffIds.For(failing.Key), HandoffRow.LedgerRowKey)).Value.GetString("Status"));
    }

    [Fact]
    public async Task Ingest_EnqueueFailsOnNth_WatermarkUnchangedAndRerunFetchesTheRest()
    {
        var failOn = 120;
        FailingMentionQueue? failingQueue = null;
        await using var harness = await Harness.CreateAsync(
            azurite.ConnectionString,
            services => services.AddSingleton<IMentionQueue>(sp => failingQueue = new FailingMentionQueue(
                ActivatorUtilities.CreateInstance<StorageMentionQueue>(sp), failOn)));
        var watermarks = harness.Services.GetRequiredService<IWatermarkStore>();

        var first = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);

        Assert.False(first.Succeeded);
        Assert.Contains("enqueue number 120", first.Sources[0].Error, StringComparison.Ordinal);
        Assert.Null(await watermarks.GetAsync("file:sample", CancellationToken.None));
        Assert.True(first.Enqueued < Harness.SampleCount);

        failingQueue!.FailOn = null;
        var second = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        Assert.True(second.Succeeded);
        Assert.Equal(Harness.SampleCount, second.Enqueued);
        Assert.Equal(Harness.SampleCount.ToString(System.Globalization.CultureInfo.InvariantCulture), await watermarks.GetAsync("file:sample", CancellationToken.None));
        Assert.Equal(Harness.SampleCount, (await harness.HandoffRowsAsync()).Count + await harness.JoinedIncidentsAsync());
        var third = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        Assert.Equal(0, third.Enqueued);
    }

    private static async Task<IReadOnlyList<MentionMessage>> ReadSampleAsync() =>
        (await new Core.Ingestion.Files.FileMentionSource(new() { Name = "sample", Path = Harness.SamplePath }).FetchAsync(null, CancellationToken.None)).Mentions;

    /// <summary>Our own port, faked: routes as configured but throws for one mention, every time.</summary>
    private sealed class ThrowingRouter(string failingKey, IRouter inner) : IRouter
    {
        public Task<IReadOnlyCollection<string>> GetTeamsAsync(CancellationToken cancellationToken) => inner.GetTeamsAsync(cancellationToken);

        public Task<RouteDecision> RouteAsync(MentionMessage mention, MentionScore score, CancellationToken cancellationToken) =>
            mention.Key == failingKey ? throw new InvalidOperationException("router exploded") : inner.RouteAsync(mention, score, cancellationToken);
    }
}
