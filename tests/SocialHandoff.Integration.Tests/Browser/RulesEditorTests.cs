using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The routing rules as a manager uses them, in Chromium: a rule built with the form and never a line
/// of JSON, the preview's rows, the field error for a misspelt team, and the Advanced switch's JSON
/// round trip. Located by role and label only.
/// </summary>
public sealed partial class RulesEditorTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task RulesForm_ManagerBuildsRuleWithoutJson_PreviewListsTheMentionAndSaveRoutesTheNextOne()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var word = $"voucher{suffix}";
        var name = $"vouchers {suffix}";
        await fixture.SeedAsync($"@contoso where is my {word}? it never came");
        var ruleCount = (await fixture.ApiAsync(HttpMethod.Get, "api/rules", "mia")).GetProperty("document").GetProperty("rules").GetArrayLength();
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var rules = mia.Page.GetByRole(AriaRole.Region, new() { Name = "Routing rules" });
        await Expect(rules.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToBeVisibleAsync();

        await rules.GetByRole(AriaRole.Button, new() { Name = "Add a rule" }).ClickAsync();
        var rule = rules.GetByRole(AriaRole.Group, new() { Name = $"Rule {ruleCount + 1}", Exact = true });
        await rule.GetByLabel("Rule name").FillAsync(name);
        await rule.GetByLabel("Add a condition").SelectOptionAsync(new SelectOptionValue { Label = "It mentions a word or phrase" });
        await rule.GetByLabel("Words or phrases", new() { Exact = true }).FillAsync(word);
        await rule.GetByLabel("Words or phrases", new() { Exact = true }).PressAsync("Enter");
        await rule.GetByLabel("Team", new() { Exact = true }).SelectOptionAsync("billing");
        await rule.GetByLabel("Priority", new() { Exact = true }).SelectOptionAsync("P2");

        await Expect(rule).ToContainTextAsync($"When it mentions “{word}” then send to billing, P2.");
        await Expect(rules.GetByText("No problems found.")).ToBeVisibleAsync();
        await rules.GetByRole(AriaRole.Button, new() { Name = "Preview changes" }).ClickAsync();
        var table = rules.GetByRole(AriaRole.Table, new() { Name = "What would change" });
        var row = table.GetByRole(AriaRole.Row).Filter(new() { HasText = word });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("care → billing");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync(new Regex("(^|→ )P2$"));
        await Expect(row).ToContainTextAsync($"default → {name}");
        var headline = await rules.GetByText(new Regex("recent mentions would change")).TextContentAsync();
        var changed = int.Parse(LeadingNumber().Match(headline!).Value, System.Globalization.CultureInfo.InvariantCulture);
        await Expect(table.GetByRole(AriaRole.Row)).ToHaveCountAsync(changed + 1);
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-rules-form", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-rules-form");
        await rule.GetByRole(AriaRole.Button, new() { Name = $"Preview rule {ruleCount + 1}" }).ClickAsync();
        await Expect(rule.GetByText(new Regex("^This rule would catch 1 of the last \\d+ mentions\\.$"))).ToBeVisibleAsync();
        var caught = rule.GetByRole(AriaRole.List, new() { Name = $"Mentions rule “{name}” would catch" }).GetByRole(AriaRole.Listitem);
        await Expect(caught).ToHaveCountAsync(1);
        await Expect(caught).ToContainTextAsync($"where is my {word}? it never came · mentions '{word}'");

        await rules.GetByRole(AriaRole.Button, new() { Name = "Save rules" }).ClickAsync();
        await Expect(rules.GetByText(new Regex("^Saved as version \\d+\\.$"))).ToBeVisibleAsync();
        await rules.GetByLabel("Text to try").FillAsync($"Can I pay with a {word} please");
        await rules.GetByRole(AriaRole.Button, new() { Name = "Which rule takes it?" }).ClickAsync();
        await Expect(rules.GetByText($"Rule “{name}” takes it.")).ToBeVisibleAsync();

        var next = await fixture.SeedAsync($"@contoso got a {word} for my birthday, how do I use it?");
        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{next}", "mia");
        Assert.Equal("billing", handoff.GetProperty("team").GetString());
        Assert.Equal("P2", handoff.GetProperty("priority").GetString());
        Assert.Equal(name, handoff.GetProperty("rule").GetString());
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task RulesForm_MisspeltTeam_PlainErrorAtTheTeamFieldWithSuggestion()
    {
        var document = (await fixture.ApiAsync(HttpMethod.Get, "api/rules", "mia")).GetProperty("document");
        var billing = document.GetProperty("rules").EnumerateArray().Select((r, i) => (Team: r.GetProperty("then").GetProperty("team").GetString(), Number: i + 1)).First(r => r.Team == "billing").Number;
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var steps = DocumentEditorSteps.Rules(mia.Page);
        var rules = steps.Editor;
        await Expect(rules.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToBeVisibleAsync();
        // A power user's typo in the JSON, then back to the form: the error is read at the field.
        await steps.Advanced.CheckAsync();
        var doc = JsonNode.Parse(await steps.Json.InputValueAsync())!;
        doc["rules"]![billing - 1]!["then"]!["team"] = "biling";
        await steps.Json.FillAsync(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        await steps.Advanced.UncheckAsync();

        var team = rules.GetByRole(AriaRole.Group, new() { Name = $"Rule {billing}", Exact = true }).GetByLabel("Team", new() { Exact = true });
        await DocumentEditorSteps.ExpectErrorAtAsync(team, "Team 'biling' does not exist. Did you mean 'billing'?");
        await steps.ExpectProblemsAsync(1);
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-rules-field-error", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-rules-field-error");

        await team.SelectOptionAsync("billing");
        await steps.ExpectFixedAsync(team);
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task RulesForm_AdvancedSwitch_JsonRoundTripsExactly()
    {
        var stored = JsonNode.Parse((await fixture.ApiAsync(HttpMethod.Get, "api/rules", "mia")).GetProperty("document").GetRawText());
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var steps = DocumentEditorSteps.Rules(mia.Page);
        var rules = steps.Editor;
        await Expect(rules.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToBeVisibleAsync();
        // A power user's own text (keys in another order, a rule the form shows) survives the form unchanged.
        const string own = """
            {
              "default": {
                "tags": ["unsorted"],
                "team": "care",
                "priority": "P3",
                "slaPolicy": ""
              },
              "rules": [
                {
                  "then": { "team": "crisis", "priority": "P1" },
                  "when": { "reasonSignals": ["crisis"], "minSentiment": -1, "maxSentiment": -0.25, "verified": true },
                  "name": "Crises, é ✓"
                }
              ]
            }
            """;
        await steps.AssertJsonRoundTripsAsync(stored, own, form =>
            Expect(form.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToContainTextAsync(
                "When its urgency reasons include crisis and sentiment is between -1 and -0.25 and the author is verified then send to crisis, P1."));
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task RulesHistory_RestorePreviousVersion_SavedAsANewVersionWithoutTheLaterRule()
    {
        var rules = await fixture.ApiAsync(HttpMethod.Get, "api/rules", "mia");
        var version = rules.GetProperty("version").GetInt32();
        var name = $"late rule {Guid.NewGuid().ToString("N")[..6]}";
        var proposal = JsonNode.Parse(rules.GetProperty("document").GetRawText())!;
        proposal["rules"]!.AsArray().Add(JsonNode.Parse($$$"""{"name":"{{{name}}}","when":{"hashtags":["later"]},"then":{"team":"care","priority":"P3"}}"""));
        await fixture.ApiAsync(HttpMethod.Put, "api/rules", "mia", proposal);
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var editor = mia.Page.GetByRole(AriaRole.Region, new() { Name = "Routing rules" });
        await Expect(editor.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToBeVisibleAsync();

        await editor.GetByRole(AriaRole.Button, new() { Name = "Show history" }).ClickAsync();
        var versions = editor.GetByRole(AriaRole.List, new() { Name = "Saved versions, newest first" });
        await Expect(versions.GetByRole(AriaRole.Listitem).First).ToContainTextAsync($"rule '{name}' added at position");
        await Expect(versions.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("mia");
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-rules-history", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-rules-history");
        await editor.GetByRole(AriaRole.Button, new() { Name = $"Restore version {version}", Exact = true }).ClickAsync();

        await Expect(editor.GetByText($"Version {version} restored as version {version + 2}.")).ToBeVisibleAsync();
        await Expect(versions.GetByRole(AriaRole.Listitem).First).ToContainTextAsync($"rule '{name}' removed");
        var now = await fixture.ApiAsync(HttpMethod.Get, "api/rules", "mia");
        Assert.Equal(version + 2, now.GetProperty("version").GetInt32());
        Assert.DoesNotContain(now.GetProperty("document").GetProperty("rules").EnumerateArray(), r => r.GetProperty("name").GetString() == name);
        Assert.Empty(mia.Errors);
    }

    [GeneratedRegex(@"^\s*\d+")]
    private static partial Regex LeadingNumber();
}
