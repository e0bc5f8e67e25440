using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Web;

/// <summary>
/// <c>api [N=2000]</c>: N handoffs made by the pipeline on a fresh Azurite, then the work API through
/// the local runner's HTTP host as the dashboard calls it: a team's queue page (the largest team),
/// one handoff with its events, and claim + release. Prints mean milliseconds per call and storage
/// requests per call, counted in the Azure SDK pipeline.
/// </summary>
internal static class ApiBenchmark
{
    private const int Rounds = 30;

    public static async Task<int> RunAsync(int n)
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
        Console.WriteLine($"API benchmark: {summary.HandedOff} handoffs on Azurite (in memory), team '{team}' holds {teamCount}; {Environment.ProcessorCount} cores; mean of {Rounds} calls after a warm-up");
        await MeasureAsync("queue page (25 of the team, sorted)", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?pageSize=25"));
        await MeasureAsync("queue filtered (sla=at-risk)", counter, () => http.GetStringAsync($"api/teams/{team}/handoffs?sla=at-risk"));
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
        return 0;
    }

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
