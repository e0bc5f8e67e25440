using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Infra.Tests;

/// <summary>Role assignments are idempotent and least privilege; the alerts exist and go to the action group.</summary>
[Collection(BicepCollection.Name)]
public sealed partial class RoleAndAlertTests(BicepFixture bicep)
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    [Fact]
    public void RoleAssignments_CompiledTemplate_AreNamedWithGuid()
    {
        var assignments = Descendants(bicep.CompiledTemplate!)
            .Where(r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments").ToList();
        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.StartsWith("[guid(", (string)a["name"]!, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void RoleAssignments_AnyEnvironment_GuidOfScopePrincipalRole(string environment)
    {
        foreach (var assignment in bicep.Resources(environment, "Microsoft.Authorization/roleAssignments"))
        {
            var name = (string)assignment["name"]!;
            var role = ((string)assignment["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            var principal = (string)assignment["properties"]!["principalId"]!;
            Assert.StartsWith("[guid('/subscriptions/", name, StringComparison.Ordinal);
            Assert.Contains(principal.Trim('[', ']'), name, StringComparison.Ordinal);
            Assert.EndsWith($"'{role}')]", name, StringComparison.Ordinal);
            Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void RoleAssignments_AnyEnvironment_LeastPrivilege(string environment)
    {
        var byRole = bicep.Resources(environment, "Microsoft.Authorization/roleAssignments")
            .Select(a => (Role: ((string)a["properties"]!["roleDefinitionId"]!).Split('/')[^1], Scope: Scope(a)))
            .ToList();
        var allowed = new[] { BlobDataOwner, QueueDataContributor, TableDataContributor, KeyVaultSecretsUser, MonitoringMetricsPublisher };
        Assert.All(byRole, a => Assert.Contains(a.Role, allowed));
        foreach (var role in allowed)
        {
            Assert.Contains(byRole, a => a.Role == role);
        }

        // Blob Data Owner only on containers (the deployment package and the host's own), never the account.
        Assert.All(byRole.Where(a => a.Role == BlobDataOwner), a => Assert.Contains("/blobServices/default/containers/", a.Scope, StringComparison.Ordinal));
        Assert.Contains(byRole, a => a.Role == BlobDataOwner && a.Scope.EndsWith("/containers/app-package", StringComparison.Ordinal));
        Assert.All(byRole.Where(a => a.Role is QueueDataContributor or TableDataContributor), a => Assert.Contains("Microsoft.Storage/storageAccounts/", a.Scope, StringComparison.Ordinal));
        Assert.All(byRole.Where(a => a.Role == KeyVaultSecretsUser), a => Assert.Contains("Microsoft.KeyVault/vaults/", a.Scope, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Alerts_AnyEnvironment_CoverPoisonDeadLettersSlaWebhooksSourcesAndFailuresToActionGroup(string environment)
    {
        var group = Assert.Single(bicep.Resources(environment, "Microsoft.Insights/actionGroups"));
        Assert.NotEmpty(group["properties"]!["emailReceivers"]!.AsArray());
        var groupName = (string)group["name"]!;

        var logAlerts = bicep.Resources(environment, "Microsoft.Insights/scheduledQueryRules").ToList();
        string QueryOf(string suffix) => (string)Criterion(Assert.Single(logAlerts, a => ((string)a["name"]!).EndsWith(suffix, StringComparison.Ordinal)))["query"]!;
        Assert.Contains($"\"{SocialHandoffTelemetry.Instruments.DeadLetters}\"", QueryOf("poison-queue"), StringComparison.Ordinal);
        Assert.Contains($"\"{DeadLetterReasons.Poisoned}\"", QueryOf("poison-queue"), StringComparison.Ordinal);
        Assert.Contains($"\"{DeadLetterReasons.Undecodable}\"", QueryOf("poison-queue"), StringComparison.Ordinal);
        Assert.Contains($"\"{SocialHandoffTelemetry.Instruments.DeadLetters}\"", QueryOf("dead-letters"), StringComparison.Ordinal);
        Assert.Contains($"\"{SocialHandoffTelemetry.Instruments.SlaBreaches}\"", QueryOf("sla-breaches"), StringComparison.Ordinal);
        Assert.Contains($"\"{SocialHandoffTelemetry.Instruments.WebhookFailures}\"", QueryOf("webhook-failures"), StringComparison.Ordinal);
        Assert.Contains($"\"{SocialHandoffTelemetry.Instruments.SourceErrors}\"", QueryOf("source-errors"), StringComparison.Ordinal);
        Assert.All(logAlerts, a => Assert.Contains(groupName, a["properties"]!["actions"]!["actionGroups"]![0]!.ToJsonString(), StringComparison.Ordinal));

        var failures = Assert.Single(bicep.Resources(environment, "Microsoft.Insights/metricAlerts"));
        Assert.Equal("requests/failed", (string?)failures["properties"]!["criteria"]!["allOf"]![0]!["metricName"]);
        Assert.Contains(groupName, failures["properties"]!["actions"]![0]!.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Regression: the SLA and dead-letter alerts counted log lines by their text, under sampling; a reworded message silenced them.</summary>
    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Alerts_AnyEnvironment_ReadOnlyTheAppsMetricsByNameAndTag(string environment)
    {
        var logAlerts = bicep.Resources(environment, "Microsoft.Insights/scheduledQueryRules").ToList();
        Assert.NotEmpty(logAlerts);
        foreach (var alert in logAlerts)
        {
            var criterion = Criterion(alert);
            var query = (string)criterion["query"]!;
            Assert.StartsWith("customMetrics | where name == ", query, StringComparison.Ordinal);
            Assert.DoesNotContain("traces", query, StringComparison.Ordinal);
            Assert.DoesNotContain("message", query, StringComparison.Ordinal);

            // Every metric name is one the code records, and every dimension one of its tags with the values the code writes.
            var names = MetricName().Matches(query).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(names);
            Assert.All(names, n => Assert.Contains(n, SocialHandoffTelemetry.AllInstruments));
            var tags = typeof(SocialHandoffTelemetry.Tags).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();
            var dimensions = Dimension().Matches(query).Select(m => m.Groups[1].Value).ToList();
            Assert.All(dimensions, d => Assert.Contains(d, tags));
            Assert.All(criterion["dimensions"]!.AsArray(), d => Assert.Contains((string)d!["name"]!, dimensions));
            foreach (Match reasons in ReasonList().Matches(query))
            {
                Assert.All(reasons.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries), r => Assert.Contains(r.Trim('"'), DeadLetterReasons.All));
            }

            Assert.Equal("n", (string?)criterion["metricMeasureColumn"]);
            Assert.Contains("sum(valueSum)", query, StringComparison.Ordinal);
        }
    }

    private static JsonNode Criterion(JsonObject alert) => alert["properties"]!["criteria"]!["allOf"]![0]!;

    [GeneratedRegex("name == \"([a-z0-9_.]+)\"")]
    private static partial Regex MetricName();

    [GeneratedRegex("tostring\\(customDimensions\\.([a-z_]+)\\)")]
    private static partial Regex Dimension();

    [GeneratedRegex("reason in \\(([^)]*)\\)")]
    private static partial Regex ReasonList();

    private static string Scope(JsonObject assignment)
    {
        // The snapshot's id is [extensionResourceId('<scope>', 'Microsoft.Authorization/roleAssignments', ...)].
        var id = (string)assignment["id"]!;
        const string prefix = "[extensionResourceId('";
        return id.StartsWith(prefix, StringComparison.Ordinal) ? id[prefix.Length..id.IndexOf('\'', prefix.Length)] : id;
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"] is JsonValue && o["name"] is not null)
                {
                    yield return o;
                }

                foreach (var child in o.Select(p => p.Value).OfType<JsonNode>().SelectMany(Descendants))
                {
                    yield return child;
                }

                break;
            case JsonArray a:
                foreach (var child in a.OfType<JsonNode>().SelectMany(Descendants))
                {
                    yield return child;
                }

                break;
        }
    }
}
