using System.Collections.Concurrent;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;
using SocialHandoff.Integration.Tests.Api;

namespace SocialHandoff.Integration.Tests.Reports;

/// <summary>
/// The breaches list reads the index's breach rows a page at a time (<see cref="SlaBreachRows"/>): after random work
/// (handoffs over several days and teams, claims, responses in time and late, pauses and resumes, resolves, reassigns
/// (moves between teams), redelivered mentions, repeated index moves, rows of an earlier layout upgraded, a lost breach
/// row and a repair) its pages equal what reading every index row created in the range gives (<see cref="ScanAsync"/>,
/// the report's former computation, kept here as the oracle), at several later moments without any write between.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SlaBreachesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] Teams = ["care", "billing", "logistics", "crisis"];
    private static readonly Dictionary<string, string> Agent = new() { ["care"] = "ana", ["billing"] = "cy", ["logistics"] = "cy", ["crisis"] = "kai" };

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Breaches_RandomWorkRedeliveriesPausesMovesUpgradeAndRepair_EqualTheRowScanAtEveryMoment(int seed)
    {
        var random = new Random(seed);
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var services = api.Harness.Services;
        var index = services.GetRequiredService<HandoffIndex>();
        var dueIndex = services.GetRequiredService<SlaDueIndex>();
        var work = services.GetRequiredService<HandoffWork>();
        var queries = services.GetRequiredService<WorkQueries>();
        var ids = new List<string>();
        var mentions = new List<MentionMessage>();
        var done = new List<string>();
        var first = DateOnly.FromDateTime(api.Harness.Clock.GetUtcNow().UtcDateTime);

        for (var step = 0; step < 120; step++)
        {
            // Steps of a few minutes to several hours: some answers in time, some late, clocks breached while paused.
            api.Harness.Clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 3 * 3600 * 1000)));
            var roll = random.Next(100);
            if (roll < 25 || ids.Count < 3)
            {
                var mention = SlaTallyTests.Mention(mentions.Count, random);
                mentions.Add(mention);
                await services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None);
                ids.Add(HandoffIds.For(mention.Key));
                continue;
            }

            if (roll < 30)
            {
                var again = mentions[random.Next(mentions.Count)];
                await services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(again), 2, CancellationToken.None);
                continue;
            }

            var id = ids[random.Next(ids.Count)];
            var before = await work.GetAsync(id, CancellationToken.None);
            if (before is null)
            {
                ids.Remove(id);
                continue;
            }

            if (roll < 36)
            {
                // A repeated index move (a retry after a crash): from where the handoff was, and from nowhere known.
                var calendar = before.Sla is { } sla ? await dueIndex.CalendarAsync(sla, CancellationToken.None) : null;
                var current = HandoffRow.WithDueTimes(before, calendar);
                await index.MoveAsync(random.Next(2) == 0 ? HandoffIndex.KeyOf(current) : null, current, calendar, CancellationToken.None);
                continue;
            }

            if (roll < 38)
            {
                await queries.RepairIndexAsync(before.Team, CancellationToken.None);
                continue;
            }

            var user = Agent[before.Team];
            var (path, body) = random.Next(10) switch
            {
                0 => ("claim", "{}"),
                1 or 2 => ("respond", """{"reply":"On it."}"""),
                3 or 4 => ("pause", "{}"),
                5 => ("resume", "{}"),
                6 => ("resolve", """{"note":"Done."}"""),
                7 => ("reassign", $$"""{"team":"{{Teams[random.Next(Teams.Length)]}}"}"""),
                8 => ("claim", "{}"),
                _ => ("release", "{}"),
            };
            if (path == "reassign")
            {
                user = "mia";
            }

            var (status, answer, _) = await api.PostAsync(user, $"api/handoffs/{id}/{path}", body);
            done.Add($"{path} {status} {(status == 200 ? "" : answer?.ToJsonString())}");
        }

        var table = api.Harness.Table(StorageNames.HandoffIndexTable);

        // One team's rows as layout 2 left them (no breach rows listed or written): the sweep's upgrade rewrites them.
        var old = "care";
        foreach (var partition in HandoffIndex.Partitions(old))
        {
            foreach (var row in table.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")).ToList())
            {
                if (row.RowKey.StartsWith(SlaBreachRows.Prefix, StringComparison.Ordinal))
                {
                    await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
                }
                else if (string.CompareOrdinal(row.RowKey, HandoffIndex.CountRowKey) < 0)
                {
                    row.Remove(SlaBreachRows.Column);
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
                }
                else if (row.RowKey == HandoffIndex.CountRowKey)
                {
                    row["Layout"] = 2;
                    await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
                }
            }
        }

        Assert.True(await index.NeedsLayoutUpgradeAsync(old, CancellationToken.None));

        // Until the upgrade has rewritten them, that team's breaches are worked out from its rows, in the same order and pages.
        var reports = services.GetRequiredService<SlaReports>();
        var today = DateOnly.FromDateTime(api.Harness.Clock.GetUtcNow().UtcDateTime);
        foreach (var t in (string?[])[old, null])
        {
            var expected = await ScanAsync(table, queries, t, first, today, api.Harness.Clock.GetUtcNow());
            var pages = await PagesAsync(reports, t, first, today, 2);
            Assert.Equal(Sorted(expected.Select(e => e.Item)), Sorted(pages));
            Assert.Equal(pages, await reports.AllBreachesAsync(t, first, today, CancellationToken.None));
        }

        await services.GetRequiredService<QueueIndexUpgrade>().RunAsync(CancellationToken.None);
        Assert.False(await index.NeedsLayoutUpgradeAsync(old, CancellationToken.None));

        // A breach row lost (as if a write of it had gone astray) and a stray one: the repair rebuilds them from the handoffs.
        var lost = table.Query<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {SlaBreachRows.Prefix} and RowKey lt {SlaBreachRows.Prefix + "~"}")).First();
        await table.DeleteEntityAsync(lost.PartitionKey, lost.RowKey);
        var team = lost.PartitionKey[..lost.PartitionKey.LastIndexOf('|')];
        await table.UpsertEntityAsync(new TableEntity(lost.PartitionKey, SlaBreachRows.Prefix + "000000000001-stray-fr") { [HandoffRow.CreatedAt] = Harness.Start });
        await queries.RepairIndexAsync(team, CancellationToken.None);

        var last = DateOnly.FromDateTime(api.Harness.Clock.GetUtcNow().UtcDateTime);
        var seen = 0;
        for (var moment = 0; moment < 5; moment++)
        {
            var now = api.Harness.Clock.GetUtcNow();
            // Whole seconds and moments within a second: the rows' keys are whole seconds rounded up.
            api.Harness.Clock.SetUtcNow(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1 + random.Next(3 * 3600)).AddMilliseconds(moment % 2 * random.Next(1000)));
            now = api.Harness.Clock.GetUtcNow();
            foreach (var t in (string?[])[null, .. Teams])
            {
                foreach (var (from, to) in new[] { (first, last), (first.AddDays(1), last), (first, first) })
                {
                    var expected = await ScanAsync(table, queries, t, from, to, now);
                    var pages = await PagesAsync(reports, t, from, to, 1 + random.Next(4));
                    Assert.Equal(Sorted(expected.Select(e => e.Item)), Sorted(pages));
                    Assert.Equal(pages, await reports.AllBreachesAsync(t, from, to, CancellationToken.None));

                    // Longest in breach first: by the second each clock passed its target, then handoff id and clock.
                    var order = expected.ToDictionary(e => (e.Item.Id, e.Item.Clock), e => e.PassedAt);
                    Assert.Equal(pages.OrderBy(i => order[(i.Id, i.Clock)]).ThenBy(i => i.Id, StringComparer.Ordinal).ThenBy(i => i.Clock == "firstResponse" ? "fr" : "rs", StringComparer.Ordinal), pages);
                    seen += pages.Count;
                }
            }
        }

        // The run did what it claims to: breaches found, among them clocks stopped late, paused past target and running.
        Assert.True(seen > 0, string.Join("\n", done));
        var all = await ScanAsync(table, queries, null, first, last, api.Harness.Clock.GetUtcNow());
        Assert.Contains(all, e => e.Status == SlaStatus.MissedButDone);
        Assert.Contains(all, e => e.Status == SlaStatus.Breached);
    }

    [Fact]
    public async Task BreachesApi_PagesOfTwoThenBadLimitAndContinuation_EveryBreachOnceAnd400NamingTheField()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        for (var i = 0; i < 5; i++)
        {
            await api.HandOffAsync($"b{i}", $"@contoso I was charged twice at {Harness.Place(i)}, I want a refund now");
            api.Harness.Clock.Advance(TimeSpan.FromMinutes(3));
        }

        // Two weeks later every clock is past its target.
        api.Harness.Clock.Advance(TimeSpan.FromDays(14));
        var day = Harness.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var items = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var (status, body, _) = await api.GetAsync("mia", $"api/sla/breaches?from={day}&to={day}&limit=2" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            Assert.Equal(200, status);
            items.AddRange(body!["items"]!.AsArray().Select(b => $"{(string?)b!["id"]} {(string?)b["clock"]}"));
            continuation = (string?)body["continuation"];
            pages++;
        }
        while (continuation is not null && pages < 20);

        Assert.Equal(10, items.Count);
        Assert.Equal(10, items.Distinct().Count());
        Assert.Equal(5, pages);
        var csv = (await api.TextAsync("mia", $"api/sla/breaches.csv?from={day}&to={day}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, csv.Length);

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"), ("continuation=bm90LWEta2V5", "continuation"), ("continuation=%25%25", "continuation") })
        {
            var (status, body, response) = await api.GetAsync("mia", $"api/sla/breaches?{query}");
            Assert.Equal(400, status);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(body!["errors"]![field]);
        }
    }

    [Fact]
    public async Task Breaches_TeamOfThreeThousandHandoffsHalfBreached_APageCostsOneRequestPerPartition()
    {
        var counter = new CountingPolicy();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var services = api.Harness.Services;
        var index = services.GetRequiredService<HandoffIndex>();
        var policy = (await services.GetRequiredService<LivePolicies>().GetSlaAsync(CancellationToken.None)).Resolve("care", "P2");
        var calendar = policy.Calendar;
        var now = api.Harness.Clock.GetUtcNow();

        // Clocks started from 15 days before to 15 days after their due: about half past their target, as in a real backlog.
        var handoffs = Enumerable.Range(0, 3_000).Select(i =>
        {
            var key = $"test:backlog-{i}";
            var clocksFrom = now - policy.FirstResponse + TimeSpan.FromMinutes((i % 2 == 0 ? -1 : 1) * (1 + (i * 7 % 21_600)));
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", "P2", 50, "Negative", -0.5, [], "text", "en", null, null, null, now, now, clocksFrom + policy.FirstResponse, clocksFrom + policy.Resolution), "", now);
            var h = HandoffRow.WithDueTimes(HandoffRow.ToRecord(row) with { Sla = HandoffSla.Start("care", "P2", policy, clocksFrom) }, calendar);
            return (h, (BusinessCalendar?)calendar, (IReadOnlyList<SlaDueRow>)[]);
        }).ToList();
        await index.BulkAddAsync(handoffs, 4, CancellationToken.None);
        var day = DateOnly.FromDateTime(now.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await api.GetAsync("mia", $"api/sla/breaches?team=care&from={day}&to={day}&limit=25");

        counter.Reset();
        var (status, body, _) = await api.GetAsync("mia", $"api/sla/breaches?team=care&from={day}&to={day}&limit=25");

        Assert.Equal(200, status);
        Assert.Equal(25, body!["items"]!.AsArray().Count);
        Assert.NotNull((string?)body["continuation"]);

        // The open and the resolved partition's breach rows, one range read each; not the 3,000 rows.
        Assert.True(counter.Tables <= 2, $"{counter.Tables} table requests: {string.Join(", ", counter.Requests)}");
        var minutes = body["items"]!.AsArray().Select(i => (int)i!["minutes"]!).ToList();
        Assert.Equal(minutes.OrderDescending(), minutes);
    }

    [Fact]
    public async Task Breaches_AllTeamsWithATeamOnlyAnEarlierRuleSetRoutedTo_ListsItsBreachesAsTheSummaryCountsThem()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var services = api.Harness.Services;
        var policy = (await services.GetRequiredService<LivePolicies>().GetSlaAsync(CancellationToken.None)).Resolve("care", "P2");
        var now = api.Harness.Clock.GetUtcNow();

        // Three handoffs of a team no configuration, directory or rule in force names, their clocks started a week ago.
        var handoffs = Enumerable.Range(0, 3).Select(i =>
        {
            var key = $"test:retired-{i}";
            var clocksFrom = now.AddDays(-7).AddMinutes(i);
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "emea-returns", "default", "P2", 50, "Negative", -0.5, [], $"retired team item {i}", "en", null, null, null, now, now, clocksFrom + policy.FirstResponse, clocksFrom + policy.Resolution), "", now);
            var h = HandoffRow.WithDueTimes(HandoffRow.ToRecord(row) with { Sla = HandoffSla.Start("emea-returns", "P2", policy, clocksFrom) }, policy.Calendar);
            return (h, (BusinessCalendar?)policy.Calendar, (IReadOnlyList<SlaDueRow>)[]);
        }).ToList();
        await services.GetRequiredService<HandoffIndex>().BulkAddAsync(handoffs, 2, CancellationToken.None);
        Assert.DoesNotContain("emea-returns", await services.GetRequiredService<Core.Teams.TeamDirectory>().KnownTeamsAsync(CancellationToken.None));

        var reports = services.GetRequiredService<SlaReports>();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var page = await reports.BreachesAsync(null, day, day, 100, null, CancellationToken.None);
        var summary = await reports.SummaryAsync(null, day, day, CancellationToken.None);

        var listed = page.Items.Where(i => i.Team == "emea-returns").ToList();
        Assert.Equal(6, listed.Count);
        Assert.Equal(summary.Where(r => r.Team == "emea-returns").Sum(r => r.FirstResponseBreached + r.ResolutionBreached), listed.Count);
    }

    [Fact]
    public async Task Pause_BreachRowOfTheHandoffAlreadyGone_ActionSucceedsAndTheListStaysRight()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("g0", $"@contoso I was charged twice at {Harness.Place(0)}, I want a refund now");
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        List<TableEntity> BreachRows() => [.. table.Query<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {SlaBreachRows.Prefix} and RowKey lt {SlaBreachRows.Prefix + "~"}"))];
        Assert.Equal(2, BreachRows().Count);

        // As a repair that crashed between the rows and their breach rows leaves it: a breach row the index row lists is not there.
        // A pause in time deletes the resolution clock's breach row; the transaction that deletes the missing one fails, its retry leaves it out.
        var resolution = BreachRows().Single(r => r.RowKey.EndsWith("-rs", StringComparison.Ordinal));
        await table.DeleteEntityAsync(resolution.PartitionKey, resolution.RowKey);
        var (status, answer, _) = await api.PostAsync("cy", $"api/handoffs/{id}/pause");

        Assert.True(status == 200, answer?.ToJsonString());
        Assert.EndsWith("-fr", Assert.Single(BreachRows()).RowKey, StringComparison.Ordinal);
        var reports = api.Harness.Services.GetRequiredService<SlaReports>();
        var queries = api.Harness.Services.GetRequiredService<WorkQueries>();
        var day = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        api.Harness.Clock.Advance(TimeSpan.FromDays(14));
        Assert.Equal("firstResponse", Assert.Single((await reports.BreachesAsync(null, day, day, 10, null, CancellationToken.None)).Items).Clock);

        // Resumed and left: both clocks breached, listed as the row scan lists them.
        Assert.Equal(200, (await api.PostAsync("cy", $"api/handoffs/{id}/resume")).Status);
        api.Harness.Clock.Advance(TimeSpan.FromDays(14));
        var expected = await ScanAsync(table, queries, null, day, day, api.Harness.Clock.GetUtcNow());
        Assert.Equal(2, expected.Count);
        Assert.Equal(Sorted(expected.Select(e => e.Item)), Sorted((await reports.BreachesAsync(null, day, day, 10, null, CancellationToken.None)).Items));
    }

    /// <summary>Every page of the list, <paramref name="limit"/> a page, each checked for its size.</summary>
    private static async Task<List<SlaListItem>> PagesAsync(SlaReports reports, string? team, DateOnly from, DateOnly to, int limit)
    {
        var pages = new List<SlaListItem>();
        string? after = null;
        var count = 0;
        do
        {
            var page = await reports.BreachesAsync(team, from, to, limit, after, CancellationToken.None);
            Assert.True(page.Items.Count <= limit);
            Assert.True(page.Continuation is null || page.Items.Count == limit, "a page before the last is full");
            pages.AddRange(page.Items);
            after = page.Continuation is { } c ? SlaBreachRows.FromContinuation(c) : null;
            Assert.True(++count < 500);
        }
        while (after is not null);

        return pages;
    }

    private static List<SlaListItem> Sorted(IEnumerable<SlaListItem> items) =>
        [.. items.OrderBy(i => i.Id, StringComparer.Ordinal).ThenBy(i => i.Clock, StringComparer.Ordinal)];

    /// <summary>
    /// The breaches list as it was computed before the breach rows: every index row created in the range, each clock past its
    /// target at <paramref name="now"/>, with the second it passed its target (for the order) and its standing.
    /// </summary>
    private static async Task<List<(SlaListItem Item, long PassedAt, SlaStatus Status)>> ScanAsync(TableClient table, WorkQueries queries, string? team, DateOnly from, DateOnly to, DateTimeOffset now)
    {
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var filter = team is null
            ? TableClient.CreateQueryFilter($"CreatedAt ge {start} and CreatedAt lt {end}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {team + "|"} and PartitionKey lt {team + "}"} and CreatedAt ge {start} and CreatedAt lt {end}");
        var items = new List<(SlaListItem, long, SlaStatus)>();
        await foreach (var row in table.QueryAsync<TableEntity>($"({filter}) and {HandoffIndex.OnlyItems}"))
        {
            var view = await queries.ViewAsync(HandoffRecord.FromEntity(row), now, CancellationToken.None);
            if (view.Calendar is not { } calendar)
            {
                continue;
            }

            var h = view.Handoff;
            foreach (var (clock, status, c) in new[] { ("firstResponse", view.FirstResponse, h.Sla!.FirstResponse), ("resolution", view.Resolution, h.Sla.Resolution) })
            {
                if (status is SlaStatus.Breached or SlaStatus.MissedButDone)
                {
                    var late = c.Elapsed(calendar, c.StoppedAt ?? now) - c.Target;
                    var item = new SlaListItem(h.Id, h.Team, h.Priority, clock, clock == "firstResponse" ? h.FirstResponseDueAt : h.ResolutionDueAt, (int)Math.Round(late.TotalMinutes),
                        h.Assignee, h.Status, h.Text.Length > 280 ? h.Text[..280] : h.Text);
                    var passed = SlaBreachRows.PassesTargetAt(c, calendar)!.Value;
                    Assert.True(passed <= now, $"{h.Id} {clock} passed its target at {passed:O}, after {now:O}");
                    var ticks = passed.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
                    items.Add((item, (ticks / TimeSpan.TicksPerSecond) + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0), status));
                }
            }
        }

        return items;
    }

    /// <summary>Counts the storage requests the app's clients send, as "METHOD resource".</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private ConcurrentQueue<string> _requests = new();

        public IReadOnlyCollection<string> Requests => _requests;

        public int Tables => _requests.Count(r => !r.Contains("/messages", StringComparison.Ordinal));

        public void Reset() => _requests = new ConcurrentQueue<string>();

        public override void OnSendingRequest(HttpMessage message)
        {
            var path = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var resource = path.Length > 1 ? path[1].Split('(')[0] : "?";
            _requests.Enqueue($"{message.Request.Method} {resource}");
        }
    }
}
