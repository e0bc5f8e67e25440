using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SocialHandoff.Benchmarks.Peer;

/// <summary>
/// <c>score</c> and the JS port each as a whole process on the same file of JSON lines: start, read
/// it all from standard input, write an answer per line, exit. Rounds alternate between the two, so a
/// change in the machine's load falls on both; each round's texts/s is lines over wall-clock time.
/// Each round also runs both on an empty input: start-up and exit alone, so what a line costs after
/// start-up can be told from what starting costs. Beside the wall clock, each run's CPU seconds (user
/// and system, all threads: getrusage of the ended child on Linux) are kept: on a shared machine they
/// move far less with the load than the wall clock does.
/// </summary>
internal static class WholeProcessRounds
{
    /// <param name="Ours">Texts/s of `score` per round, start to exit.</param>
    /// <param name="Peer">Texts/s of the port's script per round.</param>
    /// <param name="OursEmpty">Seconds of `score` on an empty input per round (start-up and exit).</param>
    /// <param name="PeerEmpty">Seconds of the port's script on an empty input per round.</param>
    /// <param name="OursCpu">CPU seconds of `score` per round on the lines, then on the empty input (NaN where not measured).</param>
    /// <param name="PeerCpu">CPU seconds of the port's script per round on the lines, then on the empty input.</param>
    public sealed record Result(int Lines, double[] Ours, double[] Peer, double[] OursEmpty, double[] PeerEmpty, (double Lines, double Empty)[] OursCpu, (double Lines, double Empty)[] PeerCpu);

    /// <summary>Null (said on stderr) when a process cannot be run or answers a line short.</summary>
    public static Result? Run(IReadOnlyList<string> texts, int copies, int rounds)
    {
        var projectDir = VaderJsPeer.FindProjectDir();
        var installDir = Path.Combine(projectDir, ".peer");
        var input = Path.Combine(installDir, "score-input.jsonl");
        using (var writer = new StreamWriter(input))
        {
            for (var copy = 0; copy < copies; copy++)
            {
                foreach (var text in texts)
                {
                    writer.WriteLine(JsonSerializer.Serialize(new { text }));
                }
            }
        }

        var lines = texts.Count * copies;
        var ours = OursCommand();
        var peer = new ProcessStartInfo("node") { WorkingDirectory = installDir };
        peer.ArgumentList.Add(Path.Combine(projectDir, "Peer", "vader-js-score.js"));
        peer.Environment["NODE_PATH"] = Path.Combine(installDir, "node_modules");

        var oneLine = Path.Combine(installDir, "score-one.jsonl");
        File.WriteAllText(oneLine, "{\"text\":\"warm the file cache\"}\n");
        var empty = Path.Combine(installDir, "score-empty.jsonl");
        File.WriteAllText(empty, "");
        if (Time(ours, oneLine, 1) is null || Time(peer, oneLine, 1) is null)
        {
            return null;
        }

        var oursRounds = new double[rounds];
        var peerRounds = new double[rounds];
        var oursEmpty = new double[rounds];
        var peerEmpty = new double[rounds];
        var oursCpu = new (double, double)[rounds];
        var peerCpu = new (double, double)[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var before = ChildrenCpuSeconds();
            oursRounds[r] = lines / (Time(ours, input, lines) ?? double.NaN);
            var afterOurs = ChildrenCpuSeconds();
            peerRounds[r] = lines / (Time(peer, input, lines) ?? double.NaN);
            var afterPeer = ChildrenCpuSeconds();
            oursEmpty[r] = Time(ours, empty, 0) ?? double.NaN;
            var afterOursEmpty = ChildrenCpuSeconds();
            peerEmpty[r] = Time(peer, empty, 0) ?? double.NaN;
            var afterPeerEmpty = ChildrenCpuSeconds();
            oursCpu[r] = (afterOurs - before, afterOursEmpty - afterPeer);
            peerCpu[r] = (afterPeer - afterOurs, afterPeerEmpty - afterOursEmpty);
        }

        return new Result(lines, oursRounds, peerRounds, oursEmpty, peerEmpty, oursCpu, peerCpu);
    }

    // The runner's own executable beside this one (the project reference copies it): `score` as a user runs it.
    private static ProcessStartInfo OursCommand()
    {
        var host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "SocialHandoff.Local.exe" : "SocialHandoff.Local");
        var info = File.Exists(host) ? new ProcessStartInfo(host) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "SocialHandoff.Local.dll") } };
        info.ArgumentList.Add("score");
        info.WorkingDirectory = AppContext.BaseDirectory;
        return info;
    }

    // Seconds from start to exit with the file on standard input and the answers read as they come; null when it fails.
    private static double? Time(ProcessStartInfo info, string inputFile, int expectedLines)
    {
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var feed = Task.Run(async () =>
        {
            await using (var file = File.OpenRead(inputFile))
            {
                await file.CopyToAsync(process.StandardInput.BaseStream);
            }

            process.StandardInput.Close();
        });
        var answers = CountLines(process.StandardOutput.BaseStream);
        process.WaitForExit();
        watch.Stop();
        feed.GetAwaiter().GetResult();
        if (process.ExitCode != 0 || answers != expectedLines)
        {
            Console.Error.WriteLine($"{info.FileName} {string.Join(' ', info.ArgumentList)}: exit {process.ExitCode}, {answers} answers for {expectedLines} lines.\n{stderr.Result}");
            return null;
        }

        return watch.Elapsed.TotalSeconds;
    }

    // User and system seconds of every child this process has waited for (one child runs at a time
    // here, so a difference is that child's); NaN where getrusage is not there.
    private static double ChildrenCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        var usage = new RUsage();
        return GetRUsage(RUsageChildren, ref usage) == 0
            ? usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6)
            : double.NaN;
    }

    private const int RUsageChildren = -1;

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetRUsage(int who, ref RUsage usage);

    // struct rusage on 64-bit Linux (144 bytes): two timevals, then 14 longs this class does not read.
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
    }

    private static int CountLines(Stream output)
    {
        var buffer = new byte[64 * 1024];
        var lines = 0;
        int read;
        while ((read = output.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }
}
