using System.Diagnostics;
using System.Text.Json;

namespace SocialHandoff.Benchmarks.Peer;

internal sealed record PeerRun(double TextsPerSecond, double[] Compounds);

/// <summary>
/// The JavaScript port of VADER (npm vader-sentiment 1.1.3), installed by this benchmark into an
/// ignored folder beside it and run on the same texts in the same run.
/// </summary>
internal static class VaderJsPeer
{
    private const string Package = "vader-sentiment@1.1.3";

    public static PeerRun? Run(IReadOnlyList<string> texts, double seconds)
    {
        var projectDir = FindProjectDir();
        var installDir = Path.Combine(projectDir, ".peer");
        if (!File.Exists(Path.Combine(installDir, "node_modules", "vader-sentiment", "package.json")))
        {
            Directory.CreateDirectory(installDir);
            Console.Error.WriteLine($"installing {Package} into {installDir} ...");
            if (Exec("npm", ["install", "--prefix", installDir, "--no-audit", "--no-fund", "--no-save", Package], installDir, out var npmOut) != 0)
            {
                Console.Error.WriteLine($"npm install failed; the peer column is left empty.\n{npmOut}");
                return null;
            }
        }

        var input = Path.Combine(installDir, "texts.jsonl");
        File.WriteAllLines(input, texts.Select(t => JsonSerializer.Serialize(t)));
        var script = Path.Combine(projectDir, "Peer", "vader-js-bench.js");
        var env = new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(installDir, "node_modules") };
        if (Exec("node", [script, input, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], installDir, out var output, env) != 0)
        {
            Console.Error.WriteLine($"node failed; the peer column is left empty.\n{output}");
            return null;
        }

        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        return new PeerRun(
            root.GetProperty("textsPerSecond").GetDouble(),
            [.. root.GetProperty("compounds").EnumerateArray().Select(e => e.GetDouble())]);
    }

    private static int Exec(string file, string[] arguments, string workingDirectory, out string output, Dictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in env ?? [])
        {
            info.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                output += stderr.Result;
            }

            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            output = $"{file} is not installed: {ex.Message}";
            return -1;
        }
    }

    private static string FindProjectDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SocialHandoff.Benchmarks.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("SocialHandoff.Benchmarks.csproj not found above " + AppContext.BaseDirectory);
    }
}
