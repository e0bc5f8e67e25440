using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SocialHandoff.Infra.Tests;

/// <summary>Security settings of every storage account, site and vault, per environment, on the resources `bicep snapshot` predicts.</summary>
[Collection(BicepCollection.Name)]
public sealed partial class SecurityTests(BicepFixture bicep)
{
    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void StorageAccounts_AnyEnvironment_NoSharedKeyHttpsOnlyTls12NoPublicBlobs(string environment)
    {
        var accounts = bicep.Resources(environment, "Microsoft.Storage/storageAccounts").ToList();
        Assert.NotEmpty(accounts);
        foreach (var account in accounts)
        {
            var name = (string?)account["name"];
            var p = account["properties"];
            Assert.True(p.Bool("allowSharedKeyAccess") == false, $"{name}: allowSharedKeyAccess must be false");
            Assert.True(p.Bool("supportsHttpsTrafficOnly") == true, $"{name}: supportsHttpsTrafficOnly must be true");
            Assert.True(p.Str("minimumTlsVersion") == "TLS1_2", $"{name}: minimumTlsVersion must be TLS1_2");
            Assert.True(p.Bool("allowBlobPublicAccess") == false, $"{name}: allowBlobPublicAccess must be false");
        }

        foreach (var container in bicep.Resources(environment, "Microsoft.Storage/storageAccounts/blobServices/containers"))
        {
            Assert.Equal("None", container.Str("properties", "publicAccess"));
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void StorageAccounts_AnyEnvironment_HaveDeploymentContainerUsedByFunctionApp(string environment)
    {
        var site = Assert.Single(bicep.Resources(environment, "Microsoft.Web/sites"));
        var storage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", storage.Str("type"));
        Assert.Equal("SystemAssignedIdentity", storage.Str("authentication", "type"));
        var containerName = ((string)storage["value"]!).Split('\'')[^2];
        Assert.Contains(bicep.Resources(environment, "Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => ((string)c["name"]!).EndsWith("/" + containerName, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Sites_AnyEnvironment_HttpsOnlyTls12NoFtpsManagedIdentity(string environment)
    {
        var sites = bicep.Resources(environment, "Microsoft.Web/sites").ToList();
        Assert.NotEmpty(sites);
        foreach (var site in sites)
        {
            var name = (string?)site["name"];
            Assert.True(site.Bool("properties", "httpsOnly") == true, $"{name}: httpsOnly");
            var config = site["properties"]!["siteConfig"];
            Assert.True(config.Str("minTlsVersion") == "1.2", $"{name}: minTlsVersion 1.2");
            Assert.True(config.Str("scmMinTlsVersion") == "1.2", $"{name}: scmMinTlsVersion 1.2");
            Assert.True(config.Str("ftpsState") == "Disabled", $"{name}: ftpsState Disabled");
            Assert.Contains("SystemAssigned", site.Str("identity", "type") ?? "", StringComparison.Ordinal);

            var basicAuth = bicep.Resources(environment, "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
                .Where(p => ((string)p["name"]!).StartsWith(name + "/", StringComparison.Ordinal)).ToList();
            Assert.Equal(["ftp", "scm"], basicAuth.Select(p => ((string)p["name"]!).Split('/')[1]).Order(StringComparer.Ordinal));
            Assert.All(basicAuth, p => Assert.Equal(false, p.Bool("properties", "allow")));
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Sites_AnyEnvironment_FlexConsumptionDotnetIsolated10(string environment)
    {
        var site = Assert.Single(bicep.Resources(environment, "Microsoft.Web/sites"));
        Assert.Equal("functionapp,linux", site.Str("kind"));
        Assert.Equal("dotnet-isolated", site.Str("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("10.0", site.Str("properties", "functionAppConfig", "runtime", "version"));
        var plan = Assert.Single(bicep.Resources(environment, "Microsoft.Web/serverfarms"));
        Assert.Equal("FlexConsumption", plan.Str("sku", "tier"));
        Assert.Equal("FC1", plan.Str("sku", "name"));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Sites_AnyEnvironment_RequireEntraIdAuthentication(string environment)
    {
        foreach (var site in bicep.Resources(environment, "Microsoft.Web/sites"))
        {
            var auth = Assert.Single(bicep.Resources(environment, "Microsoft.Web/sites/config"),
                c => (string?)c["name"] == $"{site["name"]}/authsettingsV2");
            var p = auth["properties"];
            Assert.Equal(true, p.Bool("platform", "enabled"));
            Assert.Equal(true, p.Bool("globalValidation", "requireAuthentication"));
            Assert.NotEqual("AllowAnonymous", p.Str("globalValidation", "unauthenticatedClientAction"));
            Assert.Equal(true, p.Bool("identityProviders", "azureActiveDirectory", "enabled"));
            Assert.False(string.IsNullOrEmpty(p.Str("identityProviders", "azureActiveDirectory", "registration", "clientId")));
            Assert.NotEmpty(p!["identityProviders"]!["azureActiveDirectory"]!["validation"]!["allowedAudiences"]!.AsArray());
            Assert.Equal(true, p.Bool("httpSettings", "requireHttps"));
            Assert.Equal(["/api/health"], p!["globalValidation"]!["excludedPaths"]!.AsArray().Select(x => (string?)x));
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_AnyEnvironment_NoDevelopmentIdentities(string environment)
    {
        // The app trusts X-MS-CLIENT-PRINCIPAL only because App Service sets it; a dev identity would bypass sign-in.
        Assert.DoesNotContain(AppSettings.Of(bicep, environment), s => s.Key.StartsWith("Api__DevIdentities", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Sites_AnyEnvironment_AcceptOnlyTheirOwnRegistrationsTokens(string environment)
    {
        foreach (var site in bicep.Resources(environment, "Microsoft.Web/sites"))
        {
            var auth = Assert.Single(bicep.Resources(environment, "Microsoft.Web/sites/config"), c => (string?)c["name"] == $"{site["name"]}/authsettingsV2");
            var aad = auth["properties"]!["identityProviders"]!["azureActiveDirectory"]!;
            var clientId = (string?)aad["registration"]!["clientId"];
            var allowed = aad["validation"]!["defaultAuthorizationPolicy"]!["allowedApplications"]!.AsArray().Select(a => (string?)a).ToList();
            Assert.Equal([clientId], allowed);
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_AnyEnvironment_NeverSetTheAuthPlatformsOwnSettings(string environment)
    {
        // The app trusts X-MS-CLIENT-PRINCIPAL only when the platform says authentication is on (WEBSITE_AUTH_ENABLED);
        // an app setting of that name would say so without it.
        Assert.DoesNotContain(AppSettings.Of(bicep, environment), s => s.Key.StartsWith("WEBSITE_AUTH", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Operations_SignInRequiresAnAppRole_TellsOpsTheSettingBicepCannotSet()
    {
        // authsettingsV2 has no app-role requirement; the enterprise app's appRoleAssignmentRequired is a Graph property.
        var operations = File.ReadAllText(Path.Combine(bicep.InfraSource, "OPERATIONS.md"));

        Assert.Contains("az ad sp update --id <authClientId> --set appRoleAssignmentRequired=true", operations, StringComparison.Ordinal);
        Assert.Contains("Assignment required? = Yes", operations, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_EveryDeployedTeam_IsATeamTheAppKnows(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        var queues = ChildNames(environment).Where(q => q.StartsWith("team-", StringComparison.Ordinal)).Select(q => q["team-".Length..]).ToList();

        Assert.NotEmpty(queues);
        foreach (var team in queues)
        {
            Assert.True(settings.ContainsKey($"Teams__{team}__DisplayName"), $"{environment}: team {team} has a queue but no Teams__{team}__DisplayName");
        }
    }

    private IEnumerable<string> ChildNames(string environment) =>
        bicep.Resources(environment, "Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => ((string)q["name"]!).Split('/')[^1]);

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Vaults_AnyEnvironment_RbacSoftDeletePurgeProtection(string environment)
    {
        var vaults = bicep.Resources(environment, "Microsoft.KeyVault/vaults").ToList();
        Assert.NotEmpty(vaults);
        foreach (var vault in vaults)
        {
            var p = vault["properties"];
            Assert.True(p.Bool("enableRbacAuthorization") == true, $"{vault["name"]}: enableRbacAuthorization");
            Assert.True(p.Bool("enableSoftDelete") == true, $"{vault["name"]}: enableSoftDelete");
            Assert.True(p.Bool("enablePurgeProtection") == true, $"{vault["name"]}: enablePurgeProtection");
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Monitoring_AnyEnvironment_LocalAuthDisabled(string environment)
    {
        Assert.All(bicep.Resources(environment, "Microsoft.Insights/components"), c => Assert.Equal(true, c.Bool("properties", "DisableLocalAuth")));
        Assert.All(bicep.Resources(environment, "Microsoft.OperationalInsights/workspaces"), w => Assert.Equal(true, w.Bool("properties", "features", "disableLocalAuth")));
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_AnyEnvironment_HoldNoLiteralSecret(string environment)
    {
        foreach (var (name, value) in AppSettings.Of(bicep, environment))
        {
            Assert.False(LiteralSecret().IsMatch(value), $"{name} holds what looks like a literal secret: {value}");
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_SecretSetting_IsKeyVaultReferenceToTemplateVault(string environment)
    {
        var vault = Assert.Single(bicep.Resources(environment, "Microsoft.KeyVault/vaults"));
        var secrets = AppSettings.Of(bicep, environment).Where(s => SecretName().IsMatch(s.Key)).ToList();
        Assert.Contains(secrets, s => s.Key == CodeSettings.ToAppSetting(SocialHandoff.Core.Ingestion.X.XSourceOptions.BearerTokenSetting));
        foreach (var (name, value) in secrets)
        {
            Assert.True(AppSettings.IsKeyVaultReference(value, (string)vault["name"]!), $"{name} must be a Key Vault reference to {vault["name"]}, was: {value}");
        }
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_HostStorage_IsIdentityBased(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        var account = (string)Assert.Single(bicep.Resources(environment, "Microsoft.Storage/storageAccounts"))["name"]!;
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal(account, settings.GetValueOrDefault("AzureWebJobsStorage__accountName"));
        Assert.Equal("managedidentity", settings.GetValueOrDefault("AzureWebJobsStorage__credential"));
        Assert.Equal("Authorization=AAD", settings.GetValueOrDefault("APPLICATIONINSIGHTS_AUTHENTICATION_STRING"));
        Assert.DoesNotContain(settings.Keys, k => k.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase) && k != "APPLICATIONINSIGHTS_CONNECTION_STRING");
        // Flex Consumption rejects these: the runtime lives in functionAppConfig.
        Assert.DoesNotContain(settings.Keys, k => k is "FUNCTIONS_WORKER_RUNTIME" or "FUNCTIONS_EXTENSION_VERSION" or "WEBSITE_RUN_FROM_PACKAGE" or "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING");
    }

    // Storage keys, SAS, X bearer tokens (app-only tokens start with a long run of A and contain %), bearer
    // headers, webhook endpoints of Teams / Power Automate / Slack / Discord, and any URL carrying a signature.
    [GeneratedRegex(@"AccountKey=|SharedAccessSignature|SharedAccessKey=|[?&]sig=|AAAAAAAAAAAAAAAAAAAA|Bearer\s+[A-Za-z0-9]|hooks\.slack\.com|webhook\.office\.com|logic\.azure\.com|powerplatform\.com|discord(app)?\.com/api/webhooks|password=", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralSecret();

    // App settings that must hold a credential: tokens, secrets, passwords, webhook URLs.
    [GeneratedRegex(@"(Token|Secret|Password|ApiKey)$|Webhooks?__.*Url$|^MICROSOFT_PROVIDER_AUTHENTICATION_SECRET$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}

internal static partial class AppSettings
{
    public static Dictionary<string, string> Of(BicepFixture bicep, string environment)
    {
        var site = Assert.Single(bicep.Resources(environment, "Microsoft.Web/sites"));
        return site["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => s!["value"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : s!["value"]!.ToJsonString(), StringComparer.Ordinal);
    }

    /// <summary>
    /// A Key Vault reference with a versionless secret URI on the given vault: either the literal
    /// "@Microsoft.KeyVault(SecretUri=https://vault.vault.azure.net/secrets/name/)" or the ARM expression that
    /// builds it (the vault DNS suffix comes from environment(), which the snapshot leaves unevaluated).
    /// </summary>
    public static bool IsKeyVaultReference(string value, string vaultName) =>
        LiteralReference().Match(value) is { Success: true } literal
            ? literal.Groups[1].Value == vaultName
            : ExpressionReference().Match(value) is { Success: true } expression && expression.Groups[1].Value == vaultName;

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=https://([a-z0-9-]+)\.vault\.[a-z0-9.]+/secrets/[A-Za-z0-9-]+/?\)$")]
    private static partial Regex LiteralReference();

    [GeneratedRegex(@"^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}secrets/\{1\}/\)', format\('https://\{0\}\{1\}/', '([a-z0-9-]+)', environment\(\)\.suffixes\.keyvaultDns\), '[A-Za-z0-9-]+'\)\]$")]
    private static partial Regex ExpressionReference();
}
