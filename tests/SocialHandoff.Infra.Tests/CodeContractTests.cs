using System.Text.RegularExpressions;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Infra.Tests;

/// <summary>The template creates every queue and table the code uses and sets every setting the code reads (names from the code; see <see cref="CodeSettings"/>).</summary>
[Collection(BicepCollection.Name)]
public sealed partial class CodeContractTests(BicepFixture bicep)
{
    [Fact]
    public void CodeNames_FromCore_FindTheKnownQueuesAndTables()
    {
        // Guards the reflection itself: if these vanish, the discovery below is looking in the wrong place.
        Assert.Contains(StorageNames.MentionsIncomingQueue, CodeSettings.QueueNames());
        Assert.Contains(StorageNames.MentionsPoisonQueue, CodeSettings.QueueNames());
        Assert.Contains(StorageNames.DeadLettersTable, CodeSettings.TableNames());
        Assert.Contains(CodeSettings.OptionsSections(), s => s.Section == "Storage");
        Assert.Contains(CodeSettings.OptionsSections(), s => s.Section == "Sources:X");
        Assert.Contains(CodeSettings.OptionsSections(), s => s.Section == "Routing");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Queues_EveryQueueTheCodeUses_IsCreated(string environment)
    {
        var created = ChildNames(environment, "Microsoft.Storage/storageAccounts/queueServices/queues");
        var missing = CodeSettings.QueueNames().Except(created, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{environment}: queues the code uses but infra-bicep does not create: {string.Join(", ", missing)} (add them to queueNames in main.bicep)");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Queues_EveryTeamInSettings_HasItsTeamQueue(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        var teams = settings.Where(s => TeamSetting().IsMatch(s.Key)).Select(s => s.Value)
            .Concat(settings.Keys.Select(k => TeamInKey().Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal).ToList();
        Assert.Contains(settings["Routing__DefaultTeam"], teams);
        var created = ChildNames(environment, "Microsoft.Storage/storageAccounts/queueServices/queues");
        var missing = teams.Select(StorageNames.TeamQueue).Except(created, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{environment}: teams named in settings without a queue: {string.Join(", ", missing)} (add the team to the teams parameter)");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void Tables_EveryTableTheCodeUses_IsCreated(string environment)
    {
        var created = ChildNames(environment, "Microsoft.Storage/storageAccounts/tableServices/tables");
        var missing = CodeSettings.TableNames().Except(created, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{environment}: tables the code uses but infra-bicep does not create: {string.Join(", ", missing)} (add them to tableNames in main.bicep)");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_EveryRequiredOptionSetting_Exists(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        var required = CodeSettings.RequiredKeys();
        Assert.Contains(required, k => k.Key == "Storage:QueueServiceUri");
        Assert.Contains(required, k => k.Key == "Sources:X:BearerToken");
        var missing = required.Where(k => !settings.ContainsKey(CodeSettings.ToAppSetting(k.Key))).Select(k => $"{CodeSettings.ToAppSetting(k.Key)} (read by {k.ReadBy})").ToList();
        Assert.True(missing.Count == 0,
            $"{environment}: settings the code needs that the function app lacks: {string.Join(", ", missing)}. Add them in infra-bicep/main.bicep, or list them in CodeSettings.OptionalByDesign with the reason.");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_EveryOptionsSection_IsPresentUnlessDefaultsOnly(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        var missing = CodeSettings.OptionsSections()
            .Where(s => !CodeSettings.DefaultsOnlySections.ContainsKey(s.Section))
            .Where(s => !settings.Keys.Any(k => k.StartsWith(CodeSettings.ToAppSetting(s.Section) + "__", StringComparison.Ordinal)))
            .Select(s => $"{s.Section} ({s.Type.Name})").ToList();
        Assert.True(missing.Count == 0,
            $"{environment}: options sections with no app setting: {string.Join(", ", missing)}. Set them in infra-bicep/main.bicep, or list them in CodeSettings.DefaultsOnlySections with the reason.");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_EveryFunctionsBindingExpression_Exists(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        var expressions = CodeSettings.BindingExpressionKeys(bicep.RepositoryRoot);
        Assert.NotEmpty(expressions);
        var missing = expressions.Where(k => !settings.ContainsKey(CodeSettings.ToAppSetting(k.Key))).Select(k => $"{CodeSettings.ToAppSetting(k.Key)} (%{k.Key}% in {k.ReadBy})").ToList();
        Assert.True(missing.Count == 0, $"{environment}: binding expressions without an app setting: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(InfraEnvironments.All), MemberType = typeof(InfraEnvironments))]
    public void AppSettings_XSource_HasBrandAndTokenReference(string environment)
    {
        var settings = AppSettings.Of(bicep, environment);
        Assert.Contains("Sources__X__Brands__0__Name", settings.Keys);
        Assert.Contains("Sources__X__Brands__0__Query", settings.Keys);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri=", settings["Sources__X__BearerToken"], StringComparison.Ordinal);
    }

    private List<string> ChildNames(string environment, string type) =>
        bicep.Resources(environment, type).Select(r => ((string)r["name"]!).Split('/')[^1]).ToList();

    [GeneratedRegex(@"^(Routing__DefaultTeam|Routing__Rules__\d+__Team)$")]
    private static partial Regex TeamSetting();

    [GeneratedRegex(@"^Sla__Teams__([a-z0-9-]+)__")]
    private static partial Regex TeamInKey();
}
