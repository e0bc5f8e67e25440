using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Ingestion.X;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Functions;

namespace SocialHandoff.Infra.Tests;

/// <summary>
/// The three copies of the configuration (each environment's app settings from the compiled template,
/// local.settings.sample.json, the local runner's appsettings.json) against the code that reads them: no
/// setting is written that nothing reads, and the Functions app's own composition, built with the
/// deployed settings and validated as at start-up, hands each feature what the parameters ask for.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class ConfigurationContractTests(BicepFixture bicep)
{
    public static TheoryData<string> Copies()
    {
        var data = new TheoryData<string> { "local.settings.sample.json", "appsettings.json" };
        foreach (var environment in InfraEnvironments.All)
        {
            data.Add(environment);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Copies))]
    public void Settings_EveryKeyOfEachCopy_IsReadByTheCode(string copy)
    {
        var settings = SettingsOf(copy);
        var expressions = CodeSettings.BindingExpressionKeys(bicep.RepositoryRoot).Select(k => k.Key).ToArray();
        Assert.NotEmpty(settings);

        var unread = settings.Keys.Where(k => SettingReaders.ReaderOf(k, expressions) is null).Order(StringComparer.Ordinal).ToList();

        Assert.True(unread.Count == 0, $"{copy}: settings no code reads (renamed or misspelt?): {string.Join(", ", unread)}");
    }

    [Fact]
    public void ReaderOf_RenamedOrMisspeltKeys_AreNotRead()
    {
        string[] expressions = ["Ingest:Schedule"];

        Assert.Null(SettingReaders.ReaderOf("Sla:Webhooks:Targets:0:Url", expressions));
        Assert.Null(SettingReaders.ReaderOf("Sla:Teams:care:Webhook:0:Url", expressions));
        Assert.Null(SettingReaders.ReaderOf("Sources:X:Brands:first:Name", expressions));
        Assert.Null(SettingReaders.ReaderOf("Storage:QueueServiceUri:Extra", expressions));
        Assert.NotNull(SettingReaders.ReaderOf("Sla:Teams:care:Webhooks:3:Url", expressions));
        Assert.NotNull(SettingReaders.ReaderOf("sources:x:brands:0:query", expressions));
        Assert.NotNull(SettingReaders.ReaderOf("Ingest:Schedule", expressions));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Composition_DeployedSettings_EachFeatureReceivesWhatTheParametersAsk(string environment)
    {
        var settings = SettingsOf(environment);
        using var services = Compose(settings);
        var parameters = bicep.CompiledParameters[environment];

        // SLA: each team's webhook targets, by kind, with their Key Vault URLs.
        var sla = services.GetRequiredService<IOptions<SlaOptions>>().Value;
        var targets = Param(parameters, "webhookTargets")?.AsArray() ?? [];
        var received = sla.Teams.Values.Sum(t => t.Webhooks.Count);
        Assert.True(targets.Count == received, $"{environment}: {targets.Count} webhook targets in the parameters, {received} reach SlaOptions.Teams (Sla:Teams:<team>:Webhooks:<n>:Kind/Url)");
        foreach (var target in targets)
        {
            var team = (string)target!["team"]!;
            Assert.True(sla.Teams.TryGetValue(team, out var teamOptions), $"{environment}: team '{team}' has webhook targets in the parameters but none reach SlaOptions.Teams");
            Assert.Contains(teamOptions.Webhooks, w => w.Kind.ToString() == (string)target["kind"]! && w.Url is { IsAbsoluteUri: true });
        }

        // Schedules: both timers have a setting the binding expression and the options read.
        Assert.Equal(settings["Sla:SweepSchedule"], sla.SweepSchedule);
        Assert.Equal(6, settings["Ingest:Schedule"].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

        // Storage by identity: endpoints, no connection string.
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        Assert.True(string.IsNullOrEmpty(storage.ConnectionString));
        Assert.NotNull(storage.QueueServiceUri);
        Assert.NotNull(storage.TableServiceUri);

        // X: one search per brand of the parameters, and the bearer token from Key Vault.
        var x = services.GetRequiredService<IOptions<XSourceOptions>>().Value;
        var brands = Param(parameters, "xBrands")?.AsArray().Select(b => (string)b!["name"]!).ToArray() ?? [];
        Assert.Equal(brands, x.Brands.Select(b => b.Name));
        Assert.False(string.IsNullOrEmpty(x.BearerToken));

        // Routing and the API: the default team of the parameters, no development identities in Azure.
        Assert.Equal((string)Param(parameters, "defaultTeam")!, services.GetRequiredService<IOptions<RoutingOptions>>().Value.DefaultTeam);
        Assert.True(string.IsNullOrEmpty(services.GetRequiredService<IOptions<ApiOptions>>().Value.DevIdentities));

        // Telemetry: Application Insights (local auth off) reached with the app's managed identity.
        Assert.False(string.IsNullOrEmpty(settings.GetValueOrDefault(FunctionsTelemetry.ConnectionStringSetting)));
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(FunctionsTelemetry.Credential(settings.GetValueOrDefault(FunctionsTelemetry.AuthenticationStringSetting)));
    }

    [Fact]
    public void Composition_LocalSettingsSample_ValidatesAsTheAppStarts()
    {
        using var services = Compose(SettingsOf("local.settings.sample.json"));

        Assert.NotNull(services.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString);
    }

    /// <summary>The Functions app's own composition with these settings, every options class validated as at start-up.</summary>
    private static ServiceProvider Compose(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSocialHandoffFunctions();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    /// <summary>A copy's settings in Section:Key form; values the template leaves to Azure (Key Vault references, resource outputs) get test values.</summary>
    private IReadOnlyDictionary<string, string> SettingsOf(string copy)
    {
        if (copy == "local.settings.sample.json")
        {
            var values = JsonNode.Parse(File.ReadAllText(Path.Combine(bicep.RepositoryRoot, copy)))!["Values"]!.AsObject();
            return values.ToDictionary(v => v.Key.Replace("__", ":", StringComparison.Ordinal), v => (string)v.Value!, StringComparer.OrdinalIgnoreCase);
        }

        if (copy == "appsettings.json")
        {
            var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            Flatten(JsonNode.Parse(File.ReadAllText(Path.Combine(bicep.RepositoryRoot, "functions", "SocialHandoff.Local", copy)))!, "", settings);
            return settings;
        }

        return AppSettings.Of(bicep, copy).ToDictionary(
            s => s.Key.Replace("__", ":", StringComparison.Ordinal),
            s => s.Value.StartsWith('[') || s.Value.StartsWith("@Microsoft.KeyVault", StringComparison.Ordinal) ? TestValue(s.Key) : s.Value,
            StringComparer.OrdinalIgnoreCase);
    }

    private static string TestValue(string setting) => setting switch
    {
        _ when setting.EndsWith("__Url", StringComparison.Ordinal) => $"https://hooks.example.test/{setting}",
        _ when setting.EndsWith("ServiceUri", StringComparison.Ordinal) => "https://sttest.queue.core.windows.net/",
        _ when setting.Contains("BearerToken", StringComparison.Ordinal) => "test-bearer-token",
        _ => "test-value",
    };

    private static JsonNode? Param(JsonObject parameters, string name) => parameters[name]?["value"];

    private static void Flatten(JsonNode node, string prefix, Dictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Flatten(value!, prefix.Length == 0 ? key : $"{prefix}:{key}", into);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i]!, $"{prefix}:{i}", into);
                }

                break;
            default:
                into[prefix] = node.GetValueKind() == JsonValueKind.String ? (string)node! : node.ToJsonString();
                break;
        }
    }
}
