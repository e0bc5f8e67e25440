using System.Text.Json.Nodes;
using SocialHandoff.Core.Storage;
using Xunit.Abstractions;

namespace SocialHandoff.Infra.Tests;

/// <summary>What ops deploy: the published package holds the generated metadata, the host's extensions and settings, the worker config and the dashboard, and nothing local.</summary>
[Collection(FunctionsPackageCollection.Name)]
public sealed class FunctionsPackageTests(FunctionsPackage package, BicepFixture bicep, ITestOutputHelper output)
{
    private static readonly string[] Functions = ["Api", "Dashboard", "IngestMentions", "ProcessMention", "RecordDeadLetter", "SlaSweep"];

    [Fact]
    public void Package_Published_HoldsWhatTheHostNeedsAndNothingLocal()
    {
        output.WriteLine($"{package.ZipPath}: {package.Size:N0} bytes, {package.Entries.Count} files");

        Assert.Contains("functions.metadata", package.Entries);
        Assert.Contains("host.json", package.Entries);
        Assert.Contains("worker.config.json", package.Entries);
        Assert.Contains("extensions.json", package.Entries);
        Assert.Contains("SocialHandoff.Functions.dll", package.Entries);
        Assert.Contains("SocialHandoff.Core.dll", package.Entries);
        Assert.Contains("Scoring/Lexicons/LICENSE-VADER.txt", package.Entries);
        foreach (var file in Directory.GetFiles(Path.Combine(new BicepFixtureRoot().RepositoryRoot, "functions", "dashboard")))
        {
            Assert.Contains("dashboard/" + Path.GetFileName(file), package.Entries);
        }

        Assert.DoesNotContain(package.Entries, e => e.EndsWith("local.settings.json", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(package.Entries, e => e.Equals("appsettings.json", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("dotnet-isolated", package.ReadText("worker.config.json"), StringComparison.Ordinal);
        Assert.Contains("AzureStorageQueues", package.ReadText("extensions.json"), StringComparison.Ordinal);
        Assert.InRange(package.Size, 1_000_000, 100_000_000);
    }

    [Fact]
    public void Metadata_Generated_SixFunctionsWithTheCodesQueuesRoutesAndSchedules()
    {
        var metadata = JsonNode.Parse(package.ReadText("functions.metadata"))!.AsArray();
        var byName = metadata.ToDictionary(f => (string)f!["name"]!, f => f!["bindings"]!.AsArray());

        Assert.Equal(Functions, byName.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.MentionsIncomingQueue, (string)Trigger(byName["ProcessMention"], "queueTrigger")["queueName"]!);
        Assert.Equal(StorageNames.MentionsPoisonQueue, (string)Trigger(byName["RecordDeadLetter"], "queueTrigger")["queueName"]!);
        Assert.Equal("api/{*path}", (string)Trigger(byName["Api"], "httpTrigger")["route"]!);
        Assert.Equal("{*path}", (string)Trigger(byName["Dashboard"], "httpTrigger")["route"]!);
        Assert.Equal("anonymous", ((string)Trigger(byName["Api"], "httpTrigger")["authLevel"]!).ToLowerInvariant());

        foreach (var timer in new[] { "IngestMentions", "SlaSweep" })
        {
            var schedule = (string)Trigger(byName[timer], "timerTrigger")["schedule"]!;
            Assert.Matches("^%[A-Za-z:]+%$", schedule);
            var setting = CodeSettings.ToAppSetting(schedule.Trim('%'));
            foreach (var environment in bicep.Environments)
            {
                Assert.True(AppSettings.Of(bicep, environment).ContainsKey(setting), $"{environment}: {timer}'s schedule {schedule} has no app setting {setting}");
            }
        }
    }

    [Fact]
    public void HostJson_Published_QueueAndHttpSettingsAsTheLocalRunnerAssumes()
    {
        var host = JsonNode.Parse(package.ReadText("host.json"))!;
        var queues = host["extensions"]!["queues"]!;

        Assert.Equal(16, (int)queues["batchSize"]!);
        Assert.Equal(8, (int)queues["newBatchThreshold"]!);
        Assert.Equal(5, (int)queues["maxDequeueCount"]!);
        Assert.Equal("base64", (string)queues["messageEncoding"]!);
        Assert.Equal("00:00:00", (string)queues["visibilityTimeout"]!);
        Assert.Equal("", (string)host["extensions"]!["http"]!["routePrefix"]!);
        var pump = new SocialHandoff.Local.Pipeline.QueuePumpOptions();
        Assert.Equal(pump.BatchSize, (int)queues["batchSize"]!);
        Assert.Equal(pump.NewBatchThreshold, (int)queues["newBatchThreshold"]!);
        Assert.Equal(pump.MaxDequeueCount, (int)queues["maxDequeueCount"]!);
    }

    private static JsonNode Trigger(JsonArray bindings, string type) =>
        Assert.Single(bindings, b => (string)b!["type"]! == type && (string)b["direction"]! == "In")!;
}
