using System.Diagnostics;
using System.Text.Json;

namespace SocialHandoff.Benchmarks.Peer;

/// <summary>
/// <c>score</c> and the JS port each as a whole process on the same file of JSON lines: start, read
/// it all from standard input, write an answer per line, exit. Rounds alternate between the two, so a
/// change in the machine's load falls on both; each round's texts/s is lines over wall-clock time.
/// Each round also runs both on an empty input: start-up and exit alone, so what a line costs after
/// start-up can be told from what starting costs.
/// </summary>
internal static class WholeProcessRounds
{
    /// <param name="Ours">Texts/s of `score` per round, start to exit.</param>
    /// <param name="Peer">Texts/s of the port's script per round.</param>
    /// <param name="OursEmpty">Seconds of `score` on an empty input per round (start-up and exit).</param>
    /// <param name="PeerEmpty">Seconds of the port's script on an empty input per round.</param>
    public sealed record Result(int Lines, double[] Ours, double[] Peer, double[] OursEmpty, double[] PeerEmpty);

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
        for (var r = 0; r < rounds; r++)
        {
            oursRounds[r] = lines / (Time(ours, input, lines) ?? double.NaN);
            peerRounds[r] = lines / (Time(peer, input, lines) ?? double.NaN);
            oursEmpty[r] = Time(ours, empty, 0) ?? double.NaN;
            peerEmpty[r] = Time(peer, empty, 0) ?? double.NaN;
        }

        return new Result(lines, oursRounds, peerRounds, oursEmpty, peerEmpty);
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
