using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SocialHandoff.Local.Processes;

namespace SocialHandoff.Benchmarks.Peer;

/// <summary>
/// The JavaScript port of VADER (npm vader-sentiment 1.1.3), installed by this benchmark into an
/// ignored folder beside it and run on the same texts in the same run. The node process stays up
/// between timing rounds, so they can alternate with this engine's.
/// </summary>
internal sealed class VaderJsPeer : IDisposable
{
    private const string Package = "vader-sentiment@1.1.3";

    private readonly Process _node;
    private readonly Task<string> _stderr;

    private VaderJsPeer(Process node, Task<string> stderr, double[] compounds)
    {
        _node = node;
        _stderr = stderr;
        Compounds = compounds;
    }

    /// <summary>The port's compound for each text, in order.</summary>
    public double[] Compounds { get; }

    /// <summary>Installs the package if needed and starts node on the texts; null (said on stderr) when that fails.</summary>
    public static VaderJsPeer? Start(IReadOnlyList<string> texts)
    {
        var projectDir = FindProjectDir();
        var installDir = Path.Combine(projectDir, ".peer");
        if (!File.Exists(Path.Combine(installDir, "node_modules", "vader-sentiment", "package.json")))
        {
            Directory.CreateDirectory(installDir);
            Console.Error.WriteLine($"installing {Package} into {installDir} ...");
            var (exitCode, npmOut) = Npm(["install", "--prefix", installDir, "--no-audit", "--no-fund", "--no-save", Package], installDir);
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"npm install failed; the peer column is left empty.\n{npmOut}");
                return null;
            }
        }

        var input = Path.Combine(installDir, "texts.jsonl");
        File.WriteAllLines(input, texts.Select(t => JsonSerializer.Serialize(t)));
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = installDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(projectDir, "Peer", "vader-js-bench.js"));
        info.ArgumentList.Add(input);
        info.Environment["NODE_PATH"] = Path.Combine(installDir, "node_modules");

        Process node;
        try
        {
            node = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.Error.WriteLine($"node is not installed ({ex.Message}); the peer column is left empty.");
            return null;
        }

        // stderr is drained from the start: a full pipe would stall node.
        var stderr = node.StandardError.ReadToEndAsync();
        var first = node.StandardOutput.ReadLine();
        if (first is null)
        {
            node.WaitForExit();
            node.Dispose();
            Console.Error.WriteLine($"node failed; the peer column is left empty.\n{stderr.Result}");
            return null;
        }

        using var document = JsonDocument.Parse(first);
        return new VaderJsPeer(node, stderr, [.. document.RootElement.GetProperty("compounds").EnumerateArray().Select(e => e.GetDouble())]);
    }

    /// <summary>Has node score all the texts in whole passes for at least <paramref name="seconds"/>; returns its texts/s.</summary>
    public double Round(double seconds)
    {
        _node.StandardInput.WriteLine(seconds.ToString(CultureInfo.InvariantCulture));
        _node.StandardInput.Flush();
        var line = _node.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"node stopped during a timing round.\n{(_node.WaitForExit(5000) ? _stderr.Result : "")}");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("textsPerSecond").GetDouble();
    }

    // Closing stdin ends the script; a process that does not end is killed, so none outlives the run.
    public void Dispose()
    {
        try
        {
            _node.StandardInput.Close();
            if (!_node.WaitForExit(5000))
            {
                _node.Kill();
                _node.WaitForExit();
            }
        }
        finally
        {
            _node.Dispose();
        }
    }

    private static (int ExitCode, string Output) Npm(string[] arguments, string workingDirectory)
    {
        try
        {
            return ProcessRunner.RunAsync("npm", arguments, workingDirectory, null, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"npm is not installed: {ex.Message}");
        }
    }

    internal static string FindProjectDir()
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
