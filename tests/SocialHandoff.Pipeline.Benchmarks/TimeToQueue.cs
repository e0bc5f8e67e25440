using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using NCrontab;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Pipeline;

/// <summary>
/// How long a mention takes from its posting to its handoff with the default schedules: the wait for
/// the ingest timer (from Ingest:Schedule's default, posts spread evenly over a day), the wait for the
/// queue trigger's next poll of an idle queue (host.json's maxPollingInterval: the poller has backed off
/// to it between ingest runs), both computed; and, measured on Azurite, one ingest run's worth of
/// mentions enqueued at once and processed to their handoff (enqueue to the handoff row's last write).
/// The X API's own delay before a post is searchable is not in it.
/// </summary>
internal static class TimeToQueue
{
    public static async Task PrintAsync(LocalPipeline pipeline, IServiceProvider services, IReadOnlyList<MentionMessage> sample, int burst)
    {
        var schedule = new IngestScheduleOptions().Schedule;
        var (scheduleMean, scheduleWorst) = ScheduleWait(schedule);
        var polling = HostMaxPollingInterval();

        var queue = services.GetRequiredService<IMentionQueue>();
        var mentions = Enumerable.Range(0, burst).Select(i => sample[i % sample.Count] with { Id = $"ttq-{i}", Source = "bench" }).ToList();
        var enqueued = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(mentions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) => await queue.EnqueueAsync(m, ct));
        var enqueueSeconds = watch.Elapsed.TotalSeconds;
        await pipeline.DrainAsync(TimeSpan.FromMinutes(10), CancellationToken.None);

        var handoffs = await services.GetRequiredService<StorageClients>().GetTableAsync(StorageNames.HandoffsTable, CancellationToken.None);
        var delays = new List<double>();
        // A mention is in a team's queue when its handoff row is written, or, for a copy joining an incident, when its
        // join is recorded: its membership row in Incidents, or its ledger row naming the incident's handoff (the other
        // rows of a handoff's partition are not counted).
        var filter = $"RowKey eq '{HandoffRow.RowKey}' or (RowKey eq '{HandoffRow.LedgerRowKey}' and JoinedHandoffId ne '')";
        var incidents = await services.GetRequiredService<StorageClients>().GetTableAsync(StorageNames.IncidentsTable, CancellationToken.None);
        var joins = $"RowKey ge 'm|' and RowKey lt 'm}}' and Status eq '{MentionLedger.HandedOff}'";
        var counted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (table, query) in new[] { (handoffs, filter), (incidents, joins) })
        {
            await foreach (var row in table.QueryAsync<TableEntity>(query, select: ["MentionKey", "Timestamp"]))
            {
                if (row.GetString("MentionKey") is { } key && key.Contains("ttq-", StringComparison.Ordinal) && counted.Add(key) && row.Timestamp is { } written)
                {
                    delays.Add((written - enqueued).TotalSeconds);
                }
            }
        }

        delays.Sort();
        var p50 = delays.Count > 0 ? delays[delays.Count / 2] : double.NaN;
        var last = delays.Count > 0 ? delays[^1] : double.NaN;
        string S(double seconds) => seconds.ToString(seconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " s";

        Console.WriteLine();
        Console.WriteLine($"Time to the queue (posting -> handoff), default schedules; {delays.Count} of {burst} mentions of one ingest run measured (the rest filtered as spam)");
        Console.WriteLine($"  wait for the ingest timer ({schedule}, computed)      mean {S(scheduleMean)}, worst {S(scheduleWorst)}");
        Console.WriteLine($"  ingest run: enqueue {burst} mentions (measured)             {S(enqueueSeconds)} (plus the source's fetch: one X request per brand and page)");
        Console.WriteLine($"  wait for the next poll of the idle queue (host.json maxPollingInterval {polling:c}, computed)   mean {S(polling.TotalSeconds / 2)}, worst {S(polling.TotalSeconds)}");
        Console.WriteLine($"  enqueue -> handoff written (measured, pump polling at once)   median {S(p50)}, last {S(last)}");
        Console.WriteLine($"  total                                                   mean {S(scheduleMean + enqueueSeconds + (polling.TotalSeconds / 2) + p50)}, worst {S(scheduleWorst + enqueueSeconds + polling.TotalSeconds + last)}");
    }

    // The wait from a post to the next run, for a post at every second of a day.
    private static (double Mean, double Worst) ScheduleWait(string expression)
    {
        var cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        var day = new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);
        double sum = 0, worst = 0;
        const int Seconds = 24 * 60 * 60;
        for (var s = 0; s < Seconds; s++)
        {
            var posted = day.AddSeconds(s).AddMilliseconds(500);
            var wait = (cron.GetNextOccurrence(posted) - posted).TotalSeconds;
            sum += wait;
            worst = Math.Max(worst, wait);
        }

        return (sum / Seconds, worst);
    }

    // host.json at the repository root, as the Functions app is deployed with it; the host's default (1 min) without it.
    private static TimeSpan HostMaxPollingInterval()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "host.json");
            if (File.Exists(path) && File.Exists(Path.Combine(dir.FullName, "SocialHandoff.sln")))
            {
                var value = (string?)JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"]?["maxPollingInterval"];
                return value is null ? TimeSpan.FromMinutes(1) : TimeSpan.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromMinutes(1);
    }
}
