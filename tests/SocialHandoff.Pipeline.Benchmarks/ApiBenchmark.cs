using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;
using SocialHandoff.Local.Azurite;
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Web;

/// <summary>
/// <c>api [N=300] [open sizes=1000,10000,50000]</c>: N handoffs made by the pipeline on a fresh Azurite,
/// then the work API through the local runner's HTTP host as the dashboard calls it: one handoff with
/// its events and claim + release on those; then, with the team's queue grown to each open size, its
/// queue page (page 1 and 3, and filtered by priority, unclaimed, sla=at-risk and sla=breached), the
/// SLA reports (at risk; the 14-day summary, for the team and for all teams, and first-response
/// report, which read the index's day tallies; a page of breaches and the next, for the team and for all
/// teams, which read the index's breach rows; the breaches CSV, every page), and two bare Azurite requests (a point read of the count row, the
/// first row of the partition) that show what one request costs the emulator at that size.
/// The growth is loaded into the team's queue index directly (<see cref="HandoffIndex.BulkAddAsync"/>:
/// the index rows and SLA due rows the pipeline writes, in transactions of 100 entities), copies of the
/// pipeline's handoffs with new ids, priorities in turn and clocks moved by -15 to +15 days (about half
/// breached); a page reads only the index, so the copies have no Handoffs rows. The load is quick because
/// the launcher's Azurite/loki-fixes.js lets Azurite find an entity by its RowKey index (stock Azurite
/// scans the partition for every write). Prints mean milliseconds and storage requests per call,
/// counted in the Azure SDK pipeline.
/// </summary>
internal static class ApiBenchmark
{
    private const int Rounds = 20;

    // A call slower than this is timed fewer times (at least 3): a whole-range report at 50,000 open takes seconds.
    private static readonly TimeSpan MeasureBudget = TimeSpan.FromSeconds(4);

    /// <summary>Mean milliseconds and storage requests of one call at one open size.</summary>
    public sealed record ApiFigure(string Call, int Open, double Milliseconds, double Requests);

    public static async Task<IReadOnlyList<ApiFigure>> RunAsync(int n, IReadOnlyList<int> sizes)
    {
        var storage = await BenchmarkStorage.StartAsync();
        await using var _ = storage;
        return await RunAsync(storage, n, sizes);
    }

    private static async Task<IReadOnlyList<ApiFigure>> RunAsync(BenchmarkStorage storage, int n, IReadOnlyList<int> sizes)
    {
        var (counter, services) = (storage.Counter, storage.Services);
        var pipeline = new LocalPipeline(services, new QueuePumpOptions());
        await pipeline.InitializeAsync(CancellationToken.None);
        var sample = await BenchmarkStorage.SampleAsync();
        var queue = services.GetRequiredService<IMentionQueue>();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await queue.EnqueueAsync(sample[i % sample.Count] with { Id = $"api-{i}", Source = "bench" }, ct));
        await pipeline.DrainAsync(TimeSpan.FromMinutes(30), CancellationToken.None);
        var summary = await pipeline.SummarizeAsync(CancellationToken.None);
        var (team, teamCount) = summary.HandoffsByTeam.MaxBy(kv => kv.Value);

        await using var web = await LocalWebHost.StartAsync(services, 0, DashboardFiles.DefaultRoot, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = web.Address };
        http.DefaultRequestHeaders.Add(WorkApi.DevUserHeader, "mia");
        var page = JsonNode.Parse(await http.GetStringAsync($"api/teams/{team}/handoffs?pageSize=25"))!;
        var ids = page["items"]!.AsArray().Select(i => (string)i!["id"]!).ToList();

        Console.WriteLine();
        Console.WriteLine($"API benchmark: {summary.HandedOff + summary.OtherHandedOff} handoffs made by the pipeline on Azurite (in memory), team '{team}' holds {teamCount}; {Environment.ProcessorCount} cores, load average {LoadAverage()}; mean of {Rounds} calls after a warm-up (fewer, at least 3, for a call slower than {MeasureBudget.TotalSeconds:F0} s in all); storage requests counted in the SDK pipeline");
        var next = 0;
        await MeasureAsync("one handoff with its events", 0, counter, () => http.GetStringAsync($"api/handoffs/{ids[next++ % ids.Count]}"));
        await MeasureAsync("claim + release (2 actions)", 0, counter, async () =>
        {
            var id = ids[next++ % ids.Count];
            (await http.PostAsync($"api/handoffs/{id}/claim", Empty())).EnsureSuccessStatusCode();
            (await http.PostAsync($"api/handoffs/{id}/release", Empty())).EnsureSuccessStatusCode();
            return "";
        });
        var policies = JsonNode.Parse(await http.GetStringAsync("api/sla-policies"))!["document"]!.ToJsonString();
        await MeasureAsync("SLA preview (every open handoff re-timed)", 0, counter, async () =>
            await (await http.PostAsync($"api/sla-policies/preview?team={team}&priority=P2", new StringContent(policies, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode().Content.ReadAsStringAsync());

        var templates = await TemplatesAsync(services, team);
        var index = services.GetRequiredService<HandoffIndex>();
        var dueIndex = services.GetRequiredService<SlaDueIndex>();
        var calendar = templates[0].Sla is { } sla ? await dueIndex.CalendarAsync(sla, CancellationToken.None) : null;
        var partition = HandoffIndex.Partition(team, false);
        var indexTable = await services.GetRequiredService<StorageClients>().GetTableAsync(StorageNames.HandoffIndexTable, CancellationToken.None);
        var open = await index.CountAsync(partition, CancellationToken.None);
        var figures = new List<ApiFigure>();
        foreach (var size in sizes)
        {
            var seed = Stopwatch.StartNew();
            var from = open;
            var copies = Enumerable.Range(from, Math.Max(0, size - from)).Select(i =>
            {
                // Due times from the moved clocks on their calendar, as an action writes them (the index's sort and filters read them).
                var copy = HandoffRow.WithDueTimes(Copy(templates[i % templates.Count], i), calendar);
                IReadOnlyList<SlaDueRow> due = copy.Sla is { } s && calendar is not null ? dueIndex.Pending(copy.Id, s, calendar) : [];
                return (copy, calendar, due);
            }).ToList();
            await index.BulkAddAsync(copies, 4, CancellationToken.None);
            seed.Stop();
            open = await index.CountAsync(partition, CancellationToken.None);
            var atRisk = JsonNode.Parse(await http.GetStringAsync($"api/teams/{team}/handoffs?sla=at-risk&pageSize=1"))!;
            var breached = JsonNode.Parse(await http.GetStringAsync($"api/teams/{team}/handoffs?sla=breached&pageSize=1"))!;
            Console.WriteLine($"  team '{team}' with {open:N0} open (grown by {open - from:N0} in {seed.Elapsed.TotalSeconds:F1} s; {Total(breached)} breached, {Total(atRisk)} at risk)");
            async Task Measure(string name, Func<Task<string>> call) => figures.Add(await MeasureAsync(name, open, counter, call));
            await Measure("queue page (25, priority then due)", () => http.GetStringAsync($"api/teams/{team}/handoffs?pageSize=25"));
            await Measure("queue page 3", () => http.GetStringAsync($"api/teams/{team}/handoffs?pageSize=25&page=3"));
            await Measure("queue filtered (priority=P1)", () => http.GetStringAsync($"api/teams/{team}/handoffs?priority=P1&pageSize=25"));
            await Measure("queue filtered (status=unclaimed)", () => http.GetStringAsync($"api/teams/{team}/handoffs?status=unclaimed&pageSize=25"));
            await Measure("queue filtered (sla=at-risk)", () => http.GetStringAsync($"api/teams/{team}/handoffs?sla=at-risk&pageSize=25"));
            await Measure("queue filtered (sla=breached)", () => http.GetStringAsync($"api/teams/{team}/handoffs?sla=breached&pageSize=25"));
            await Measure("SLA report: at risk (team)", () => http.GetStringAsync($"api/sla/at-risk?team={team}"));
            await Measure("SLA report: summary (team, 14 days)", () => http.GetStringAsync($"api/sla/summary?team={team}"));
            await Measure("SLA report: first response (team, 14 days)", () => http.GetStringAsync($"api/sla/first-response?team={team}"));
            await Measure("SLA report: summary (all teams, 14 days)", () => http.GetStringAsync("api/sla/summary"));
            await Measure("SLA report: breaches page (team, 14 days, 100 a page)", () => http.GetStringAsync($"api/sla/breaches?team={team}"));
            var firstPage = JsonNode.Parse(await http.GetStringAsync($"api/sla/breaches?team={team}"))!;
            var continuation = Uri.EscapeDataString((string?)firstPage["continuation"] ?? "");
            await Measure("SLA report: breaches page 2 (team, continuation)", () => http.GetStringAsync($"api/sla/breaches?team={team}" + (continuation.Length > 0 ? "&continuation=" + continuation : "")));
            await Measure("SLA report: breaches page (all teams, 14 days, 100 a page)", () => http.GetStringAsync("api/sla/breaches"));
            await Measure("SLA report: breaches CSV (team, 14 days; a list of every breach)", () => http.GetStringAsync($"api/sla/breaches.csv?team={team}"));
            var breaches = (await http.GetStringAsync($"api/sla/breaches.csv?team={team}")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1;
            Console.WriteLine($"  (the CSV's breaches: {breaches:N0} clocks past their target; a page reads 100 of them)");

            // Azurite alone, no API: what one request costs it at this size (its store evaluates a query's filter on every row of the table).
            await Measure("Azurite: point read of the count row", async () =>
                (await indexTable.GetEntityIfExistsAsync<TableEntity>(partition, HandoffIndex.CountRowKey, cancellationToken: CancellationToken.None)).HasValue ? "" : "");
            await Measure("Azurite: first row of the queue (top 1)", async () =>
            {
                await foreach (var page in indexTable.QueryAsync<TableEntity>($"{TableClient.CreateQueryFilter($"PartitionKey eq {partition}")} and {HandoffIndex.OnlyItems}", maxPerPage: 1).AsPages())
                {
                    return page.Values.Count.ToString(CultureInfo.InvariantCulture);
                }

                return "";
            });
        }

        return figures;
    }

    private static string Total(JsonNode page) => $"{(int)page["total"]!:N0}{((bool?)page["totalAtLeast"] == true ? "+" : "")}";

    /// <summary>The team's handoffs as the pipeline stored them, the models of the copies.</summary>
    private static async Task<List<HandoffRecord>> TemplatesAsync(IServiceProvider services, string team)
    {
        var table = await services.GetRequiredService<StorageClients>().GetTableAsync(StorageNames.HandoffsTable, CancellationToken.None);
        var templates = new List<HandoffRecord>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {HandoffRow.RowKey} and Team eq {team}")))
        {
            templates.Add(HandoffRow.ToRecord(row));
        }

        return templates;
    }

    /// <summary>
    /// A copy with its own id, a priority of the four in turn, and its clocks and due times moved by
    /// -15 to +15 days: about half of a grown queue is breached, as in a real backlog, and a few are at risk.
    /// </summary>
    private static HandoffRecord Copy(HandoffRecord template, int i)
    {
        var shift = TimeSpan.FromMinutes((i * 7919L % (30 * 24 * 60)) - (15 * 24 * 60));
        static SlaClock Move(SlaClock clock, TimeSpan by) =>
            SlaClock.Restore(clock.Target, [.. clock.Segments.Select(s => new ClockSegment(s.Start + by, s.End + by))], clock.StoppedAt + by);
        return template with
        {
            Id = "h-" + i.ToString("x32", CultureInfo.InvariantCulture),
            Priority = "P" + (1 + (i % 4)).ToString(CultureInfo.InvariantCulture),
            Sla = template.Sla is { } sla ? sla with { FirstResponse = Move(sla.FirstResponse, shift), Resolution = Move(sla.Resolution, shift) } : null,
            Assignee = i % 5 == 0 ? "ana" : null,

            // A copy with an id of its own leads no incident (its template's incident is the template's).
            IncidentPartition = null,
        };
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static StringContent Empty() => new("{}", System.Text.Encoding.UTF8, "application/json");

    private static async Task<ApiFigure> MeasureAsync(string name, int open, RequestCounter counter, Func<Task<string>> call)
    {
        await call();
        counter.Reset();
        var watch = Stopwatch.StartNew();
        var rounds = 0;
        while (rounds < Rounds && (rounds < 3 || watch.Elapsed < MeasureBudget))
        {
            await call();
            rounds++;
        }

        watch.Stop();
        var (queueRequests, tableRequests) = counter.Read();
        var figure = new ApiFigure(name, open, watch.Elapsed.TotalMilliseconds / rounds, (double)(queueRequests + tableRequests) / rounds);
        Console.WriteLine($"  {name,-40} {figure.Milliseconds,8:F1} ms   {figure.Requests,6:F1} storage requests{(rounds < Rounds ? $"   ({rounds} calls)" : "")}");
        return figure;
    }
}
