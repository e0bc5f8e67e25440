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
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Web;

/// <summary>
/// <c>api [N=300] [open sizes=1000,10000,50000]</c>: N handoffs made by the pipeline on a fresh Azurite,
/// then the work API through the local runner's HTTP host as the dashboard calls it: one handoff with
/// its events and claim + release on those; and a team's queue page (unfiltered, page 3, and filtered
/// by priority, by unclaimed and by sla=at-risk) and the at-risk SLA report with the team's queue
/// grown to each open size. The growth is loaded into the team's queue index directly
/// (<see cref="HandoffIndex.BulkAddAsync"/>: transactions of 100 entities, 33 handoffs with their due rows), copies of the pipeline's handoffs
/// with new ids, priorities and due times spread over the next 30 days; a page reads only the index,
/// so the copies have no Handoffs rows. Prints mean milliseconds and storage requests per call,
/// counted in the Azure SDK pipeline.
/// </summary>
internal static class ApiBenchmark
{
    private const int Rounds = 20;

    public static async Task<int> RunAsync(int n, IReadOnlyList<int> sizes)
    {
        await using var storage = await BenchmarkStorage.StartAsync();
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
        Console.WriteLine($"API benchmark: {summary.HandedOff + summary.OtherHandedOff} handoffs made by the pipeline on Azurite (in memory), team '{team}' holds {teamCount}; {Environment.ProcessorCount} cores, load average {LoadAverage()}; mean of {Rounds} calls after a warm-up");
        var next = 0;
        await MeasureAsync("one handoff with its events", counter, () => http.GetStringAsync($"api/handoffs/{ids[next++ % ids.Count]}"));
        await MeasureAsync("claim + release (2 actions)", counter, async () =>
        {
            var id = ids[next++ % ids.Count];
            (await http.PostAsync($"api/handoffs/{id}/claim", Empty())).EnsureSuccessStatusCode();
            (await http.PostAsync($"api/handoffs/{id}/release", Empty())).EnsureSuccessStatusCode();
            return "";
        });
        var policies = JsonNode.Parse(await http.GetStringAsync("api/sla-policies"))!["document"]!.ToJsonString();
        await MeasureAsync("SLA preview (every open handoff re-timed)", counter, async () =>
            await (await http.PostAsync($"api/sla-policies/preview?team={team}&priority=P2", new StringContent(policies, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode().Content.ReadAsStringAsync());

        var templates = await TemplatesAsync(services, team);
        var index = services.GetRequiredService<HandoffIndex>();
        var dueIndex = services.GetRequiredService<SlaDueIndex>();
        var calendar = templates[0].Sla is { } sla ? await dueIndex.CalendarAsync(sla, CancellationToken.None) : null;
        var open = await index.CountAsync(HandoffIndex.Partition(team, false), CancellationToken.None);
        foreach (var size in sizes)
        {
            var seed = Stopwatch.StartNew();
            var from = open;
            var copies = Enumerable.Range(from, Math.Max(0, size - from)).Select(i =>
            {
                var copy = Copy(templates[i % templates.Count], i);
                IReadOnlyList<SlaDueRow> due = copy.Sla is { } s && calendar is not null ? dueIndex.Pending(copy.Id, s, calendar) : [];
                return (copy, calendar, due);
            }).ToList();
            await index.BulkAddAsync(copies, 4, CancellationToken.None);
            seed.Stop();
            open = await index.CountAsync(HandoffIndex.Partition(team, false), CancellationToken.None);
            Console.WriteLine($"  team '{team}' with {open:N0} open (grown by {open - from:N0} in {seed.Elapsed.TotalSeconds:F1} s)");
            await MeasureAsync("queue page (25, priority then due)", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?pageSize=25"));
            await MeasureAsync("queue page 3", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?pageSize=25&page=3"));
            await MeasureAsync("queue filtered (priority=P1)", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?priority=P1&pageSize=25"));
            await MeasureAsync("queue filtered (status=unclaimed)", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?status=unclaimed&pageSize=25"));
            await MeasureAsync("queue filtered (sla=at-risk)", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?sla=at-risk&pageSize=25"));
            await MeasureAsync("SLA report: at risk (team)", counter, () => http.GetStringAsync($"api/sla/at-risk?team={team}"));
        }

        return 0;
    }

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

    /// <summary>A copy with its own id, a priority of the four in turn, and its clocks and due times moved later by up to 30 days.</summary>
    private static HandoffRecord Copy(HandoffRecord template, int i)
    {
        var shift = TimeSpan.FromMinutes(i * 7919L % (30 * 24 * 60));
        static SlaClock Move(SlaClock clock, TimeSpan by) =>
            SlaClock.Restore(clock.Target, [.. clock.Segments.Select(s => new ClockSegment(s.Start + by, s.End + by))], clock.StoppedAt + by);
        return template with
        {
            Id = "h-" + i.ToString("x32", CultureInfo.InvariantCulture),
            Priority = "P" + (1 + (i % 4)).ToString(CultureInfo.InvariantCulture),
            FirstResponseDueAt = template.FirstResponseDueAt + shift,
            ResolutionDueAt = template.ResolutionDueAt + shift,
            Sla = template.Sla is { } sla ? sla with { FirstResponse = Move(sla.FirstResponse, shift), Resolution = Move(sla.Resolution, shift) } : null,
            Assignee = i % 5 == 0 ? "ana" : null,

            // A copy with an id of its own leads no incident (its template's incident is the template's).
            IncidentPartition = null,
        };
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static StringContent Empty() => new("{}", System.Text.Encoding.UTF8, "application/json");

    private static async Task MeasureAsync(string name, RequestCounter counter, Func<Task<string>> call)
    {
        await call();
        counter.Reset();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            await call();
        }

        watch.Stop();
        var (queueRequests, tableRequests) = counter.Read();
        Console.WriteLine($"  {name,-40} {watch.Elapsed.TotalMilliseconds / Rounds,8:F1} ms   {(double)(queueRequests + tableRequests) / Rounds,6:F1} storage requests");
    }
}
