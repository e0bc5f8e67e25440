using Microsoft.Playwright;
using SocialHandoff.Core.Processing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>The dashboard in headless Chromium against the local web host on Azurite, used as people use it.</summary>
public sealed class DashboardTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task ClaimThenResolve_UnclaimedItem_ShowsResolvedAndServerRecordsBoth()
    {
        var marker = Marker("claim-resolve");
        var id = await fixture.SeedAsync($"{marker} the app logs me out every single morning, really annoying");
        await using var ana = await fixture.OpenAsync("ana");
        var item = ana.Item(marker);
        await Expect(item.GetByTestId("item-status")).ToHaveTextAsync("Unclaimed");
        await Expect(item.GetByTestId("clock-first-response")).ToContainTextAsync("left");

        await item.GetByTestId("claim").ClickAsync();
        await Expect(item.GetByTestId("item-status")).ToHaveTextAsync("Claimed by you");
        await item.GetByTestId("resolve").ClickAsync();

        await Expect(item.GetByTestId("item-status")).ToHaveTextAsync("Resolved");
        await Expect(item.GetByTestId("claim")).ToHaveCountAsync(0);
        await DashboardFixture.ScreenshotAsync(ana.Page, "agent-claim-resolve", output);
        await Axe.AssertNoViolationsAsync(ana.Page, "agent-claim-resolve");
        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{id}", "mia");
        Assert.Equal("Resolved", handoff.GetProperty("status").GetString());
        var events = handoff.GetProperty("events").EnumerateArray()
            .Select(e => (Type: e.GetProperty("type").GetString(), Actor: e.GetProperty("actor").GetString()))
            .ToList();
        Assert.Contains(("Claimed", "ana"), events);
        Assert.Contains(("Resolved", "ana"), events);
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task Claim_AfterAnotherAgentClaimedFirst_ShowsWhoHoldsIt()
    {
        var marker = Marker("conflict");
        var id = await fixture.SeedAsync($"{marker} still waiting for someone to answer my question about my account");
        await using var ana = await fixture.OpenAsync("ana");
        await using var ben = await fixture.OpenAsync("ben");
        var anaItem = ana.Item(marker);
        var benItem = ben.Item(marker);
        await Expect(benItem.GetByTestId("claim")).ToBeVisibleAsync();

        await anaItem.GetByTestId("claim").ClickAsync();
        await Expect(anaItem.GetByTestId("item-status")).ToHaveTextAsync("Claimed by you");
        // Ben's page still shows the item unclaimed, with the version he loaded: his claim must lose.
        await benItem.GetByTestId("claim").ClickAsync();

        await Expect(benItem.GetByTestId("item-message")).ToHaveTextAsync("ana claimed this first.");
        await Expect(benItem.GetByTestId("item-status")).ToHaveTextAsync("Claimed by ana");
        await Expect(benItem.GetByTestId("claim")).ToHaveCountAsync(0);
        await Expect(ben.Page.GetByTestId("status-message")).ToContainTextAsync("ana claimed this first");
        await DashboardFixture.ScreenshotAsync(ben.Page, "agent-claim-conflict", output);
        await Axe.AssertNoViolationsAsync(ben.Page, "agent-claim-conflict");
        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{id}", "mia");
        Assert.Equal("ana", handoff.GetProperty("assignee").GetString());
        // The refused claim's 409/412 is logged by Chromium as a failed resource load; nothing else may be.
        Assert.DoesNotContain(ben.Errors, e => !e.Contains("409", StringComparison.Ordinal) && !e.Contains("412", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reasons_ManySignals_CardShowsFourThatAddUpAndDetailShowsAll()
    {
        var marker = Marker("reasons");
        await fixture.SeedAsync($"{marker} the app is broken again and nobody answers the chat. Unacceptable, still waiting 3 weeks for a fix!!", followers: 40_000);
        await using var ana = await fixture.OpenAsync("ana");
        var item = ana.Item(marker);

        var chips = item.GetByRole(AriaRole.List, new() { Name = "Why it is urgent", Exact = true }).GetByRole(AriaRole.Listitem);
        await Expect(chips).ToHaveCountAsync(4);
        await Expect(chips.Last).ToContainTextAsync("more signals");
        var points = await chips.Locator(".reason-points").AllTextContentsAsync();
        Assert.Equal(4, points.Count);

        await item.GetByTestId("details").ClickAsync();
        var all = ana.Page.GetByTestId("detail").GetByRole(AriaRole.List, new() { Name = "Why it is urgent (all reasons)" }).GetByRole(AriaRole.Listitem);
        await Expect(all.First).ToBeVisibleAsync();
        Assert.True(await all.CountAsync() > 4);
        var allPoints = await all.Locator(".reason-points").AllTextContentsAsync();
        Assert.Equal(points.Sum(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)), allPoints.Sum(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task MentionText_WithScriptAndImgOnerror_RendersAsTextAndRunsNothing()
    {
        var marker = Marker("xss");
        var hostile = $"{marker} <script>window.__xss=1</script> and <img src=x onerror=\"window.__xss=1\"> you broke my account";
        await fixture.SeedAsync(hostile);
        await using var ana = await fixture.OpenAsync("ana");
        var item = ana.Item(marker);

        await Expect(item.GetByTestId("item-text")).ToHaveTextAsync(hostile);
        await item.GetByTestId("details").ClickAsync();
        var detail = ana.Page.GetByTestId("detail");
        await Expect(detail.GetByTestId("item-text")).ToHaveTextAsync(hostile);

        await DashboardFixture.ScreenshotAsync(ana.Page, "agent-xss-as-text", output);
        await Axe.AssertNoViolationsAsync(ana.Page, "agent-xss-as-text");
        Assert.Equal("undefined", await ana.Page.EvaluateAsync<string>("() => typeof window.__xss"));
        Assert.Equal(0, await ana.Page.Locator("main script, main img, dialog script, dialog img").CountAsync());
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task ManagerView_WithARespondedHandoff_ShowsSlaTableAndFirstResponseBars()
    {
        var marker = Marker("manager");
        var id = await fixture.SeedAsync($"{marker} how do I change the email address on my account?");
        await fixture.ApiAsync(HttpMethod.Post, $"api/handoffs/{id}/claim", "ben", new { });
        var responded = await fixture.ApiAsync(HttpMethod.Post, $"api/handoffs/{id}/respond", "ben", new { reply = "Settings > Account > Email. Happy to help!" });
        var day = responded.GetProperty("createdAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await using var mia = await fixture.OpenAsync("mia", "#/manager");

        var table = mia.Page.GetByTestId("sla-table");
        await Expect(table).ToBeVisibleAsync();
        var careThatDay = table.GetByTestId("sla-row").Filter(new LocatorFilterOptions { HasText = "care" })
            .Filter(new LocatorFilterOptions { HasText = day });
        await Expect(careThatDay).ToHaveCountAsync(1);
        var bars = mia.Page.GetByTestId("chart-first-response").Locator("svg rect[data-testid='bar']");
        await Expect(bars).ToHaveCountAsync(5);
        var heights = await bars.EvaluateAllAsync<double[]>("rects => rects.map(r => r.getBBox().height)");
        Assert.Contains(heights, h => h > 0);
        await Expect(mia.Page.GetByTestId("chart-met-rate").Locator("svg")).ToBeVisibleAsync();
        await Expect(mia.Page.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToBeVisibleAsync();

        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-sla", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-sla");
        await mia.Page.SetViewportSizeAsync(390, 844);
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-sla-narrow", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-sla-narrow");
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task Incident_CopiesOfOneComplaint_CardSaysIncidentAndDetailListsMembersResolvedWithIt()
    {
        var marker = Marker("incident");
        var text = $"{marker} your app wiped my saved settings again and support never replies. Fed up, fix it properly this time!!";
        var id = await fixture.SeedAsync(text, followers: 10_000);
        await fixture.SeedAsync($"RT @fedup_user: {text} 😡", followers: 2_345, expected: ProcessOutcome.JoinedIncident);
        await fixture.SeedAsync(text.ToUpperInvariant() + " #AppFail", followers: 0, expected: ProcessOutcome.JoinedIncident);
        await using var ana = await fixture.OpenAsync("ana");
        var item = ana.Item(marker);

        await Expect(item).ToHaveCountAsync(1);
        await Expect(item.GetByTestId("item-incident")).ToHaveTextAsync("Incident · 3 mentions · reach 12,345");
        await item.GetByTestId("claim").ClickAsync();
        await Expect(item.GetByTestId("item-status")).ToHaveTextAsync("Claimed by you");
        await item.GetByTestId("resolve").ClickAsync();
        await Expect(item.GetByTestId("item-status")).ToHaveTextAsync("Resolved");
        await item.GetByTestId("details").ClickAsync();

        var members = ana.Page.GetByTestId("detail").GetByRole(AriaRole.Region, new() { Name = "Incident members" }).GetByRole(AriaRole.Listitem);
        await Expect(members).ToHaveCountAsync(3);
        await Expect(members.Nth(1)).ToContainTextAsync("customer");
        foreach (var member in await members.AllAsync())
        {
            await Expect(member).ToContainTextAsync("Resolved with the incident");
        }

        await DashboardFixture.ScreenshotAsync(ana.Page, "agent-incident", output);
        await Axe.AssertNoViolationsAsync(ana.Page, "agent-incident");
        Assert.Equal("Resolved", (await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{id}", "mia")).GetProperty("status").GetString());
        Assert.Empty(ana.Errors);
    }

    private static string Marker(string name) => $"[{name}-{Guid.NewGuid().ToString("N")[..6]}]";
}
