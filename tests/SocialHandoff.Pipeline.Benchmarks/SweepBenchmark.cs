using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Sla;

/// <summary>
/// <c>sweep [N=10000]</c>: N open handoffs on a fresh Azurite (created 1.2 s apart, 24/7 policy with a
/// 30 min first response and 5 min warning, so about 50 clocks reach a step each minute), then
/// sweeps: one with nothing due, and ten consecutive minutes of normal work. Prints time and storage
/// requests per sweep, counted in the Azure SDK pipeline.
/// </summary>
internal static class SweepBenchmark
{
    public static async Task<int> RunAsync(int n)
    {
        await using var storage = await BenchmarkStorage.StartAsync(new Dictionary<string, string?> { ["Sla:StatsInterval"] = "00:00:00" });
        var (counter, services) = (storage.Counter, storage.Services);
        var store = services.GetRequiredService<PolicyStore>();
        var policies = services.GetRequiredService<LivePolicies>();
        await policies.GetSlaAsync(CancellationToken.None);
        await store.SaveSlaAsync(
            new SlaPolicySet
            {
                Calendars = [new CalendarDefinition { Name = "24x7", AlwaysOpen = true }],
                Policies = [new SlaPolicyDefinition { Name = "bench", Calendar = "24x7", FirstResponse = TimeSpan.FromMinutes(30), Resolution = TimeSpan.FromHours(8), WarnBefore = TimeSpan.FromMinutes(5) }],
            },
            "bench", null, CancellationToken.None);
        policies.Invalidate();
        var book = await policies.GetSlaAsync(CancellationToken.None);
        var policy = book.Resolve("care", "P3");
        var handoffs = services.GetRequiredService<HandoffStore>();
        var index = services.GetRequiredService<SlaDueIndex>();
        var t0 = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

        var seed = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var created = t0.AddSeconds(i * 1.2);
            var sla = HandoffSla.Start("care", "P3", policy, created);
            var id = HandoffIds.For($"bench:{i}");
            await handoffs.CreateAsync(
                new NewHandoff(id, $"bench:{i}", "bench", "care", "default", "P3", 40, "Negative", -0.4, [], "benchmark mention", "en", null, null, null,
                    created, created, sla.FirstResponse.DueAt(policy.Calendar)!.Value, sla.Resolution.DueAt(policy.Calendar)!.Value, sla),
                ct);
            await index.ScheduleAsync(id, sla, ct);
        });
        seed.Stop();
        Console.WriteLine($"seeded {n} open handoffs (2 clocks each, {2 * n} SlaDue rows) in {seed.Elapsed.TotalSeconds:F1} s");

        var sweep = services.GetRequiredService<SlaSweepStage>();
        async Task<(SweepResult Result, double Ms, long Requests)> SweepAt(DateTimeOffset at)
        {
            counter.Reset();
            var watch = Stopwatch.StartNew();
            var result = await sweep.RunAsync(at, CancellationToken.None);
            watch.Stop();
            var (q, t) = counter.Read();
            return (result, watch.Elapsed.TotalMilliseconds, q + t);
        }

        await SweepAt(t0.AddMinutes(1));
        var idle = await SweepAt(t0.AddMinutes(20));
        var minutes = new List<(SweepResult Result, double Ms, long Requests)>();
        for (var m = 25; m < 35; m++)
        {
            minutes.Add(await SweepAt(t0.AddMinutes(m)));
        }

        var rows = minutes.Sum(x => x.Result.RowsRead);
        Console.WriteLine();
        Console.WriteLine($"Sweep benchmark: {n} open handoffs on Azurite (in memory), {Environment.ProcessorCount} cores, parallelism {services.GetRequiredService<IConfiguration>()["Sla:SweepParallelism"] ?? "8"}");
        Console.WriteLine($"  sweep with nothing due            {idle.Ms,8:F1} ms, {idle.Requests} storage requests");
        Console.WriteLine($"  a working minute (mean of 10)     {minutes.Average(x => x.Ms),8:F1} ms, {minutes.Average(x => x.Requests):F0} requests, {rows / 10.0:F1} due rows, {minutes.Sum(x => x.Result.Warnings) / 10.0:F1} warnings, {minutes.Sum(x => x.Result.Breaches) / 10.0:F1} breaches");
        Console.WriteLine($"  requests per due row              {(double)minutes.Sum(x => x.Requests) / Math.Max(1, rows):F2}");
        Console.WriteLine($"  slowest working minute            {minutes.Max(x => x.Ms),8:F1} ms");
        return 0;
    }
}
