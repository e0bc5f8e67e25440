using System.Text.Json.Nodes;

namespace SocialHandoff.Infra.Tests;

/// <summary>The real Bicep CLI compiles and lints every file without a single diagnostic.</summary>
[Collection(BicepCollection.Name)]
public sealed class BicepCliTests(BicepFixture bicep)
{
    [Fact]
    public void Build_MainTemplate_CompilesWithoutDiagnostics()
    {
        Assert.True(bicep.Build.ExitCode == 0 && bicep.Build.Output.Length == 0, bicep.Build.ToString());
        Assert.NotNull(bicep.CompiledTemplate);
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void BuildParams_ParameterFile_CompilesWithoutDiagnostics(string environment)
    {
        var run = bicep.BuildParams[environment];
        Assert.True(run.ExitCode == 0 && run.Output.Length == 0, run.ToString());
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Snapshot_ParameterFile_PredictsResources(string environment)
    {
        var run = bicep.Snapshots[environment];
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotEmpty(bicep.Predicted[environment]);
    }

    [Fact]
    public void Lint_EveryBicepAndParameterFile_HasNoWarningOrError()
    {
        Assert.Contains("main.bicep", bicep.Lints.Keys);
        Assert.Contains(bicep.Lints.Keys, k => k.StartsWith("modules", StringComparison.Ordinal));
        var failures = bicep.Lints.Values.Where(r => r.ExitCode != 0 || r.Output.Length > 0).Select(r => r.ToString()).ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void BicepConfig_LinterRules_AreAllWarningsOrErrors()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bicep.InfraSource, "bicepconfig.json")), documentOptions: Json.WithComments)!;
        var core = config["analyzers"]!["core"]!;
        Assert.Equal(true, core.Bool("enabled"));
        var rules = core["rules"]!.AsObject();
        Assert.NotEmpty(rules);
        var weak = rules.Where(r => (string?)r.Value!["level"] is not ("warning" or "error")).Select(r => r.Key).ToList();
        Assert.True(weak.Count == 0, $"bicepconfig.json rules below warning: {string.Join(", ", weak)}");
        foreach (var securityRule in new[] { "outputs-should-not-contain-secrets", "secure-secrets-in-params", "no-hardcoded-env-urls", "use-secure-value-for-secure-inputs" })
        {
            Assert.Equal("error", (string?)rules[securityRule]?["level"]);
        }
    }

    [Fact]
    public void Modules_EveryModule_IsLocal()
    {
        var bicepFiles = Directory.GetFiles(bicep.InfraSource, "*.bicep", SearchOption.AllDirectories);
        var remote = bicepFiles.Where(f => File.ReadAllText(f).Contains("'br/", StringComparison.Ordinal) || File.ReadAllText(f).Contains("'br:", StringComparison.Ordinal)
            || File.ReadAllText(f).Contains("'ts:", StringComparison.Ordinal) || File.ReadAllText(f).Contains("'ts/", StringComparison.Ordinal)).ToList();
        Assert.True(remote.Count == 0, $"Registry modules do not resolve here: {string.Join(", ", remote)}");
    }
}
