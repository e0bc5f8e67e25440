using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Ingestion;
using Microsoft.Extensions.Logging.Abstractions;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Pipeline;

// Pushes N mentions through enqueue -> ProcessMention -> handoff on a fresh in-memory Azurite and prints
// mentions/s and the storage requests per handed-off mention, counted in the Azure SDK's HTTP pipeline.
// usage: dotnet run -c Release --project tests/SocialHandoff.Pipeline.Benchmarks -- [N=2000]
// usage: ... -- sweep [N=10000]   (the SlaSweep benchmark, see SweepBenchmark.cs)
// usage: ... -- api [N=300] [sizes=1000,10000,50000]   (the work API through the local runner's host, a team's queue at each open size, see ApiBenchmark.cs)
// usage: ... -- report   (every figure of issue 16 in one run: this benchmark at 500, api, the scoring eval; then a summary table, see Issue16Report.cs)
if (args.Length > 0 && args[0] == "report")
{
    return await Issue16Report.RunAsync();
}

if (args.Length > 0 && args[0] == "sweep")
{
    return await SweepBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
}

if (args.Length > 0 && args[0] == "api")
{
    await ApiBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? [.. args[2].Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [1_000, 10_000, 50_000]);
    return 0;
}

var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
await using var storage = await BenchmarkStorage.StartAsync();
var (azurite, counter, services) = (storage.Azurite, storage.Counter, storage.Services);
var pipeline = new LocalPipeline(services, new QueuePumpOptions());
await pipeline.InitializeAsync(CancellationToken.None);

var sample = await BenchmarkStorage.SampleAsync();
var queue = services.GetRequiredService<IMentionQueue>();

var cpu = new CpuMeter(azurite.ProcessId);
async Task<(double EnqueueSeconds, double ProcessSeconds)> PushAsync(string run, int count)
{
    var mentions = Enumerable.Range(0, count).Select(i => sample[i % sample.Count] with { Id = $"{run}-{i}", Source = "bench" }).ToList();
    var enqueue = Stopwatch.StartNew();
    await Parallel.ForEachAsync(mentions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) => await queue.EnqueueAsync(m, ct));
    enqueue.Stop();
    var start = cpu.Read();
    var process = Stopwatch.StartNew();
    await pipeline.DrainAsync(TimeSpan.FromMinutes(30), CancellationToken.None);
    process.Stop();
    cpu.Add(run == "run" ? "processing" : $"processing {run}", start, process.Elapsed, count);
    return (enqueue.Elapsed.TotalSeconds, process.Elapsed.TotalSeconds);
}

// Raw Azurite: the same number of messages of a mention's size received and deleted by the same pump
// (batch 16, a new batch at 8 in hand) with a handler that does nothing: the ceiling processing is held to.
var bodies = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "samples", "mentions.jsonl")).Where(l => l.Length > 0)
    .Select(l => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(l))).ToArray();
var clients = services.GetRequiredService<StorageClients>();
async Task<double> RawSecondsAsync(int count, string phase = "raw", Func<string, long, CancellationToken, Task>? handler = null)
{
    var raw = clients.GetRawQueue("bench-raw");
    var rawPoison = clients.GetRawQueue("bench-raw-poison");
    await raw.CreateIfNotExistsAsync();
    await rawPoison.CreateIfNotExistsAsync();
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) => await raw.SendMessageAsync(bodies[i % bodies.Length], ct));
    var pump = new QueuePump(raw, rawPoison, handler ?? ((_, _, _) => Task.CompletedTask), new QueuePumpOptions(), NullLogger.Instance);
    var start = cpu.Read();
    var watch = Stopwatch.StartNew();
    while (true)
    {
        if (await pump.ReceiveAsync(CancellationToken.None, CancellationToken.None) == 0)
        {
            if (pump.InHand == 0)
            {
                break;
            }

            await pump.WhenHandledAsync();
        }
    }

    await pump.WhenHandledAsync();
    cpu.Add(phase, start, watch.Elapsed, count);
    return watch.Elapsed.TotalSeconds;
}

await PushAsync("warmup", 200);
// As many as measured: after 200 the pump's own path was still being compiled (this process's CPU per message
// twice the later run's), so the raw run before was slowed by this process, not by Azurite.
await RawSecondsAsync(n, "raw warm-up");
var rawBefore = await RawSecondsAsync(n);
var before = await pipeline.SummarizeAsync(CancellationToken.None);
counter.Reset();
var (enqueueSeconds, processSeconds) = await PushAsync("run", n);
var (queueRequests, tableRequests) = counter.Read();
// Taken now, so the raw and floor runs after the run are not in the breakdown.
var requestsByKind = counter.ByKind().ToDictionary();
var after = await pipeline.SummarizeAsync(CancellationToken.None);
// Enqueued here, not by an ingest run: the summary counts them as handed off from elsewhere.
var handedOff = after.HandedOff + after.OtherHandedOff - before.HandedOff - before.OtherHandedOff;
// The sample's adverts are held as spam: accounted for, but not handoffs (copies that join an incident are).
var filtered = after.Filtered + after.OtherFiltered - before.Filtered - before.OtherFiltered;
var deadLettered = after.DeadLettered + after.OtherDeadLetters - before.DeadLettered - before.OtherDeadLetters;
var rawAfter = await RawSecondsAsync(n);
// Both raw runs together (messages over seconds), as the run between them met the queues half full on average;
// the mean of the two rates would weigh the faster run's seconds more.
var rawRate = 2.0 * n / (rawBefore + rawAfter);

// The floors: the least a mention can cost while each message carries one mention. Every message is received and
// deleted as in the raw run; a mention with a handoff of its own adds its own write (one transaction of three rows
// in a partition of its own: the handoff, its created event, its ledger row) and one team message. Nothing else: no
// scoring, routing, index, incident, spam or volume work. Two floors: every mention its own handoff, and this run's
// mix (the share that sent a team message; joined copies and filtered mentions cost nothing). A floor's rate
// against raw is the highest share a one-mention message can reach on this store.
var floorTable = await clients.GetTableAsync("BenchFloor", CancellationToken.None);
var floorTeam = clients.GetRawQueue("bench-floor-team");
await floorTeam.CreateIfNotExistsAsync();
var ownHandoffShare = (double)requestsByKind.GetValueOrDefault("POST team-*/messages") / n;
async Task<double> FloorSecondsAsync(string phase, double handoffShare)
{
    // Each run starts with the floor's team queue empty: Azurite's cost per request grows with the messages it holds.
    await floorTeam.ClearMessagesAsync();
    long seen = 0;
    return await RawSecondsAsync(n, phase, async (body, _, cancellationToken) =>
    {
        // Spreads the handoffs evenly over the messages: the k-th message is one when the running share steps up.
        var k = Interlocked.Increment(ref seen);
        if (Math.Floor(k * handoffShare) == Math.Floor((k - 1) * handoffShare))
        {
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        await floorTable.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity(id, "handoff") { ["Text"] = body }),
            new(TableTransactionActionType.Add, new TableEntity(id, "event-created") { ["Kind"] = "created" }),
            new(TableTransactionActionType.Add, new TableEntity(id, "ledger") { ["Status"] = "handed-off" }),
        ], cancellationToken);
        await floorTeam.SendMessageAsync(body, cancellationToken);
    });
}

// Rounds of raw, then each floor, at the run's N: a run of 500 lasts about a second, so one round is at the mercy of
// Azurite's once-a-minute clean-up; each figure is its rounds' messages over their seconds, against the rounds' raw.
const int FloorRounds = 3;
await FloorSecondsAsync("floor warm-up", 1);
var (floorRawSeconds, allSeconds, mixSeconds) = (0.0, 0.0, 0.0);
for (var round = 0; round < FloorRounds; round++)
{
    await floorTeam.ClearMessagesAsync();
    floorRawSeconds += await RawSecondsAsync(n, "raw, floor rounds");
    allSeconds += await FloorSecondsAsync("floor, every mention", 1);
    mixSeconds += await FloorSecondsAsync("floor, run's mix", ownHandoffShare);
}

var floorRawRate = FloorRounds * n / floorRawSeconds;
var floors = new (string Name, double Rate)[]
{
    ("every mention its own handoff", FloorRounds * n / allSeconds),
    ($"this run's mix ({100 * ownHandoffShare:F0}% own handoffs)", FloorRounds * n / mixSeconds),
};

Console.WriteLine();
var pumpOptions = new QueuePumpOptions();
Console.WriteLine($"Pipeline benchmark: {n} mentions on Azurite {azurite.QueuePort}/{azurite.TablePort} (in memory), {Environment.ProcessorCount} cores, batch {pumpOptions.BatchSize} + new batch at {pumpOptions.NewBatchThreshold} in hand (up to {pumpOptions.BatchSize + pumpOptions.NewBatchThreshold} in flight), load average {LoadAverage()}");
Console.WriteLine($"  handed off                      {handedOff} (filtered as spam {filtered}, dead-lettered {deadLettered}: {handedOff + filtered + deadLettered} of {n} accounted for)");
Console.WriteLine($"  enqueue (ingest side)           {n / enqueueSeconds,8:F0} mentions/s");
Console.WriteLine($"  process (ProcessMention)        {n / processSeconds,8:F0} mentions/s");
Console.WriteLine($"  end to end                      {n / (enqueueSeconds + processSeconds),8:F0} mentions/s");
Console.WriteLine($"  raw Azurite receive + delete    {rawRate,8:F0} messages/s (same pump, handler doing nothing; {n / rawBefore:F0} before, {n / rawAfter:F0} after the run)");
Console.WriteLine($"  processing as a share of raw    {100 * (n / processSeconds) / rawRate,8:F0} %");
Console.WriteLine($"  floors, {FloorRounds} rounds against raw {floorRawRate:F0} messages/s in the same rounds (receive + delete; an own handoff adds its own 3-row transaction and one team message, nothing else): the most a one-mention message can reach here");
foreach (var (name, rate) in floors)
{
    Console.WriteLine($"    {name,-38} {rate,6:F0} messages/s, {100 * rate / floorRawRate,3:F0} % of raw");
}

Console.WriteLine($"  storage requests                {queueRequests + tableRequests} (queue {queueRequests}, table {tableRequests})");
Console.WriteLine($"  requests per handed-off mention {(double)(queueRequests + tableRequests) / handedOff:F2} (queue {(double)queueRequests / handedOff:F2}, table {(double)tableRequests / handedOff:F2})");
// Which side each phase waited on: Azurite (one node thread) near 100% of the wall time means Azurite-bound.
Console.WriteLine("  CPU per message, this process / Azurite (share of the phase's wall time):");
foreach (var phase in new[] { "raw", "processing", "raw, floor rounds", "floor, every mention", "floor, run's mix" })
{
    var (wall, ours, azuriteCpu, messages) = cpu.Phases[phase];
    Console.WriteLine($"    {phase,-28} {1e6 * ours.TotalSeconds / messages,6:F0} us / {1e6 * azuriteCpu.TotalSeconds / messages,6:F0} us  ({100 * ours / wall,3:F0}% / {100 * azuriteCpu / wall,3:F0}%)");
}

foreach (var (kind, count) in requestsByKind.OrderByDescending(kv => kv.Value))
{
    Console.WriteLine($"    {kind,-40} {(double)count / handedOff,6:F2}");
}

await TimeToQueue.PrintAsync(pipeline, services, sample, 50);
await LoneMentionAsync(10);
return handedOff + filtered + deadLettered == n ? 0 : 1;

// One mention at a time with nothing else in flight: group commits must not hold a lone mention (they wait only for writers said to be coming).
async Task LoneMentionAsync(int count)
{
    var stage = services.GetRequiredService<SocialHandoff.Core.Processing.ProcessMentionStage>();
    var times = new List<double>();
    for (var i = 0; i < count; i++)
    {
        var body = SocialHandoff.Core.Ingestion.MentionJson.Serialize(sample[(i * 37) % sample.Count] with { Id = $"lone-{i}", Source = "bench" });
        var watch = Stopwatch.StartNew();
        await stage.ProcessAsync(body, 1, CancellationToken.None);
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"  a lone mention (nothing else in flight), ProcessMention: median {times[count / 2]:F0} ms, slowest {times[^1]:F0} ms of {count} (group commit waits at most {SocialHandoff.Core.Storage.GroupCommit<int>.MaxWait.TotalMilliseconds:F0} ms, only for writers said to be coming)");
}

// The 1-minute load average (Linux), so a figure can be read against how busy the machine was.
static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

/// <summary>CPU time of this process and of Azurite's node process by phase, to tell which side a phase waits on.</summary>
internal sealed class CpuMeter(int azuritePid)
{
    public Dictionary<string, (TimeSpan Wall, TimeSpan Ours, TimeSpan Azurite, int Messages)> Phases { get; } = new(StringComparer.Ordinal);

    public (TimeSpan Ours, TimeSpan Azurite) Read()
    {
        using var azurite = Process.GetProcessById(azuritePid);
        return (Process.GetCurrentProcess().TotalProcessorTime, azurite.TotalProcessorTime);
    }

    /// <summary>Adds what was spent since <paramref name="start"/> to the phase (the raw runs before and after add up).</summary>
    public void Add(string phase, (TimeSpan Ours, TimeSpan Azurite) start, TimeSpan wall, int messages)
    {
        var (ours, azurite) = Read();
        var sum = Phases.GetValueOrDefault(phase);
        Phases[phase] = (sum.Wall + wall, sum.Ours + ours - start.Ours, sum.Azurite + azurite - start.Azurite, sum.Messages + messages);
    }
}

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
        if (resource == "$batch")
        {
            // Which table a transaction writes, read from its first sub-request's address (the count is unchanged).
            resource += " " + BatchTable(message.Request.Content);
        }

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

    private static string BatchTable(RequestContent? content)
    {
        if (content is null)
        {
            return "?";
        }

        using var buffer = new MemoryStream();
        content.WriteTo(buffer, CancellationToken.None);
        var match = System.Text.RegularExpressions.Regex.Match(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), @"/devstoreaccount1/([A-Za-z0-9]+)");
        return match.Success ? match.Groups[1].Value : "?";
    }

    public void Reset()
    {
        _byKind.Clear();
        Interlocked.Exchange(ref _queue, 0);
        Interlocked.Exchange(ref _table, 0);
    }

    public (long Queue, long Table) Read() => (Interlocked.Read(ref _queue), Interlocked.Read(ref _table));
}
