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
/// The SLA summary and first-response reports read the queue index's day tallies: after random work
/// (handoffs over several days and teams, claims, responses, pauses, resolves, reassigns, moves between
/// teams, redelivered mentions, repeated index moves, a lost tally and a repair) they equal what reading
/// every index row created in the range gives (<see cref="RowScan"/>, the reports' former computation,
/// kept here as the oracle), at several later moments without any write between.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SlaTallyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] Teams = ["care", "billing", "logistics", "crisis"];
    private static readonly Dictionary<string, string> Agent = new() { ["care"] = "ana", ["billing"] = "cy", ["logistics"] = "cy", ["crisis"] = "kai" };

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(3, 4)]
    // Steps of up to two days: about four months, so actions on handoffs older than the index's recent days read
    // their own day's tally apart from the recent ones, and the cache drops the old days it read.
    [InlineData(4, 48)]
    public async Task SummaryAndFirstResponse_RandomWorkRedeliveriesAndRepair_EqualTheRowScanAtEveryMoment(int seed, int maxStepHours)
    {
        var random = new Random(seed);
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var services = api.Harness.Services;
        var index = services.GetRequiredService<HandoffIndex>();
        var dueIndex = services.GetRequiredService<SlaDueIndex>();
        var work = services.GetRequiredService<HandoffWork>();
        var queries = services.GetRequiredService<WorkQueries>();
        var teamOf = new Dictionary<string, string>();
        var done = new List<string>();
        var mentions = new List<MentionMessage>();
        var first = DateOnly.FromDateTime(api.Harness.Clock.GetUtcNow().UtcDateTime);

        for (var step = 0; step < 120; step++)
        {
            // Sub-second steps too: due times off whole seconds, reports asked at whole seconds.
            api.Harness.Clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, maxStepHours * 3600 * 1000)));
            var ids = teamOf.Keys.Order(StringComparer.Ordinal).ToList();
            var roll = random.Next(100);
            if (roll < 25 || ids.Count < 3)
            {
                var mention = Mention(mentions.Count, random);
                mentions.Add(mention);
                await services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None);
                teamOf[HandoffIds.For(mention.Key)] = "?";
                continue;
            }

            if (roll < 30)
            {
                // A redelivered mention: handed off once only.
                var again = mentions[random.Next(mentions.Count)];
                await services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(again), 2, CancellationToken.None);
                continue;
            }

            var id = ids[random.Next(ids.Count)];
            var before = await work.GetAsync(id, CancellationToken.None);
            if (before is null)
            {
                teamOf.Remove(id);
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
            var (path, body) = random.Next(9) switch
            {
                0 or 1 => ("claim", "{}"),
                2 or 3 => ("respond", """{"reply":"On it."}"""),
                4 => ("pause", "{}"),
                5 => ("resume", "{}"),
                6 => ("resolve", """{"note":"Done."}"""),
                7 => ("reassign", $$"""{"team":"{{Teams[random.Next(Teams.Length)]}}"}"""),
                _ => ("release", "{}"),
            };
            if (path == "reassign")
            {
                user = "mia";
            }

            var (status, answer, _) = await api.PostAsync(user, $"api/handoffs/{id}/{path}", body);
            done.Add($"{path} {status} {(status == 200 ? "" : answer?.ToJsonString())}");
        }

        // A tally lost (as if a write of it had gone astray): the repair rebuilds it from the rows.
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        var lost = table.Query<TableEntity>(TableClient.CreateQueryFilter($"RowKey gt {DayTally.KeyPrefix} and RowKey lt {DayTally.KeyPrefix + "~"}")).First();
        await table.DeleteEntityAsync(lost.PartitionKey, lost.RowKey);
        await queries.RepairIndexAsync(lost.PartitionKey[..lost.PartitionKey.LastIndexOf('|')], CancellationToken.None);

        var reports = services.GetRequiredService<SlaReports>();
        var oracle = new RowScan(table, queries);
        var last = DateOnly.FromDateTime(api.Harness.Clock.GetUtcNow().UtcDateTime);
        for (var moment = 0; moment < 5; moment++)
        {
            var now = api.Harness.Clock.GetUtcNow();
            api.Harness.Clock.SetUtcNow(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1 + random.Next(3 * 3600)));
            now = api.Harness.Clock.GetUtcNow();
            foreach (var team in (string?[])[null, .. Teams])
            {
                foreach (var (from, to) in new[] { (first, last), (first.AddDays(1), last), (first, first) })
                {
                    var expected = await oracle.SummaryAsync(team, from, to, now);
                    var actual = await reports.SummaryAsync(team, from, to, CancellationToken.None);
                    Assert.Equal(expected, actual);

                    var expectedFirst = await oracle.FirstResponseAsync(team, from, to, now);
                    var actualFirst = await reports.FirstResponseAsync(team, from, to, CancellationToken.None);
                    Assert.Equal(expectedFirst.Buckets, actualFirst.Buckets);
                    Assert.Equal(expectedFirst.Daily, actualFirst.Daily);
                }
            }
        }

        // However long the history, an instance keeps the recent days' tallies only.
        foreach (var partition in Teams.SelectMany(HandoffIndex.Partitions))
        {
            Assert.InRange(index.CachedTallyShards(partition), 0, HandoffIndex.RecentDays + 2);
        }

        // The run did what it claims to: several days, answered, resolved and breached handoffs in the reports.
        var all = await reports.SummaryAsync(null, first, last, CancellationToken.None);
        Assert.True(all.Select(r => r.Day).Distinct().Count() > 1);
        Assert.True(all.Sum(r => r.FirstResponded) > 0);
        Assert.True(all.Sum(r => r.Received - r.Open) > 0, string.Join("\n", done));
        Assert.True(all.Sum(r => r.FirstResponseBreached + r.ResolutionBreached) > 0);
    }

    [Fact]
    public async Task Respond_HandoffOlderThanTheRecentDays_CountedOnItsDayAndTheCacheKeepsOnlyRecentDays()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var index = api.Harness.Services.GetRequiredService<HandoffIndex>();
        var ids = new List<string>();
        for (var i = 0; i < HandoffIndex.RecentDays + 14; i++)
        {
            ids.Add(await api.HandOffAsync($"d{i}", $"@contoso is the autumn menu at the {Harness.Place(i)} store vegetarian friendly?"));
            api.Harness.Clock.Advance(TimeSpan.FromDays(1));
        }

        // One tally a day for 45 days: the instance that wrote them all holds the recent ones only.
        var partition = HandoffIndex.Partition("care", false);
        Assert.InRange(index.CachedTallyShards(partition), 1, HandoffIndex.RecentDays + 2);

        // The oldest handoff's day is read on its own, and its tally changes there.
        var (claimed, claimAnswer, _) = await api.PostAsync("ana", $"api/handoffs/{ids[0]}/claim", "{}");
        Assert.True(claimed == 200, claimAnswer?.ToJsonString());
        var (responded, answer, _) = await api.PostAsync("ana", $"api/handoffs/{ids[0]}/respond", """{"reply":"On it."}""");
        Assert.True(responded == 200, answer?.ToJsonString());

        var reports = api.Harness.Services.GetRequiredService<SlaReports>();
        var first = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        var day = Assert.Single(await reports.SummaryAsync("care", first, first, CancellationToken.None));
        Assert.Equal((1, 1), (day.Received, day.FirstResponded));
        var later = Assert.Single(await reports.SummaryAsync("care", first.AddDays(1), first.AddDays(1), CancellationToken.None));
        Assert.Equal((1, 0), (later.Received, later.FirstResponded));
        Assert.InRange(index.CachedTallyShards(partition), 1, HandoffIndex.RecentDays + 2);
    }

    [Fact]
    public async Task RepairAsync_ResponseWhileTheRepairReadsTheHandoffs_KeepsTheResponsesRowAndBreachRows()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var services = api.Harness.Services;
        var id = await api.HandOffAsync("r1", $"@contoso is the autumn menu at the {Harness.Place(1)} store vegetarian friendly?");
        await api.HandOffAsync("r2", $"@contoso is the autumn menu at the {Harness.Place(2)} store vegetarian friendly?");
        var (claimed, claimAnswer, _) = await api.PostAsync("ana", $"api/handoffs/{id}/claim", "{}");
        Assert.True(claimed == 200, claimAnswer?.ToJsonString());
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        TableEntity IndexRow() => table.Query<TableEntity>($"{TableClient.CreateQueryFilter($"PartitionKey eq {HandoffIndex.Partition("care", false)} and HandoffId eq {id}")} and {HandoffIndex.OnlyItems}").Single();
        Assert.EndsWith("-fr", IndexRow().GetString(SlaBreachRows.Column)!.Split(' ')[0], StringComparison.Ordinal);

        // The agent answers in time after the repair has read the handoff and before it reads the index.
        var dueIndex = services.GetRequiredService<SlaDueIndex>();
        var answered = false;
        await services.GetRequiredService<HandoffIndex>().RepairAsync("care", async (h, ct) =>
        {
            if (h.Id == id && !answered)
            {
                answered = true;
                var (status, answer, _) = await api.PostAsync("ana", $"api/handoffs/{id}/respond", """{"reply":"On it."}""");
                Assert.True(status == 200, answer?.ToJsonString());
            }

            return h.Sla is { } sla ? await dueIndex.CalendarAsync(sla, ct) : null;
        }, CancellationToken.None);

        // The first response clock met: no breach row for it, on the row or in the partition.
        Assert.True(answered);
        Assert.DoesNotContain("-fr", IndexRow().GetString(SlaBreachRows.Column) ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(
            table.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {HandoffIndex.Partition("care", false)} and RowKey ge {SlaBreachRows.Prefix} and RowKey lt {SlaBreachRows.Prefix + "~"}")),
            b => b.RowKey.EndsWith($"{id}-fr", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Summary_TeamGiven_ReadsTwoTalliesRangesNotTheRows()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        for (var i = 0; i < 5; i++)
        {
            await api.HandOffAsync($"t{i}", $"@contoso is the autumn menu at the {Harness.Place(i)} store vegetarian friendly?");
        }

        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        var day = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        var tally = table.GetEntity<TableEntity>(HandoffIndex.Partition("care", false), DayTally.Key(day));

        Assert.Equal(5, tally.Value.GetInt32("Received"));
        var row = Assert.Single(await api.Harness.Services.GetRequiredService<SlaReports>().SummaryAsync("care", day, day, CancellationToken.None));
        Assert.Equal(5, row.Received);
    }

    [Fact]
    public async Task Tally_TwoWritersEachWithItsOwnCachedHead_StaysEqualToTheRows()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var services = api.Harness.Services;
        var dueIndex = services.GetRequiredService<SlaDueIndex>();
        var work = services.GetRequiredService<HandoffWork>();

        // Another instance (the API's host beside the pipeline's): its cached ETags go stale at each of the other's writes.
        var other = new HandoffIndex(services.GetRequiredService<StorageClients>(), services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Access.ApiOptions>>(), api.Harness.Clock);
        var random = new Random(5);
        for (var i = 0; i < 12; i++)
        {
            var mention = Mention(i, random);
            await services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None);
            api.Harness.Clock.Advance(TimeSpan.FromMinutes(7));
            var h = await work.GetAsync(HandoffIds.For(mention.Key), CancellationToken.None);
            if (h?.Sla is { } sla)
            {
                var calendar = await dueIndex.CalendarAsync(sla, CancellationToken.None);
                var answered = HandoffRow.WithDueTimes(h with { Sla = sla.Respond(api.Harness.Clock.GetUtcNow()), FirstResponse = new FirstResponseRecord(api.Harness.Clock.GetUtcNow(), "ana", "Hi") }, calendar);
                await other.MoveAsync(HandoffIndex.KeyOf(HandoffRow.WithDueTimes(h, calendar)), answered, calendar, CancellationToken.None);
            }
        }

        var day = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        api.Harness.Clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(api.Harness.Clock.GetUtcNow().UtcTicks % TimeSpan.TicksPerSecond));
        var oracle = new RowScan(api.Harness.Table(StorageNames.HandoffIndexTable), services.GetRequiredService<WorkQueries>());
        var expected = await oracle.SummaryAsync(null, day, day, api.Harness.Clock.GetUtcNow());

        Assert.Equal(12, expected.Sum(r => r.FirstResponded));
        Assert.Equal(expected, await services.GetRequiredService<SlaReports>().SummaryAsync(null, day, day, CancellationToken.None));
    }

    [Fact]
    public async Task Tally_ViralDayPastOneShard_WritesSucceedUnderFourMiBAndReportsEqualTheRowScan()
    {
        var sizes = new TransactionSizes();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(sizes));
        var services = api.Harness.Services;
        var index = services.GetRequiredService<HandoffIndex>();
        var policy = (await services.GetRequiredService<LivePolicies>().GetSlaAsync(CancellationToken.None)).Resolve("care", "P2");
        var calendar = policy.Calendar;
        var day = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var random = new Random(11);

        // One team's day of 16,000 handoffs, clocks spread over weeks and a third answered: instants of several shards' worth.
        HandoffRecord Handoff(int i)
        {
            var key = $"test:viral-{i}";
            // Created before now, clocks started up to six weeks earlier (a long backlog's spread of due times), answered before now.
            var created = midnight.AddMilliseconds(random.Next(0, (int)(Harness.Start - midnight).TotalMilliseconds));
            var clocksFrom = created.AddMinutes(-random.Next(600, 60_000));
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", "P2", 50, "Negative", -0.5, [], "text", "en", null, null, null, created, created, clocksFrom + policy.FirstResponse, clocksFrom + policy.Resolution), "", created);
            var h = HandoffRow.ToRecord(row) with { Sla = HandoffSla.Start("care", "P2", policy, clocksFrom) };
            if (i % 3 == 0)
            {
                var answered = clocksFrom.AddMinutes(random.Next(1, 590)).AddMilliseconds(random.Next(1000));
                h = h with { Sla = h.Sla!.Respond(answered), FirstResponse = new FirstResponseRecord(answered, "ana", "Hi") };
            }

            return HandoffRow.WithDueTimes(h, calendar);
        }

        var viral = Enumerable.Range(0, 16_000).Select(Handoff).ToList();
        await index.BulkAddAsync([.. viral.Select(h => (h, (BusinessCalendar?)calendar, (IReadOnlyList<SlaDueRow>)[]))], 4, CancellationToken.None);
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        List<TableEntity> Shards() => [.. table.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {HandoffIndex.Partition("care", false)} and RowKey ge {DayTally.Key(day)} and RowKey lt {DayTally.KeyAfter(day)}"))];
        Assert.True(Shards().Count >= 2, $"{Shards().Count} shards: " + string.Join("; ", table.Query<TableEntity>(TableClient.CreateQueryFilter($"RowKey gt {DayTally.KeyPrefix} and RowKey lt {DayTally.KeyPrefix + "~"}")).Select(r => $"{r.PartitionKey} {r.RowKey} {r.GetInt32("Received")} {r.Select(kv => kv.Value).OfType<byte[]>().Sum(b => b.Length)}")));

        // Writes of that day after it passed one row: new handoffs by the pipeline, answers (moves in the partition), resolves (moves out).
        for (var i = 0; i < 8; i++)
        {
            await services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(Mention(i, random)), 1, CancellationToken.None);
        }

        foreach (var h in viral.Where((_, i) => i % 3 != 0).Take(40))
        {
            var at = h.Sla!.FirstResponse.Segments[0].Start.AddMinutes(random.Next(1, 560));
            var after = h with { Sla = h.Sla.Respond(at), FirstResponse = new FirstResponseRecord(at, "ana", "On it") };
            if (random.Next(2) == 0)
            {
                after = after with { Status = HandoffStore.StatusResolved, Sla = after.Sla.Resolve(at.AddMinutes(30)) };
            }

            await index.MoveAsync(HandoffIndex.KeyOf(h), HandoffRow.WithDueTimes(after, calendar), calendar, CancellationToken.None);
        }

        var shards = Shards();
        Assert.All(shards, s => Assert.True(s.Select(kv => kv.Value).OfType<byte[]>().Sum(b => b.Length) <= DayTally.ShardBytes, $"{s.RowKey}: {s.Select(kv => kv.Value).OfType<byte[]>().Sum(b => b.Length)} bytes"));
        Assert.True(sizes.Largest <= 4 * 1024 * 1024, $"largest transaction {sizes.Largest} bytes");
        Assert.True(sizes.Count > 0);

        var oracle = new RowScan(table, services.GetRequiredService<WorkQueries>());
        var reports = services.GetRequiredService<SlaReports>();
        foreach (var hours in new[] { 1, 200 })
        {
            var now = api.Harness.Clock.GetUtcNow();
            api.Harness.Clock.SetUtcNow(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddHours(hours));
            now = api.Harness.Clock.GetUtcNow();
            foreach (var team in new[] { "care", null })
            {
                var expected = await oracle.SummaryAsync(team, day, day, now);
                Assert.Equal(expected, await reports.SummaryAsync(team, day, day, CancellationToken.None));
                var expectedFirst = await oracle.FirstResponseAsync(team, day, day, now);
                var actualFirst = await reports.FirstResponseAsync(team, day, day, CancellationToken.None);
                Assert.Equal(expectedFirst.Buckets, actualFirst.Buckets);
                Assert.Equal(expectedFirst.Daily, actualFirst.Daily);
            }
        }

        Assert.True((await reports.SummaryAsync("care", day, day, CancellationToken.None)).Single().Received >= 16_000);
    }

    [Fact]
    public async Task AddAsync_GroupOfLongTextsOnDaysWithLargeTallies_EveryTransactionUnderFourMiB()
    {
        var sizes = new TransactionSizes();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: s => s.AddSingleton<HttpPipelinePolicy>(sizes));
        var services = api.Harness.Services;
        var index = services.GetRequiredService<HandoffIndex>();
        var policy = (await services.GetRequiredService<LivePolicies>().GetSlaAsync(CancellationToken.None)).Resolve("care", "P2");
        var calendar = policy.Calendar;
        var random = new Random(21);
        HandoffRecord Handoff(string key, DateTimeOffset created, string text)
        {
            var clocksFrom = created.AddMinutes(-random.Next(600, 60_000));
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", "P2", 50, "Negative", -0.5, [], text, "en", null, null, null, created, created, clocksFrom + policy.FirstResponse, clocksFrom + policy.Resolution), "", created);
            return HandoffRow.WithDueTimes(HandoffRow.ToRecord(row) with { Sla = HandoffSla.Start("care", "P2", policy, clocksFrom) }, calendar);
        }

        // Thirty earlier days whose tallies each hold a nearly full shard (as a busy backlog leaves them), written as the index would.
        var today = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        var busy = DayTally.Sum(today.AddDays(-1), Enumerable.Range(0, 12_000)
            .Select(i => DayTally.Of(index.Row(Handoff($"test:busy-{i}", Harness.Start.AddDays(-1), "t"), calendar))!.Value.Tally));
        var shard = DayTally.Split(busy, maxBytes: 47_000)[0].ToEntity(HandoffIndex.Partition("care", false));
        var table = api.Harness.Table(StorageNames.HandoffIndexTable);
        for (var d = 1; d <= 30; d++)
        {
            var day = today.AddDays(-d);
            shard.RowKey = DayTally.Key(day);
            shard["Day"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            await table.UpsertEntityAsync(shard, TableUpdateMode.Replace);
        }

        // Thirty handoffs of those days with texts of 30,000 characters that the JSON writer escapes (6 bytes each), arriving together.
        var text = new string('é', 30_000);
        var handoffs = Enumerable.Range(1, 30).Select(d => Handoff($"test:long-{d}", Harness.Start.AddDays(-d), text)).ToList();
        var tickets = handoffs.Select(_ => index.Expect("care")).ToList();
        await Task.WhenAll(handoffs.Select((h, i) => index.AddAsync(h, calendar, [], CancellationToken.None, tickets[i])));
        tickets.ForEach(t => t.Dispose());

        Assert.Equal(30, await index.CountAsync(HandoffIndex.Partition("care", false), CancellationToken.None));
        Assert.True(sizes.Largest <= 4 * 1024 * 1024, $"largest transaction {sizes.Largest} bytes");
        Assert.True(sizes.Count >= 2, $"{sizes.Count} transactions");
    }

    internal static MentionMessage Mention(int i, Random random)
    {
        var text = random.Next(4) switch
        {
            0 => $"@contoso is the autumn menu at the {Harness.Place(i)} store vegetarian friendly?",
            1 => $"@contoso I was charged twice at {Harness.Place(i)}, I want a refund now",
            2 => $"@contoso my parcel to {Harness.Place(i)} never arrived, where is the courier?",
            _ => $"@contoso food poisoning after dinner at {Harness.Place(i)}, my kid is in hospital",
        };
        var id = "m" + i.ToString(CultureInfo.InvariantCulture);
        return new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", random.Next(2) == 0 ? 120 : 250_000, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", Harness.Start, "contoso");
    }

    /// <summary>The largest entity-group transaction the app's clients send, in bytes as sent.</summary>
    private sealed class TransactionSizes : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<long> _sizes = new();

        public long Largest => _sizes.DefaultIfEmpty(0).Max();

        public int Count => _sizes.Count;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && message.Request.Content is { } content)
            {
                using var body = new MemoryStream();
                content.WriteTo(body, CancellationToken.None);
                _sizes.Enqueue(body.Length);
            }
        }
    }

    /// <summary>The summary and first-response reports as they were computed before the tallies: every index row created in the range, judged at <c>now</c>.</summary>
    private sealed class RowScan(TableClient table, WorkQueries queries)
    {
        private static readonly (string Label, double UpTo)[] BucketEdges =
            [("< 15 min", 15), ("15-60 min", 60), ("1-4 h", 240), ("4-24 h", 1440), (">= 24 h", double.MaxValue)];

        public async Task<List<SlaSummaryRow>> SummaryAsync(string? team, DateOnly from, DateOnly to, DateTimeOffset now)
        {
            var samples = await SamplesAsync(team, from, to, now);
            return samples
                .GroupBy(s => (s.View.Handoff.Team, Day: DateOnly.FromDateTime(s.View.Handoff.CreatedAt.UtcDateTime)))
                .OrderBy(g => g.Key.Team, StringComparer.Ordinal).ThenBy(g => g.Key.Day)
                .Select(g =>
                {
                    var frMet = g.Count(s => s.View.FirstResponse == SlaStatus.Met);
                    var frBreached = g.Count(s => s.View.FirstResponse is SlaStatus.Breached or SlaStatus.MissedButDone);
                    var minutes = g.Where(s => s.Minutes is not null).Select(s => s.Minutes!.Value).Order().ToList();
                    return new SlaSummaryRow(
                        g.Key.Team,
                        g.Key.Day,
                        g.Count(),
                        g.Count(s => !s.View.Handoff.IsResolved),
                        minutes.Count,
                        frMet,
                        frBreached,
                        g.Count(s => s.View.Resolution == SlaStatus.Met),
                        g.Count(s => s.View.Resolution is SlaStatus.Breached or SlaStatus.MissedButDone),
                        g.Count(s => s.View.SlaState == "at-risk"),
                        frMet + frBreached == 0 ? null : Math.Round((double)frMet / (frMet + frBreached), 4),
                        minutes.Count == 0 ? null : Math.Round(Median(minutes), 1));
                })
                .ToList();
        }

        public async Task<FirstResponseReport> FirstResponseAsync(string? team, DateOnly from, DateOnly to, DateTimeOffset now)
        {
            var samples = await SamplesAsync(team, from, to, now);
            var minutes = samples.Where(s => s.Minutes is not null).Select(s => s.Minutes!.Value).ToList();
            var lower = 0.0;
            var buckets = new List<FirstResponseBucket>();
            foreach (var (label, upTo) in BucketEdges)
            {
                var low = lower;
                buckets.Add(new FirstResponseBucket(label, minutes.Count(m => m >= low && m < upTo)));
                lower = upTo;
            }

            var daily = new List<MetRateDay>();
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                var that = samples.Where(s => DateOnly.FromDateTime(s.View.Handoff.CreatedAt.UtcDateTime) == day).ToList();
                var met = that.Count(s => s.View.FirstResponse == SlaStatus.Met);
                var decided = met + that.Count(s => s.View.FirstResponse is SlaStatus.Breached or SlaStatus.MissedButDone);
                daily.Add(new MetRateDay(day, decided == 0 ? null : Math.Round((double)met / decided, 4), that.Count(s => s.Minutes is not null)));
            }

            return new FirstResponseReport(buckets, daily);
        }

        private async Task<List<(HandoffView View, double? Minutes)>> SamplesAsync(string? team, DateOnly from, DateOnly to, DateTimeOffset now)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var filter = team is null
                ? TableClient.CreateQueryFilter($"CreatedAt ge {start} and CreatedAt lt {end}")
                : TableClient.CreateQueryFilter($"PartitionKey ge {team + "|"} and PartitionKey lt {team + "}"} and CreatedAt ge {start} and CreatedAt lt {end}");
            var samples = new List<(HandoffView, double?)>();
            await foreach (var row in table.QueryAsync<TableEntity>($"({filter}) and {HandoffIndex.OnlyItems}"))
            {
                var view = await queries.ViewAsync(HandoffRecord.FromEntity(row), now, CancellationToken.None);
                if (view.Calendar is { } calendar)
                {
                    samples.Add((view, view.Handoff.Sla!.FirstResponse.StoppedAt is { } stopped && view.Handoff.FirstResponse is not null
                        ? view.Handoff.Sla.FirstResponse.Elapsed(calendar, stopped).TotalMinutes
                        : null));
                }
            }

            return samples;
        }

        private static double Median(List<double> sorted) =>
            sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
