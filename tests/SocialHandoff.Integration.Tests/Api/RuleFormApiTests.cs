using System.Text.Json.Nodes;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// What the rules form needs of the API, on Azurite: the vocabulary its menus offer, a dry run whose
/// counts match its rows (with texts, priorities and policies), the mentions one rule would catch,
/// and routing a pasted text without storing anything.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RuleFormApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Refunds = """{"rules":[{"name":"refunds","when":{"anyWords":["refund","money back"]},"then":{"team":"billing","priority":"P2"}}],"default":{"team":"care"}}""";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RulesVocabulary_SignedInUser_OffersSignalsTeamsPoliciesPrioritiesSourcesAndLanguages()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var vocabulary = await api.GetAsync("ana", "api/rules/vocabulary");
        var wrongMethod = await api.PostAsync("mia", "api/rules/vocabulary");

        Assert.Equal(200, vocabulary.Status);
        var body = vocabulary.Body!;
        Assert.Contains("crisis", Strings(body["signals"]));
        Assert.Contains("complaint", Strings(body["signals"]));
        Assert.Contains("billing", Strings(body["teams"]));
        Assert.Contains("care", Strings(body["teams"]));
        Assert.Contains("p1-24x7", body["slaPolicies"]!.AsArray().Select(p => (string)p!["name"]!));
        Assert.Equal(["auto", "P1", "P2", "P3", "P4"], Strings(body["priorities"]));
        Assert.Contains("x", Strings(body["sources"]));
        Assert.Contains("en", Strings(body["languages"]));
        Assert.Equal(405, wrongMethod.Status);
    }

    [Fact]
    public async Task DryRun_PriorityOnlyAndRuleOnlyChanges_CountsMatchTheRowsWhichCarryTextPriorityAndPolicy()
    {
        // Regression: the headline counted team changes only ("0 of 2 would go somewhere else") above rows of rule changes.
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.HandOffAsync("d1", "@contoso my invoice is wrong, I was overcharged");
        await api.HandOffAsync("d2", "@contoso is the new autumn menu vegetarian friendly?");
        var document = (await api.GetAsync("mia", "api/rules")).Body!["document"]!;
        var proposal = JsonNode.Parse(document.ToJsonString())!;
        var rules = proposal["rules"]!.AsArray();
        // Same team and priority for the menu question, by another rule: no change a manager sees.
        rules.Insert(0, JsonNode.Parse("""{"name":"menu","when":{"anyWords":["menu"]},"then":{"team":"care"}}"""));
        // The invoice stays with billing but becomes P4 on the P4 policy.
        rules.Insert(0, JsonNode.Parse("""{"name":"invoices","when":{"anyWords":["invoice"]},"then":{"team":"billing","priority":"P4"}}"""));

        var dryRun = await api.PostAsync("mia", "api/rules/dry-run?last=50", proposal.ToJsonString());

        Assert.Equal(200, dryRun.Status);
        var body = dryRun.Body!;
        var moves = body["moves"]!.AsArray();
        Assert.Equal(2, (int)body["evaluated"]!);
        Assert.Equal(moves.Count, (int)body["moved"]!);
        var move = Assert.Single(moves)!;
        Assert.Equal(0, (int)body["teamChanges"]!);
        Assert.Equal(1, (int)body["movesByRoute"]!["billing -> billing"]!);
        Assert.Equal("@contoso my invoice is wrong, I was overcharged", (string?)move["text"]);
        Assert.Equal("billing", (string?)move["from"]!["team"]);
        Assert.NotEqual("P4", (string?)move["from"]!["priority"]);
        Assert.Equal("P4", (string?)move["to"]!["priority"]);
        Assert.Equal("invoices", (string?)move["to"]!["rule"]);
        Assert.False(string.IsNullOrEmpty((string?)move["to"]!["slaPolicy"]));
        Assert.Contains("mentions 'invoice'", Strings(move["why"]));
        Assert.Equal(1, (int)body["caughtByRule"]!["menu"]!);
    }

    [Fact]
    public async Task DryRun_WatchedRule_ListsTheMentionsThatRuleWouldCatch()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.HandOffAsync("r1", "@contoso where is my refund?");
        await api.HandOffAsync("r2", "@contoso I want my money back");
        await api.HandOffAsync("r3", "@contoso lovely service today");

        var watched = await api.PostAsync("mia", "api/rules/dry-run?last=10&rule=refunds", Refunds);
        var unknown = await api.PostAsync("mia", "api/rules/dry-run?rule=refnds", Refunds);

        Assert.Equal(200, watched.Status);
        Assert.Equal("refunds", (string?)watched.Body!["rule"]);
        Assert.Equal(2, (int)watched.Body!["caughtByRule"]!["refunds"]!);
        Assert.Equal(
            ["@contoso I want my money back", "@contoso where is my refund?"],
            watched.Body!["caught"]!.AsArray().Select(c => (string)c!["text"]!).Order(StringComparer.Ordinal));
        Assert.All(watched.Body!["caught"]!.AsArray(), c => Assert.Equal("P2", (string?)c!["outcome"]!["priority"]));
        Assert.Equal(400, unknown.Status);
        Assert.Contains("did you mean 'refunds'", Strings(unknown.Body!["errors"]!["rule"]).Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesTry_PastedTextWithProposal_SaysWhichRuleTakesItAndWhyAndStoresNothing()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var body = new JsonObject { ["text"] = "Where is my REFUND? It has been weeks", ["rules"] = JsonNode.Parse(Refunds) };

        var tried = await api.PostAsync("mia", "api/rules/try", body.ToJsonString());
        var inForce = await api.PostAsync("mia", "api/rules/try", """{"text":"lovely service today"}""");
        var queue = await api.GetAsync("mia", "api/teams/billing/handoffs?status=all");

        Assert.Equal(200, tried.Status);
        Assert.Equal("refunds", (string?)tried.Body!["rule"]);
        Assert.Equal("billing", (string?)tried.Body!["team"]);
        Assert.Equal("P2", (string?)tried.Body!["priority"]);
        Assert.Contains("mentions 'refund'", Strings(tried.Body!["why"]));
        Assert.InRange((int)tried.Body!["urgency"]!, 0, 100);
        Assert.Equal(200, inForce.Status);
        Assert.Equal("default", (string?)inForce.Body!["rule"]);
        Assert.Equal(0, (int)queue.Body!["total"]!);
    }

    [Theory]
    [InlineData("""{}""", "text")]
    [InlineData("""{"text":"   "}""", "text")]
    [InlineData("""{"text":null}""", "text")]
    [InlineData("""{"text":"hi","followers":-5}""", "followers")]
    [InlineData("""{"text":"hi","rules":{"rules":[{"name":"r","when":{"anyWords":["x"]},"then":{"team":"biling"}}],"default":{"team":"care"}}}""", "rules.rules[1].then.team")]
    [InlineData("""{"text":"hi","rules":{"rules":[{"name":"r","when":{},"then":{}}]}}""", "rules.default.team")]
    public async Task RulesTry_BadBody_400NamingTheField(string json, string field)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var answer = await api.PostAsync("mia", "api/rules/try", json);

        Assert.Equal(400, answer.Status);
        Assert.True(answer.Body!["errors"]!.AsObject().ContainsKey(field), answer.Body.ToJsonString());
    }

    [Fact]
    public async Task RulesTry_Agent_403()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        Assert.Equal(403, (await api.PostAsync("ana", "api/rules/try", """{"text":"refund please"}""")).Status);
    }

    [Fact]
    public async Task RulesHistory_SaveThenRestore_ListsAuthorTimeAndReadableChangesAndRestoreIsANewVersion()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var before = (await api.GetAsync("mia", "api/rules")).Body!;
        var original = (int)before["version"]!;
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/rules", Refunds, $"\"v{original}\"");

        var history = (await api.GetAsync("ana", "api/rules/history")).Body!;
        var old = await api.GetAsync("mia", $"api/rules/history/{original}");
        var restored = await api.SendAsync("mia", HttpMethod.Put, "api/rules", old.Body!["document"]!.ToJsonString(), $"\"v{original + 1}\"");
        var after = (await api.GetAsync("mia", "api/rules/history")).Body!;

        Assert.Equal(200, saved.Status);
        var newest = history["versions"]![0]!;
        Assert.Equal(original + 1, (int)newest["version"]!);
        Assert.Equal(original + 1, (int)history["current"]!);
        Assert.Equal("mia", (string?)newest["author"]);
        Assert.NotNull((string?)newest["savedAt"]);
        Assert.Contains("rule 'refunds' added at position 1: words refund, money back → billing, P2", Strings(newest["changes"]));
        Assert.Equal(200, restored.Status);
        Assert.Equal(original + 2, (int)after["current"]!);
        Assert.Contains("rule 'refunds' removed (was words refund, money back → billing, P2)", Strings(after["versions"]![0]!["changes"]));
        var now = (await api.GetAsync("mia", "api/rules")).Body!["document"]!;
        Assert.Equal(
            before["document"]!["rules"]!.AsArray().Select(r => (string)r!["name"]!),
            now["rules"]!.AsArray().Select(r => (string)r!["name"]!));
    }

    [Theory]
    [InlineData("api/rules/history/abc", 400)]
    [InlineData("api/rules/history/0", 400)]
    [InlineData("api/rules/history/99", 404)]
    [InlineData("api/rules/history?last=0", 400)]
    public async Task RulesHistory_BadOrUnknownVersion_ProblemNot500(string path, int status)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        Assert.Equal(status, (await api.GetAsync("mia", path)).Status);
    }

    private static List<string> Strings(JsonNode? node) => [.. node!.AsArray().Select(n => (string)n!)];
}
