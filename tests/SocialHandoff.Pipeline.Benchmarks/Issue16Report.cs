using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

/// <summary>
/// <c>report</c>: every figure issue 16 asks to see, in one run: the pipeline benchmark (N = 500, this
/// program as a child process: requests per handed-off mention, processing mentions/s and its share of
/// raw Azurite, time to the queue), the API benchmark in this process (queue page, filters and SLA
/// reports at 1,000 / 10,000 / 50,000 open), and the scoring evaluation (tests/SocialHandoff.Benchmarks
/// <c>eval</c> as a child process: `score` as a whole process against the JS port, and the full score
/// in-process); each child's output is shown as it runs, then a summary table of measure, figure, bar
/// and whether it is met, with the load average and the time taken. Exits 0 when every part ran (met
/// or not), 1 when a figure could not be read.
/// </summary>
internal static partial class Issue16Report
{
    private const int PipelineMentions = 500;
    private const int ApiHandoffs = 300;
    private static readonly int[] OpenSizes = [1_000, 10_000, 50_000];

    public static async Task<int> RunAsync()
    {
        var started = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var loadAtStart = LoadAverage();
        Console.WriteLine($"Issue 16 report, {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {loadAtStart}");

        Console.WriteLine();
        Console.WriteLine($"== 1/3 pipeline benchmark (-- {PipelineMentions}) ==");
        var mentions = PipelineMentions.ToString(CultureInfo.InvariantCulture);
        var self = Environment.ProcessPath!;
        var (pipelineExit, pipeline) = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? await RunChildAsync(self, [typeof(Issue16Report).Assembly.Location, mentions], null)
            : await RunChildAsync(self, [mentions], null);
        var loadAfterPipeline = LoadAverage();

        Console.WriteLine();
        Console.WriteLine($"== 2/3 API benchmark (-- api {ApiHandoffs} {string.Join(',', OpenSizes)}) ==");
        var api = await ApiBenchmark.RunAsync(ApiHandoffs, OpenSizes);
        var loadAfterApi = LoadAverage();

        Console.WriteLine();
        Console.WriteLine("== 3/3 scoring evaluation (tests/SocialHandoff.Benchmarks -- eval) ==");
        var root = RepositoryRoot();
        var (evalExit, eval) = await RunChildAsync(
            "dotnet", ["run", "-c", "Release", "--project", Path.Combine(root, "tests", "SocialHandoff.Benchmarks"), "--", "eval"], root);
        var loadAtEnd = LoadAverage();

        var rows = new List<(string Measure, string Figure, string Bar, string Met)>();
        var unread = 0;
        string? Read(string text, Regex pattern)
        {
            var match = pattern.Match(text);
            unread += match.Success ? 0 : 1;
            return match.Success ? match.Groups[1].Value : null;
        }

        var perHandoff = Read(pipeline, RequestsPerHandoff());
        var processRate = Read(pipeline, ProcessRate());
        var rawRate = Read(pipeline, RawRate());
        var share = Read(pipeline, ShareOfRaw());
        rows.Add(("storage requests per handed-off mention", perHandoff ?? "not read", "<= 5", Met(perHandoff, v => v <= 5)));
        rows.Add(("processing (ProcessMention) as a share of raw Azurite", share is null ? "not read" : $"{share} % ({processRate} mentions/s against {rawRate} messages/s)", ">= 50 %", Met(share, v => v >= 50)));
        var floors = Floors().Matches(pipeline);
        unread += floors.Count == 2 ? 0 : 1;
        foreach (Match floor in floors)
        {
            // What a mention costing only its message, its team message and its own write would reach: the bar's ceiling here.
            rows.Add(($"floor: {floor.Groups[1].Value.Trim()}", $"{floor.Groups[3].Value} % ({floor.Groups[2].Value} messages/s)", "(the most one mention a message can reach)", ""));
        }

        var toQueue = Read(pipeline, TimeToQueueTotal());
        rows.Add(("time to the queue, default schedules (mean, worst)", toQueue ?? "not read", "reported, with how to shorten it (README)", toQueue is null ? "NO" : "shown"));

        foreach (var call in api.Select(f => f.Call).Distinct())
        {
            var bySize = api.Where(f => f.Call == call).OrderBy(f => f.Open).ToList();
            var requests = bySize.Select(f => f.Requests).ToList();
            var azurite = call.StartsWith("Azurite:", StringComparison.Ordinal);

            // A list of every match (the breaches CSV) and a query across all teams' partitions are not held to a page's bar.
            var unbounded = call.Contains("a list", StringComparison.Ordinal) || call.Contains("all teams", StringComparison.Ordinal);
            var flat = requests.Max() - requests.Min() <= 0.5;
            var figure = string.Join(" / ", bySize.Select(f => $"{f.Milliseconds:F0} ms, {f.Requests:F1} req")) + $" at {string.Join(" / ", bySize.Select(f => f.Open.ToString("N0", CultureInfo.InvariantCulture)))} open";
            rows.Add((azurite ? $"{call} (the emulator's own cost)" : call, figure,
                azurite ? "(for reading the times)" : unbounded ? "(reported: see the note below)" : "<= 3 requests, flat",
                azurite || unbounded ? "" : requests.Max() <= 3 && flat ? "yes" : "NO"));
        }

        var ratio = Read(eval, WholeProcessRatio());
        var full = Read(eval, FullScoreRate());
        rows.Add(("`score` as a whole process vs the JS port (texts/s ratio)", ratio is null ? "not read" : ratio + "x", ">= 30x", Met(ratio, v => v >= 30)));
        rows.Add(("full score in-process, one thread (texts/s)", full ?? "not read", ">= 200,000", Met(full, v => v >= 200_000)));

        Console.WriteLine();
        Console.WriteLine($"Issue 16 summary ({started:yyyy-MM-dd HH:mm} UTC, {watch.Elapsed.TotalMinutes:F1} min; load average {loadAtStart} at the start, {loadAfterPipeline} after the pipeline, {loadAfterApi} after the API, {loadAtEnd} at the end: times are comparable only at a low load, request counts at any)");
        Console.WriteLine();
        Console.WriteLine("| measure | figure | bar | met |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (measure, figure, bar, met) in rows)
        {
            Console.WriteLine($"| {measure} | {figure} | {bar} | {met} |");
        }

        Console.WriteLine();
        Console.WriteLine("The at-risk report reads only clocks at risk (one request per 1,000 of them); the summary and first-response reports read the index's day tallies");
        Console.WriteLine("(a team: one range read of each of its two partitions; all teams: one query on the tallies' keys across partitions, which Azure answers by scanning the");
        Console.WriteLine("table's keys); a page of breaches reads the index's breach rows (one range read of each of the team's partitions; all teams: of each team's),");
        Console.WriteLine("and the breaches CSV every page, as it returns every breach. The Azurite rows are one bare request each,");
        Console.WriteLine("what the emulator's scans cost at that size (README, API benchmark).");
        if (pipelineExit != 0 || evalExit != 0)
        {
            Console.WriteLine($"(pipeline benchmark exit code {pipelineExit}, evaluation exit code {evalExit})");
        }

        return unread == 0 ? 0 : 1;
    }

    private static string Met(string? figure, Func<double, bool> bar) =>
        figure is null ? "NO (not read)" : bar(double.Parse(figure.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)) ? "yes" : "NO";

    /// <summary>Runs a child process, its output shown as it comes and kept for reading the figures.</summary>
    private static async Task<(int ExitCode, string Output)> RunChildAsync(string file, IReadOnlyList<string> arguments, string? workingDirectory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        void Show(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
                Console.WriteLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Show(e.Data);
        process.ErrorDataReceived += (_, e) => Show(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SocialHandoff.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SocialHandoff.sln was not found above the benchmark's folder: run it from the repository.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // The lines the benchmarks print (Program.cs, TimeToQueue.cs, tests/SocialHandoff.Benchmarks EvaluationCommand.cs).
    [GeneratedRegex(@"requests per handed-off mention\s+([0-9.]+)")]
    private static partial Regex RequestsPerHandoff();

    [GeneratedRegex(@"process \(ProcessMention\)\s+([0-9.,]+) mentions/s")]
    private static partial Regex ProcessRate();

    [GeneratedRegex(@"raw Azurite receive \+ delete\s+([0-9.,]+) messages/s")]
    private static partial Regex RawRate();

    [GeneratedRegex(@"processing as a share of raw\s+([0-9.]+) %")]
    private static partial Regex ShareOfRaw();

    [GeneratedRegex(@"^ {4}(\S.*?)\s+([0-9]+) messages/s,\s+([0-9]+) % of raw$", RegexOptions.Multiline)]
    private static partial Regex Floors();

    [GeneratedRegex(@"^\s*total\s+(mean .*)$", RegexOptions.Multiline)]
    private static partial Regex TimeToQueueTotal();

    [GeneratedRegex(@"\| whole process:.*\(([0-9.]+)x; by round")]
    private static partial Regex WholeProcessRatio();

    [GeneratedRegex(@"\| throughput, sentiment \+ urgency \+ reasons \+ severity, one thread \(texts/s\) \| ([0-9,]+)")]
    private static partial Regex FullScoreRate();
}
