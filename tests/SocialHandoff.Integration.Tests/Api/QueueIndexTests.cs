using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// The teams' queue index on Azurite: it follows every action, its counts stay exact through repeats,
/// a repair rebuilds it, and a page or a new handoff costs a fixed number of storage requests
/// (counted in the SDK pipeline, as the benchmarks count them).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueueIndexTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string CareText = "@contoso is the new autumn menu vegetarian friendly?";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Actions_ClaimRespondPauseResolveReassign_IndexRowFollowsAndCountsStayExact()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("i1", CareText);
        var other = await api.HandOffAsync("i2", CareText + " again");
        await AssertIndexedAsync(api, id, "care|open");

        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/claim")).Status);
        await AssertIndexedAsync(api, id, "care|open");
        Assert.Equal([id], await IdsAsync(api, "care", "status=claimed"));

        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/respond", """{"reply":"Sorry, a new one is on its way."}""")).Status);
        var responded = await AssertIndexedAsync(api, id, "care|open");
        Assert.Equal(HandoffIndex.KeyOf(await StoredAsync(api, id)).Row, responded.RowKey);

        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/pause")).Status);
        Assert.Equal([id], await IdsAsync(api, "care", "status=waiting"));
        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/resume")).Status);
        Assert.Empty(await IdsAsync(api, "care", "status=waiting"));

        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/resolve", """{"note":"done"}""")).Status);
        await AssertIndexedAsync(api, id, "care|resolved");
        Assert.Equal([other], await IdsAsync(api, "care", "status=open"));
        Assert.Equal([id], await IdsAsync(api, "care", "status=resolved"));
        Assert.Equal(2, (int)(await api.GetAsync("ana", "api/teams/care/handoffs?status=all")).Body!["total"]!);

        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{other}/reassign", """{"team":"billing"}""")).Status);
        await AssertIndexedAsync(api, other, "billing|open");
        Assert.Empty(await IdsAsync(api, "care", "status=open"));
        Assert.Equal([other], await IdsAsync(api, "billing", "status=open"));

        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();
        Assert.Equal(0, await index.CountAsync("care|open", CancellationToken.None));
        Assert.Equal(1, await index.CountAsync("care|resolved", CancellationToken.None));
        Assert.Equal(1, await index.CountAsync("billing|open", CancellationToken.None));
    }

    [Fact]
    public async Task MoveAsync_RepeatedAfterACrash_OneRowAndCountsUnchanged()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("r1", CareText);
        var before = await StoredAsync(api, id);
        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/resolve", """{"note":"done"}""")).Status);
        var after = await StoredAsync(api, id);
        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();

        // The finishing of the action runs again (a reader took over after a crash), twice.
        await index.MoveAsync(HandoffIndex.KeyOf(before), after, null, CancellationToken.None);
        await index.MoveAsync(HandoffIndex.KeyOf(before), after, null, CancellationToken.None);

        Assert.Single(await api.Harness.IndexRowsAsync(), r => r.GetString("HandoffId") == id);
        Assert.Equal(0, await index.CountAsync("care|open", CancellationToken.None));
        Assert.Equal(1, await index.CountAsync("care|resolved", CancellationToken.None));
    }

    [Fact]
    public async Task RepairAsync_RowsLostAndCountWrong_RebuiltFromTheHandoffs()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await api.HandOffAsync($"rp{i}", CareText + " #" + i));
        }

        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        var rows = await api.Harness.IndexRowsAsync();
        await table.DeleteEntityAsync(rows[0].PartitionKey, rows[0].RowKey);
        await table.DeleteEntityAsync(rows[1].PartitionKey, rows[1].RowKey);
        await table.UpsertEntityAsync(new TableEntity("care|open", "9-999999999999-h-stale") { ["HandoffId"] = "h-stale", ["Team"] = "care" });
        await table.UpsertEntityAsync(new TableEntity("care|open", HandoffIndex.CountRowKey) { ["Count"] = 42 });
        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();
        var due = api.Harness.Services.GetRequiredService<SlaDueIndex>();

        var changed = await index.RepairAsync("care", async (h, ct) => h.Sla is { } sla ? await due.CalendarAsync(sla, ct) : null, CancellationToken.None);

        Assert.Equal(3, changed);
        Assert.Equal(ids.Order(), (await api.Harness.IndexRowsAsync()).Select(r => r.GetString("HandoffId")).Order());
        Assert.Equal(5, await index.CountAsync("care|open", CancellationToken.None));
        Assert.Equal(5, (int)(await api.GetAsync("ana", "api/teams/care/handoffs?pageSize=2")).Body!["total"]!);

        // The SLA due rows in the same partitions are the sweep's, not the queue's: the repair leaves them.
        Assert.Equal(10, (await api.Harness.RowsAsync(StorageNames.HandoffIndexTable)).Count(r => r.RowKey.StartsWith(SlaDueIndex.RowPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Repair_RowWrittenBeforeTheClocksAtRiskWindows_RewrittenSoTheAtRiskReportFindsIt()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.HandOffAsync("aw1", CareText);
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        var row = Assert.Single(await api.Harness.IndexRowsAsync());
        Assert.NotNull(row.GetDateTimeOffset("FirstResponseAtRiskFrom"));
        var old = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row.Where(p => !p.Key.EndsWith("AtRiskFrom", StringComparison.Ordinal) || p.Key == "AtRiskFrom").Where(p => !p.Key.EndsWith("AtRiskUntil", StringComparison.Ordinal)))
        {
            if (name is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey"))
            {
                old[name] = value;
            }
        }

        await table.UpsertEntityAsync(old, TableUpdateMode.Replace);
        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();
        var due = api.Harness.Services.GetRequiredService<SlaDueIndex>();

        var changed = await index.RepairAsync("care", async (h, ct) => h.Sla is { } sla ? await due.CalendarAsync(sla, ct) : null, CancellationToken.None);
        var again = await index.RepairAsync("care", async (h, ct) => h.Sla is { } sla ? await due.CalendarAsync(sla, ct) : null, CancellationToken.None);

        Assert.NotNull((await table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey)).Value.GetDateTimeOffset("FirstResponseAtRiskFrom"));
        Assert.Equal((1, 0), (changed, again));
        Assert.Equal(1, await index.CountAsync("care|open", CancellationToken.None));
    }

    [Fact]
    public async Task RepairRoute_ManagerAfterALostIndexRow_RebuildsAgentIsRefused()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("rr1", CareText);
        var row = Assert.Single(await api.Harness.IndexRowsAsync());
        await api.Harness.Table(StorageNames.HandoffIndexTable).DeleteEntityAsync(row.PartitionKey, row.RowKey);

        Assert.Equal(403, (await api.PostAsync("ana", "api/teams/care/queue-index/repair")).Status);
        Assert.Equal(405, (await api.GetAsync("mia", "api/teams/care/queue-index/repair")).Status);
        var repaired = await api.PostAsync("mia", "api/teams/care/queue-index/repair");

        Assert.Equal(200, repaired.Status);
        Assert.Equal(1, (int)repaired.Body!["changed"]!);
        Assert.Equal(1, (int)repaired.Body!["open"]!);
        Assert.Equal([id], await IdsAsync(api, "care", "status=open"));
        Assert.Equal(0, (int)(await api.PostAsync("mia", "api/teams/care/queue-index/repair")).Body!["changed"]!);
    }

    [Fact]
    public async Task Queue_UnfilteredPageOfALongQueue_AtMostThreeStorageRequests()
    {
        var counter = new CountingPolicy();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var store = api.Harness.Services.GetRequiredService<HandoffStore>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 120), async (i, ct) =>
        {
            var key = $"test:long-{i}";
            var created = await store.CreateAsync(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", $"P{1 + (i % 4)}", i % 100, "Negative", -0.5, [], "text", "en", null, null, null,
                    Harness.Start, Harness.Start, Harness.Start.AddMinutes(30 + i), Harness.Start.AddHours(8)),
                ct);
            await store.SendToTeamAsync(created, ct);
        });
        await api.GetAsync("ana", "api/teams/care/handoffs");

        foreach (var query in new[] { "", "?page=3", "?pageSize=100" })
        {
            counter.Reset();
            var page = (await api.GetAsync("ana", "api/teams/care/handoffs" + query)).Body!;
            Assert.Equal(120, (int)page["total"]!);

            // The count row and the range read; none of these handoffs leads an incident, so nothing is read in Incidents.
            Assert.True(counter.Tables <= 3, $"{query}: {counter.Tables} table requests");
            Assert.DoesNotContain("GET Incidents", counter.Requests);
        }
    }

    [Fact]
    public async Task Queue_PageOfUpToFourteenIncidentCardsOfOneBrand_AtMostThreeStorageRequests()
    {
        var counter = new CountingPolicy();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var stage = api.Harness.Services.GetRequiredService<ProcessMentionStage>();
        for (var i = 0; i < 14; i++)
        {
            // Fourteen complaints (the place differs, so they are not copies of each other), each with two copies: the incidents of one query.
            var text = $"@ContosoBank I was charged twice at the {Harness.Place(i)} branch and nobody answers the chat, I want a refund today";
            for (var copy = 0; copy < 3; copy++)
            {
                await stage.ProcessAsync(MentionJson.Serialize(Mention($"inc{i}-{copy}") with { Text = text, Author = new MentionAuthor($"a{i}{copy}", $"user{i}{copy}", "User", 100, false) }), 1, CancellationToken.None);
            }
        }

        var team = Assert.Single((await api.Harness.HandoffRowsAsync()).Select(h => h.GetString("Team")).Distinct());
        counter.Reset();
        var page = (await api.GetAsync("mia", $"api/teams/{team}/handoffs")).Body!;

        // Every card is an incident (some places read alike and join one another's: the counts add up to every mention).
        var cards = page["items"]!.AsArray();
        Assert.Equal((await api.Harness.HandoffRowsAsync()).Count, (int)page["total"]!);
        Assert.True(cards.Count >= 10, $"{cards.Count} cards");
        Assert.Equal(42, cards.Sum(card => (int)card!["incident"]!["count"]!));
        Assert.True(counter.Tables <= 3, $"{counter.Tables} table requests: {string.Join(", ", counter.Requests)}");
    }

    [Fact]
    public async Task Queue_FilterMatchingMoreThanAThousand_TotalAtLeastAThousandInOneRead()
    {
        var counter = new CountingPolicy();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();
        var handoffs = Enumerable.Range(0, 1_200).Select(i =>
        {
            var key = $"test:many-{i}";
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", i < 1_100 ? "P1" : "P3", 50, "Negative", -0.5, [], "text", "en", null, null, null,
                    Harness.Start, Harness.Start, Harness.Start.AddMinutes(30 + i), Harness.Start.AddHours(8)), "", Harness.Start);
            return (HandoffRow.ToRecord(row), (BusinessCalendar?)null, (IReadOnlyList<SlaDueRow>)[]);
        }).ToList();
        await index.BulkAddAsync(handoffs, 4, CancellationToken.None);

        counter.Reset();
        var many = (await api.GetAsync("ana", "api/teams/care/handoffs?priority=P1")).Body!;
        var tables = counter.Tables;
        var few = (await api.GetAsync("ana", "api/teams/care/handoffs?priority=P3")).Body!;

        Assert.Equal(1_000, (int)many["total"]!);
        Assert.True((bool)many["totalAtLeast"]!);
        Assert.Equal(25, many["items"]!.AsArray().Count);
        Assert.True(tables <= 3, $"{tables} table requests");
        Assert.Equal(100, (int)few["total"]!);
        Assert.False(few.AsObject().ContainsKey("totalAtLeast"));
        Assert.Equal(1_200, (int)(await api.GetAsync("ana", "api/teams/care/handoffs")).Body!["total"]!);
    }

    [Fact]
    public async Task SlaAtRisk_FewAtRiskBehindThousandsBreached_ExactAnswersInOneRead()
    {
        var counter = new CountingPolicy();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();
        var book = await api.Harness.Services.GetRequiredService<LivePolicies>().GetSlaAsync(CancellationToken.None);
        var policy = book.Resolve("care", "P1");
        var calendar = policy.Calendar;
        var now = api.Harness.Clock.GetUtcNow();
        (HandoffRecord, BusinessCalendar?, IReadOnlyList<SlaDueRow>) Handoff(int i, string priority, DateTimeOffset clocksFrom, Func<HandoffSla, HandoffSla>? then = null)
        {
            var key = $"test:risk-{i}";
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", priority, 50, "Negative", -0.5, [], "text", "en", null, null, null, clocksFrom, clocksFrom, clocksFrom + policy.FirstResponse, clocksFrom + policy.Resolution), "", now);
            var sla = HandoffSla.Start("care", "P1", policy, clocksFrom);
            return (HandoffRow.WithDueTimes(HandoffRow.ToRecord(row) with { Sla = then is null ? sla : then(sla) }, calendar), calendar, []);
        }

        // A backlog: 3,100 P1 handoffs long past both targets, read first in the queue's order; two P1 past their
        // first-response target whose resolution clock is at risk; three P2 at risk on their first response.
        var backlog = Enumerable.Range(0, 3_100).Select(i => Handoff(i, "P1", now.AddDays(-1).AddSeconds(-i))).ToList();
        var resolutionAtRisk = new[] { Handoff(5_000, "P1", now - policy.Resolution + policy.WarnBefore / 2), Handoff(5_001, "P1", now - policy.Resolution + policy.WarnBefore / 3) };
        var firstAtRisk = Enumerable.Range(6_000, 3).Select(i => Handoff(i, "P2", now - policy.FirstResponse + policy.WarnBefore / 2)).ToList();
        await index.BulkAddAsync([.. backlog, .. resolutionAtRisk, .. firstAtRisk], 4, CancellationToken.None);

        counter.Reset();
        var page = (await api.GetAsync("mia", "api/teams/care/handoffs?sla=at-risk")).Body!;
        var pageTables = counter.Tables;
        counter.Reset();
        var report = (await api.GetAsync("mia", "api/sla/at-risk?team=care")).Body!["items"]!.AsArray();
        var reportTables = counter.Tables;

        Assert.Equal(firstAtRisk.Select(h => h.Item1.Id).Order(StringComparer.Ordinal), page["items"]!.AsArray().Select(i => (string)i!["id"]!).Order(StringComparer.Ordinal));
        Assert.Equal(3, (int)page["total"]!);
        Assert.False(page.AsObject().ContainsKey("totalAtLeast"));
        Assert.True(pageTables <= 3, $"{pageTables} table requests: {string.Join(", ", counter.Requests)}");
        Assert.Equal(
            firstAtRisk.Select(h => $"{h.Item1.Id} firstResponse").Concat(resolutionAtRisk.Select(h => $"{h.Item1.Id} resolution")).Order(StringComparer.Ordinal),
            report.Select(i => $"{(string)i!["id"]!} {(string)i["clock"]!}").Order(StringComparer.Ordinal));
        Assert.True(reportTables <= 3, $"{reportTables} table requests for the at-risk report");
    }

    [Fact]
    public async Task ProcessAsync_NewMention_OneTransactionPerTableOneTeamMessage()
    {
        var counter = new CountingPolicy();
        await using var harness = await Harness.CreateAsync(
            azurite.ConnectionString, s => s.AddSingleton<HttpPipelinePolicy>(counter), new Dictionary<string, string?> { ["Incidents:MemoryFreshness"] = "00:01:00" }, withSample: false);
        var stage = harness.Services.GetRequiredService<ProcessMentionStage>();
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(Mention("w1")), 1, CancellationToken.None));

        counter.Reset();
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(Mention("w2")), 1, CancellationToken.None));

        // The handoff with its created event and ledger row; the team message; the index row with its due rows; the mention's
        // volume rows (Spikes). Its tier opens no incident and the incidents' memory is fresh: no look in Incidents.
        // Nothing in Mentions, HandoffEvents or SlaDue.
        Assert.Equal(["POST $batch", "POST $batch", "POST $batch", "POST team-care/messages"], counter.Requests.Order(StringComparer.Ordinal));
    }

    private static MentionMessage Mention(string id) => new(
        MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", 120, false),
        CareText, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", Harness.Start, "contoso");

    private static async Task<TableEntity> AssertIndexedAsync(ApiHost api, string id, string partition)
    {
        var row = Assert.Single(await api.Harness.IndexRowsAsync(), r => r.GetString("HandoffId") == id);
        Assert.Equal(partition, row.PartitionKey);
        Assert.Equal(HandoffIndex.KeyOf(await StoredAsync(api, id)), new IndexKey(row.PartitionKey, row.RowKey));
        return row;
    }

    private static async Task<List<string?>> IdsAsync(ApiHost api, string team, string query) =>
        (await api.GetAsync("mia", $"api/teams/{team}/handoffs?{query}")).Body!["items"]!.AsArray().Select(i => (string?)i!["id"]).ToList();

    private static async Task<HandoffRecord> StoredAsync(ApiHost api, string id) =>
        HandoffRecord.FromEntity((await api.Harness.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(id, HandoffRow.RowKey)).Value);

    /// <summary>Counts the storage requests the app's clients send, as "METHOD resource".</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private ConcurrentQueue<string> _requests = new();

        public IReadOnlyCollection<string> Requests => _requests;

        public int Tables => _requests.Count(r => !r.Contains("/messages", StringComparison.Ordinal) && !r.StartsWith("GET mentions", StringComparison.Ordinal));

        public void Reset() => _requests = new ConcurrentQueue<string>();

        public override void OnSendingRequest(HttpMessage message)
        {
            var path = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var resource = path.Length > 1 ? path[1].Split('(')[0] : "?";
            _requests.Enqueue($"{message.Request.Method} {resource}{(path.Length > 2 ? "/" + path[2] : "")}");
        }
    }
}
