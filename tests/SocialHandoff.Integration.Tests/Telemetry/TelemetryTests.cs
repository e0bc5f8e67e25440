using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Telemetry;
using SocialHandoff.Core.Work;
using static SocialHandoff.Core.Telemetry.SocialHandoffTelemetry;

namespace SocialHandoff.Integration.Tests.Telemetry;

/// <summary>
/// The meter and spans as an exporter receives them (OpenTelemetry's in-memory exporter), for the
/// pipeline on Azurite. The meter is process-wide, so this collection runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "telemetry";
}

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private const string CrisisText = "Got food poisoning after lunch at @contoso yesterday";
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(2);

    private readonly TelemetryCapture _capture = new();
    private readonly List<string> _files = [];

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _capture.Dispose();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task IngestAndProcess_SampleMentions_HandedOffCountedPerTeamAndPriorityWithPostingToHandoffTimes()
    {
        await using var harness = await ExportHarnessAsync(File.ReadLines(Harness.SamplePath).Take(40));

        var ingest = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        var source = Assert.Single(ingest.Sources).Source;
        Assert.Equal(40, ingest.Enqueued);
        Assert.Equal(40, _capture.Sum(Instruments.MentionsIngested, (Tags.Source, source)));
        var handoffs = (await harness.HandoffRowsAsync()).Where(r => r.RowKey == HandoffStore.HandoffRowKey).ToList();
        Assert.Equal(40, handoffs.Count);
        var groups = handoffs.GroupBy(h => (Team: h.GetString("Team"), Priority: h.GetString("Priority"))).ToList();
        Assert.True(groups.Count > 1, "the sample should reach more than one team and priority");
        foreach (var group in groups)
        {
            var tags = new[] { (Tags.Team, group.Key.Team), (Tags.Priority, group.Key.Priority) };
            Assert.Equal(group.Count(), _capture.Sum(Instruments.HandoffsCreated, tags));
            var (count, sum) = _capture.Histogram(Instruments.HandoffLatency, tags);
            Assert.Equal(group.Count(), count);
            var expected = group.Sum(h => (h.GetDateTimeOffset("CreatedAt")!.Value - h.GetDateTimeOffset("PostedAt")!.Value).TotalSeconds);
            Assert.Equal(expected, sum, 3);
        }

        Assert.Equal(40, _capture.Sum(Instruments.HandoffsCreated));
        Assert.Equal(0, _capture.Sum(Instruments.SourceErrors));
        Assert.Equal(TimeBuckets, _capture.Buckets(Instruments.HandoffLatency));
    }

    [Fact]
    public async Task IngestAndProcess_EachMention_OneTraceFromEnqueueThroughProcessingToTheTeamQueue()
    {
        await using var harness = await ExportHarnessAsync(File.ReadLines(Harness.SamplePath).Take(6));

        await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        var ingestSpan = Assert.Single(_capture.Spans("IngestSource"));
        var enqueued = _capture.Spans("EnqueueMention");
        var processed = _capture.Spans("ProcessMention");
        var sends = _capture.Spans("SendToTeamQueue");
        Assert.Equal(6, enqueued.Count);
        Assert.Equal(6, processed.Count);
        Assert.Equal(6, enqueued.Select(s => s.TraceId).Distinct().Count());
        foreach (var enqueue in enqueued)
        {
            // A root of its own trace, linked to the run that fetched it.
            Assert.Equal(default, enqueue.ParentSpanId);
            Assert.NotEqual(ingestSpan.TraceId, enqueue.TraceId);
            Assert.Contains(enqueue.Links, l => l.Context.SpanId == ingestSpan.SpanId);
            var key = (string?)enqueue.GetTagItem("socialhandoff.mention.key");
            var process = Assert.Single(processed, p => (string?)p.GetTagItem("socialhandoff.mention.key") == key);
            Assert.Equal(enqueue.TraceId, process.TraceId);
            Assert.Equal(enqueue.SpanId, process.ParentSpanId);
            Assert.Equal(nameof(ProcessOutcome.HandedOff), process.GetTagItem("socialhandoff.outcome"));
            var send = Assert.Single(sends, s => s.ParentSpanId == process.SpanId);
            Assert.Equal(process.TraceId, send.TraceId);
            var teamQueue = (string)send.GetTagItem("messaging.destination.name")!;
            Assert.StartsWith(StorageNames.TeamQueuePrefix, teamQueue, StringComparison.Ordinal);

            // The team message carries the same trace on, for whatever reads the team's queue.
            var handoffId = (string)process.GetTagItem("socialhandoff.handoff.id")!;
            var message = (await harness.Queue(teamQueue).PeekMessagesAsync(32)).Value
                .Select(m => System.Text.Json.Nodes.JsonNode.Parse(m.Body.ToString())!)
                .Single(m => (string?)m["handoffId"] == handoffId);
            Assert.Equal($"00-{send.TraceId}-{send.SpanId}-01", (string?)message["traceParent"]);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a traceparent")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    public async Task ProcessAsync_NoOrMalformedTraceParent_HandedOffInANewTrace(string? traceParent)
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var body = MentionJson.Serialize(Mention("old", "@contoso is the new autumn menu vegetarian friendly?") with { TraceParent = traceParent });
        if (traceParent is null)
        {
            Assert.DoesNotContain("traceParent", body, StringComparison.Ordinal);
        }

        var outcome = await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(body, 1, CancellationToken.None);

        Assert.Equal(ProcessOutcome.HandedOff, outcome);
        var span = Assert.Single(_capture.Spans("ProcessMention"));
        Assert.Equal(default, span.ParentSpanId);
        Assert.NotEqual(default, span.TraceId);
    }

    [Fact]
    public async Task ProcessAsync_TraceParentInTheBody_ProcessingContinuesThatTrace()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var body = MentionJson.Serialize(Mention("tp", CrisisText) with { TraceParent = $"00-{traceId}-{parent}-01" });

        await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(body, 1, CancellationToken.None);

        var span = Assert.Single(_capture.Spans("ProcessMention"));
        Assert.Equal(traceId, span.TraceId);
        Assert.Equal(parent, span.ParentSpanId);
        Assert.True(span.HasRemoteParent);
        Assert.Equal(1, _capture.Sum(Instruments.HandoffsCreated, (Tags.Team, "crisis")));
    }

    [Fact]
    public async Task Sweep_ThroughWarningBreachAndEscalations_EachCountedOncePerTeamAndClock()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await ProcessAsync(harness, Mention("sla", CrisisText));
        var sweep = harness.Services.GetRequiredService<SlaSweepStage>();

        foreach (var minutes in new[] { 7, 7, 10, 10, 25, 55, 55 })
        {
            harness.Clock.SetUtcNow(Harness.Start.AddMinutes(minutes));
            await sweep.RunAsync(CancellationToken.None);
        }

        var firstResponse = new[] { (Tags.Team, "crisis"), (Tags.Clock, HandoffSla.Key(ClockKind.FirstResponse)) };
        Assert.Equal(1, _capture.Sum(Instruments.SlaWarnings, firstResponse));
        Assert.Equal(1, _capture.Sum(Instruments.SlaBreaches, firstResponse));
        Assert.Equal(2, _capture.Sum(Instruments.SlaEscalations, firstResponse));
        Assert.Equal(1, _capture.Sum(Instruments.SlaBreaches));
        Assert.Equal(7, _capture.Spans("SlaSweep").Count);
    }

    [Fact]
    public async Task Sweep_WebhookUnreachable_FailureCountedPerTeamAndKind()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?>
        {
            ["Sla:Teams:crisis:Webhooks:0:Kind"] = "Teams",
            ["Sla:Teams:crisis:Webhooks:0:Url"] = $"http://127.0.0.1:{ClosedPort()}/teams",
            ["Sla:Webhooks:MaxRetryAttempts"] = "0",
        });
        await ProcessAsync(harness, Mention("hook", CrisisText));
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(10));

        var result = await harness.Services.GetRequiredService<SlaSweepStage>().RunAsync(CancellationToken.None);

        Assert.True(result.Failed > 0);
        Assert.Equal(result.Failed, _capture.Sum(Instruments.WebhookFailures, (Tags.Team, "crisis"), (Tags.Kind, "Teams")));
    }

    [Fact]
    public async Task DeadLetters_EachReasonKind_CountedOncePerRecordByItsKind()
    {
        var good = File.ReadLines(Harness.SamplePath).First();
        await using var harness = await ExportHarnessAsync([good, "{ this line is not JSON", good.Replace("\"id\": \"", "\"id\": \"x", StringComparison.Ordinal)]);
        var process = harness.Services.GetRequiredService<ProcessMentionStage>();
        var poison = harness.Services.GetRequiredService<RecordDeadLetterStage>();

        var ingest = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await process.ProcessAsync("{ not a mention", 1, CancellationToken.None);
        await process.ProcessAsync("{ not a mention", 2, CancellationToken.None);
        await poison.RecordAsync(MentionJson.Serialize(Mention("poisoned", CrisisText)), 5, CancellationToken.None);
        await poison.RecordAsync(MentionJson.Serialize(Mention("poisoned", CrisisText)), 5, CancellationToken.None);
        await poison.RecordUndecodableAsync(StorageNames.MentionsIncomingQueue, "%%% not base64", 1, CancellationToken.None);

        Assert.Equal(1, ingest.DeadLettered);
        Assert.Equal(1, _capture.Sum(Instruments.DeadLetters, (Tags.Reason, DeadLetterReasons.IngestReject)));
        Assert.Equal(1, _capture.Sum(Instruments.DeadLetters, (Tags.Reason, DeadLetterReasons.Unreadable)));
        Assert.Equal(1, _capture.Sum(Instruments.DeadLetters, (Tags.Reason, DeadLetterReasons.Poisoned)));
        Assert.Equal(1, _capture.Sum(Instruments.DeadLetters, (Tags.Reason, DeadLetterReasons.Undecodable)));
        Assert.Equal(4, (await harness.RowsAsync(StorageNames.DeadLettersTable)).Count);
        Assert.All(_capture.TagSets(Instruments.DeadLetters), tags => Assert.Contains(tags[Tags.Reason], DeadLetterReasons.All));
    }

    [Fact]
    public async Task Respond_FirstResponse_TimeFromHandoffRecordedOnceWithTeamAndPriority()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var handoff = await ProcessAsync(harness, Mention("reply", CrisisText));
        var work = harness.Services.GetRequiredService<HandoffWork>();
        var manager = new Caller("mia", [Caller.ManagerRole]);

        harness.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Null((await work.ApplyAsync(handoff.PartitionKey, new WorkCommand(WorkVerb.Respond, "On it"), manager, null, CancellationToken.None)).Refusal);
        harness.Clock.Advance(TimeSpan.FromSeconds(60));
        await work.ApplyAsync(handoff.PartitionKey, new WorkCommand(WorkVerb.Respond, "Still on it"), manager, null, CancellationToken.None);

        var (count, sum) = _capture.Histogram(Instruments.FirstResponseTime, (Tags.Team, "crisis"), (Tags.Priority, handoff.GetString("Priority")!));
        Assert.Equal(1, count);
        Assert.Equal(90, sum, 3);
    }

    [Fact]
    public async Task HandleAsync_ApiActions_OneSpanEachNamedByRouteTemplateWithStatus()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var handoff = await ProcessAsync(harness, Mention("api", CrisisText));
        var api = harness.Services.GetRequiredService<WorkApi>();

        var found = await api.HandleAsync(Request("GET", $"/api/handoffs/{handoff.PartitionKey}"), CancellationToken.None);
        var missing = await api.HandleAsync(Request("GET", "/api/handoffs/h-nope"), CancellationToken.None);
        var claimed = await api.HandleAsync(Request("POST", $"/api/handoffs/{handoff.PartitionKey}/claim", "{}"), CancellationToken.None);

        Assert.Equal(200, found.Status);
        var reads = _capture.Spans("GET /api/handoffs/{id}");
        Assert.Equal(2, reads.Count);
        Assert.Equal([found.Status, missing.Status], reads.Select(s => (int)s.GetTagItem("http.response.status_code")!).Order());
        Assert.All(reads, s => Assert.Equal("/api/handoffs/{id}", s.GetTagItem("http.route")));
        var claim = Assert.Single(_capture.Spans("POST /api/handoffs/{id}/claim"));
        Assert.Equal(claimed.Status, claim.GetTagItem("http.response.status_code"));
        Assert.DoesNotContain(_capture.Spans("ProcessMention").Concat(reads), s => s.DisplayName.Contains(handoff.PartitionKey, StringComparison.Ordinal));
    }

    private static ApiRequest Request(string method, string path, string? body = null) =>
        new(method, path, new Dictionary<string, string>(), h => h switch
        {
            WorkApi.DevUserHeader => "mia",
            "Content-Type" => body is null ? null : "application/json",
            _ => null,
        }, _ => null, body);

    private async Task<Harness> ExportHarnessAsync(IEnumerable<string> lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"telemetry-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        _files.Add(path);
        return await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?>
        {
            ["Sources:Files:Exports:0:Name"] = "telemetry",
            ["Sources:Files:Exports:0:Path"] = path,
        });
    }

    private static MentionMessage Mention(string id, string text) => new(
        MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", 120, false),
        text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", Harness.Start.AddMinutes(-30), "contoso");

    private static async Task<TableEntity> ProcessAsync(Harness harness, MentionMessage mention)
    {
        Assert.Equal(ProcessOutcome.HandedOff, await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        return (await harness.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(HandoffIds.For(mention.Key), HandoffStore.HandoffRowKey)).Value;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
