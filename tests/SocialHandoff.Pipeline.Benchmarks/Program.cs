using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Local.Pipeline;

// Pushes N mentions through enqueue -> ProcessMention -> handoff on a fresh in-memory Azurite and prints
// mentions/s and the storage requests per handed-off mention, counted in the Azure SDK's HTTP pipeline.
// usage: dotnet run -c Release --project tests/SocialHandoff.Pipeline.Benchmarks -- [N=2000]
// usage: ... -- sweep [N=10000]   (the SlaSweep benchmark, see SweepBenchmark.cs)
// usage: ... -- api [N=300] [sizes=1000,10000,50000]   (the work API through the local runner's host, a team's queue at each open size, see ApiBenchmark.cs)
if (args.Length > 0 && args[0] == "sweep")
{
    return await SweepBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
}

if (args.Length > 0 && args[0] == "api")
{
    return await ApiBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? [.. args[2].Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [1_000, 10_000, 50_000]);
}

var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
await using var storage = await BenchmarkStorage.StartAsync();
var (azurite, counter, services) = (storage.Azurite, storage.Counter, storage.Services);
var pipeline = new LocalPipeline(services, new QueuePumpOptions());
await pipeline.InitializeAsync(CancellationToken.None);

var sample = await BenchmarkStorage.SampleAsync();
var queue = services.GetRequiredService<IMentionQueue>();

async Task<(double EnqueueSeconds, double ProcessSeconds)> PushAsync(string run, int count)
{
    var mentions = Enumerable.Range(0, count).Select(i => sample[i % sample.Count] with { Id = $"{run}-{i}", Source = "bench" }).ToList();
    var enqueue = Stopwatch.StartNew();
    await Parallel.ForEachAsync(mentions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) => await queue.EnqueueAsync(m, ct));
    enqueue.Stop();
    var process = Stopwatch.StartNew();
    await pipeline.DrainAsync(TimeSpan.FromMinutes(30), CancellationToken.None);
    process.Stop();
    return (enqueue.Elapsed.TotalSeconds, process.Elapsed.TotalSeconds);
}

await PushAsync("warmup", 200);
var before = await pipeline.SummarizeAsync(CancellationToken.None);
counter.Reset();
var (enqueueSeconds, processSeconds) = await PushAsync("run", n);
var (queueRequests, tableRequests) = counter.Read();
var after = await pipeline.SummarizeAsync(CancellationToken.None);
// Enqueued here, not by an ingest run: the summary counts them as other mentions handed off.
var handedOff = after.HandedOff + after.OtherHandedOff - before.HandedOff - before.OtherHandedOff;

Console.WriteLine();
Console.WriteLine($"Pipeline benchmark: {n} mentions on Azurite {azurite.QueuePort}/{azurite.TablePort} (in memory), {Environment.ProcessorCount} cores, batch 16");
Console.WriteLine($"  handed off                      {handedOff} (dead-lettered {after.DeadLettered - before.DeadLettered})");
Console.WriteLine($"  enqueue (ingest side)           {n / enqueueSeconds,8:F0} mentions/s");
Console.WriteLine($"  process (ProcessMention)        {n / processSeconds,8:F0} mentions/s");
Console.WriteLine($"  end to end                      {n / (enqueueSeconds + processSeconds),8:F0} mentions/s");
Console.WriteLine($"  storage requests                {queueRequests + tableRequests} (queue {queueRequests}, table {tableRequests})");
Console.WriteLine($"  requests per handed-off mention {(double)(queueRequests + tableRequests) / handedOff:F2} (queue {(double)queueRequests / handedOff:F2}, table {(double)tableRequests / handedOff:F2})");
foreach (var (kind, count) in counter.ByKind().OrderByDescending(kv => kv.Value))
{
    Console.WriteLine($"    {kind,-40} {(double)count / handedOff,6:F2}");
}

return handedOff == n ? 0 : 1;

/// <summary>Counts every request the storage clients send (each retry too), by service.</summary>
internal sealed class RequestCounter(int tablePort) : HttpPipelineSynchronousPolicy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private long _queue;
    private long _table;

    /// <summary>Requests by method and resource (table name, or queue name with team queues together), for the breakdown per mention.</summary>
    public IReadOnlyDictionary<string, long> ByKind() => _byKind;

    public override void OnSendingRequest(HttpMessage message)
    {
        var path = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = path.Length > 1 ? path[1] : "?";
        resource = resource.StartsWith("team-", StringComparison.Ordinal) ? "team-*" : resource.Split('(')[0];
        _byKind.AddOrUpdate($"{message.Request.Method} {resource}{(path.Length > 2 ? "/" + path[2] : "")}", 1, (_, n) => n + 1);
        if (message.Request.Uri.Port == tablePort)
        {
            Interlocked.Increment(ref _table);
        }
        else
        {
            Interlocked.Increment(ref _queue);
        }
    }

    public void Reset()
    {
        _byKind.Clear();
        Interlocked.Exchange(ref _queue, 0);
        Interlocked.Exchange(ref _table, 0);
    }

    public (long Queue, long Table) Read() => (Interlocked.Read(ref _queue), Interlocked.Read(ref _table));
}
