using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SocialHandoff.Infra.Tests;

/// <summary>The output of one Bicep CLI run.</summary>
public sealed record BicepRun(string Arguments, int ExitCode, string Output)
{
    public override string ToString() => $"bicep {Arguments} (exit {ExitCode}){Environment.NewLine}{Output}";
}

/// <summary>
/// Runs the Bicep CLI once per test run, in parallel, on a copy of infra-bicep in a temp folder (snapshot
/// writes next to the parameter file): build of main.bicep, build-params and snapshot of every .bicepparam,
/// lint of every .bicep and .bicepparam file. The tests read the cached results.
/// </summary>
public sealed class BicepFixture : IDisposable
{
    // Fixed ids for the snapshot's deployment scope: the values only appear inside resource ids.
    private const string SubscriptionId = "00000000-0000-0000-0000-0000000000a1";
    private const string TenantId = "00000000-0000-0000-0000-0000000000b2";
    public const string ResourceGroup = "rg-socialhandoff-test";

    private readonly string _work;

    public BicepFixture()
    {
        BicepPath = Metadata("BicepPath");
        RepositoryRoot = Metadata("RepositoryRoot");
        InfraSource = Path.Combine(RepositoryRoot, "infra-bicep");
        if (!File.Exists(BicepPath))
        {
            throw new InvalidOperationException($"The Bicep CLI was not found at '{BicepPath}' ($(BicepPath) from Azure.Bicep.CommandLine.linux-x64).");
        }

        _work = Path.Combine(Path.GetTempPath(), "socialhandoff-infra-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(InfraSource, Path.Combine(_work, "infra-bicep"));
        Infra = Path.Combine(_work, "infra-bicep");
        var output = Directory.CreateDirectory(Path.Combine(_work, "out")).FullName;

        Environments = Directory.GetFiles(Path.Combine(Infra, "parameters"), "*.bicepparam")
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var lintTargets = Directory.GetFiles(Infra, "*.bicep*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();

        var build = RunAsync($"build \"{Path.Combine(Infra, "main.bicep")}\" --outdir \"{output}\"");
        var buildParams = Environments.ToDictionary(e => e, e => RunAsync($"build-params \"{ParamFile(e)}\" --outdir \"{output}\""));
        var snapshots = Environments.ToDictionary(e => e, e => RunAsync(
            $"snapshot \"{ParamFile(e)}\" --mode overwrite --subscription-id {SubscriptionId} --tenant-id {TenantId} --resource-group {ResourceGroup} --location westeurope"));
        var lints = lintTargets.ToDictionary(f => Path.GetRelativePath(Infra, f), f => RunAsync($"lint \"{f}\""));

        Task.WaitAll([build, .. buildParams.Values, .. snapshots.Values, .. lints.Values]);

        Build = build.Result;
        BuildParams = buildParams.ToDictionary(p => p.Key, p => p.Value.Result);
        Snapshots = snapshots.ToDictionary(p => p.Key, p => p.Value.Result);
        Lints = lints.ToDictionary(p => p.Key, p => p.Value.Result);

        var mainJson = Path.Combine(output, "main.json");
        CompiledTemplate = File.Exists(mainJson) ? JsonNode.Parse(File.ReadAllText(mainJson))!.AsObject() : null;
        Predicted = Environments.ToDictionary(e => e, e =>
        {
            var file = Path.Combine(Infra, "parameters", e + ".snapshot.json");
            return File.Exists(file)
                ? JsonNode.Parse(File.ReadAllText(file))!["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList()
                : [];
        });
        CompiledParameters = Environments.ToDictionary(e => e, e =>
        {
            var file = Path.Combine(output, e + ".json");
            return File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file))!["parameters"]!.AsObject() : new JsonObject();
        });
    }

    public string BicepPath { get; }

    public string RepositoryRoot { get; }

    /// <summary>The infra-bicep folder in the repository (read-only for the tests).</summary>
    public string InfraSource { get; }

    /// <summary>The temp copy the CLI ran on.</summary>
    public string Infra { get; }

    /// <summary>Parameter file names without extension (dev, prod, ...), found on disk.</summary>
    public IReadOnlyList<string> Environments { get; }

    public BicepRun Build { get; }

    public IReadOnlyDictionary<string, BicepRun> BuildParams { get; }

    public IReadOnlyDictionary<string, BicepRun> Snapshots { get; }

    /// <summary>Lint run per file, keyed by path relative to infra-bicep.</summary>
    public IReadOnlyDictionary<string, BicepRun> Lints { get; }

    /// <summary>main.json as compiled by `bicep build` (modules inlined as nested deployments).</summary>
    public JsonObject? CompiledTemplate { get; }

    /// <summary>Per environment: the resources the template deploys with that parameter file (`bicep snapshot`), loops and modules expanded.</summary>
    public IReadOnlyDictionary<string, List<JsonObject>> Predicted { get; }

    /// <summary>Per environment: the parameter values compiled by `bicep build-params`.</summary>
    public IReadOnlyDictionary<string, JsonObject> CompiledParameters { get; }

    /// <summary>The predicted resources of one type; fails with the CLI's output when the snapshot could not be made.</summary>
    public IEnumerable<JsonObject> Resources(string environment, string type)
    {
        if (Predicted[environment].Count == 0)
        {
            Assert.Fail($"No snapshot for {environment}: {Snapshots[environment]}");
        }

        return Predicted[environment].Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string ParamFile(string environment) => Path.Combine(Infra, "parameters", environment + ".bicepparam");

    private async Task<BicepRun> RunAsync(string arguments)
    {
        var start = new ProcessStartInfo(BicepPath, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Infra,
        };
        // No telemetry or update checks from a test run; no network is needed for local modules.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bicep.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return new BicepRun(arguments, process.ExitCode, ((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).Trim());
    }

    private static string Metadata(string key) =>
        typeof(BicepFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing (set in SocialHandoff.Infra.Tests.csproj).");

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".snapshot.json", StringComparison.Ordinal))
            {
                continue;
            }

            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal), overwrite: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BicepCollection : ICollectionFixture<BicepFixture>
{
    public const string Name = "bicep";
}

/// <summary>Parameter files on disk, for theories (read from the repository, not a copied list).</summary>
public static class InfraEnvironments
{
    public static TheoryData<string> All
    {
        get
        {
            var root = typeof(BicepFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;
            var data = new TheoryData<string>();
            foreach (var file in Directory.GetFiles(Path.Combine(root, "infra-bicep", "parameters"), "*.bicepparam").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileNameWithoutExtension(file));
            }

            return data;
        }
    }
}

internal static class Json
{
    public static readonly JsonDocumentOptions WithComments = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static string? Str(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = current?[segment];
        }

        return current is JsonValue value && value.TryGetValue<string>(out var s) ? s : current?.ToJsonString();
    }

    public static bool? Bool(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = current?[segment];
        }

        return current is JsonValue value && value.TryGetValue<bool>(out var b) ? b : null;
    }
}
