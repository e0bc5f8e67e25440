using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The manager page's section navigation, in Chromium, by role and label and by keyboard: each part
/// (figures, rules, teams, SLA policies) is a deep link that lands on its heading with its own page
/// title; unsaved edits are marked in the navigation, kept when moving between sections and views,
/// and never dropped without asking (leaving the page, switching the team being edited).
/// </summary>
public sealed class ManagerNavigationTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private const string Title = " · SLA and rules · SocialHandoff";

    [Theory]
    [InlineData("figures", "SLA figures")]
    [InlineData("rules", "Routing rules")]
    [InlineData("teams", "Teams and people")]
    [InlineData("sla", "SLA policies and calendars")]
    public async Task DeepLink_EachSection_FocusesItsHeadingNamesItInTheTitleAndMarksItsLink(string section, string heading)
    {
        await using var mia = await fixture.OpenAsync("mia", $"#/manager/{section}");

        await Expect(mia.Page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 2, Exact = true })).ToBeFocusedAsync();
        await Expect(mia.Page).ToHaveTitleAsync(heading + Title);
        var nav = mia.Page.GetByRole(AriaRole.Navigation, new() { Name = "Sections of this page" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = heading })).ToHaveAttributeAsync("aria-current", "location");
        await Expect(nav.Locator("[aria-current]")).ToHaveCountAsync(1);
        await Expect(mia.Page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 2, Exact = true })).ToBeInViewportAsync();
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task SectionNav_KeyboardOnly_MovesBetweenSectionsAndBackButtonReturns()
    {
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        await Expect(mia.Page.GetByRole(AriaRole.Region, new() { Name = "Routing rules" }).GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToBeVisibleAsync();
        await Expect(mia.Page).ToHaveTitleAsync("SLA and rules · SocialHandoff");
        var nav = mia.Page.GetByRole(AriaRole.Navigation, new() { Name = "Sections of this page" });
        await Expect(nav.GetByRole(AriaRole.Link)).ToHaveCountAsync(4);

        // From the page's heading, Tab reaches the section links in order; Enter follows one.
        await mia.Page.GetByRole(AriaRole.Heading, new() { Name = "SLA and rules", Level = 1 }).EvaluateAsync("h => { h.tabIndex = -1; h.focus(); }");
        await mia.Page.Keyboard.PressAsync("Tab");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "SLA figures" })).ToBeFocusedAsync();
        await mia.Page.Keyboard.PressAsync("Tab");
        await mia.Page.Keyboard.PressAsync("Tab");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Teams and people" })).ToBeFocusedAsync();
        await mia.Page.Keyboard.PressAsync("Enter");

        var teams = mia.Page.GetByRole(AriaRole.Heading, new() { Name = "Teams and people", Level = 2 });
        await Expect(teams).ToBeFocusedAsync();
        await Expect(mia.Page).ToHaveTitleAsync("Teams and people" + Title);
        Assert.EndsWith("#/manager/teams", mia.Page.Url, StringComparison.Ordinal);
        // The next Tab continues inside the section, not back at the top of the page.
        await mia.Page.Keyboard.PressAsync("Tab");
        Assert.True(await mia.Page.GetByRole(AriaRole.Region, new() { Name = "Teams and people" }).EvaluateAsync<bool>("s => s.contains(document.activeElement)"));
        await Axe.AssertNoViolationsAsync(mia.Page, "manager page at the teams section");

        await nav.GetByRole(AriaRole.Link, new() { Name = "SLA policies and calendars" }).FocusAsync();
        await mia.Page.Keyboard.PressAsync("Enter");
        await Expect(mia.Page.GetByRole(AriaRole.Heading, new() { Name = "SLA policies and calendars", Level = 2 })).ToBeFocusedAsync();
        await mia.Page.GoBackAsync();
        await Expect(teams).ToBeFocusedAsync();
        await Expect(mia.Page).ToHaveTitleAsync("Teams and people" + Title);
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task UnsavedRuleEdit_SwitchingSectionsAndViews_MarkedInNavKeptAndLeavingThePageAsks()
    {
        await using var mia = await fixture.OpenAsync("mia", "#/manager/rules");
        var rules = mia.Page.GetByRole(AriaRole.Region, new() { Name = "Routing rules" });
        var nav = mia.Page.GetByRole(AriaRole.Navigation, new() { Name = "Sections of this page" });
        var name = rules.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true }).GetByLabel("Rule name");
        await Expect(name).ToBeVisibleAsync();
        Assert.False(await LeavingAsksAsync(mia.Page));
        var typed = $"edited {Guid.NewGuid().ToString("N")[..6]}";

        await name.FillAsync(typed);

        var link = nav.GetByRole(AriaRole.Link, new() { Name = "Routing rules" });
        await Expect(link).ToHaveAccessibleNameAsync("Routing rules · unsaved changes");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Teams and people" })).ToHaveAccessibleNameAsync("Teams and people");
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-nav-unsaved", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager page with an unsaved rule edit");
        Assert.True(await LeavingAsksAsync(mia.Page));

        await nav.GetByRole(AriaRole.Link, new() { Name = "SLA policies and calendars" }).ClickAsync();
        await mia.Page.GetByRole(AriaRole.Link, new() { Name = "Team queue" }).ClickAsync();
        await Expect(mia.Page.GetByRole(AriaRole.Heading, new() { Name = "Team queue", Level = 1 })).ToBeFocusedAsync();
        await mia.Page.GetByRole(AriaRole.Link, new() { Name = "SLA & rules" }).ClickAsync();
        await link.ClickAsync();

        await Expect(name).ToHaveValueAsync(typed);
        await Expect(rules.GetByRole(AriaRole.Group, new() { Name = "Rule 1", Exact = true })).ToContainTextAsync("When");
        await rules.GetByRole(AriaRole.Button, new() { Name = "Reload" }).ClickAsync();
        await Expect(link).ToHaveAccessibleNameAsync("Routing rules");
        await Expect(name).Not.ToHaveValueAsync(typed);
        Assert.False(await LeavingAsksAsync(mia.Page));
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task TeamsEditor_SwitchTeamWithUnsavedEdit_AsksAndKeepsTheEditWhenDeclined()
    {
        await using var mia = await fixture.OpenAsync("mia", "#/manager/teams");
        var teams = mia.Page.GetByRole(AriaRole.Region, new() { Name = "Teams and people" });
        var picker = teams.GetByLabel("Team to edit");
        await Expect(teams.GetByRole(AriaRole.Table, new() { Name = "Members of billing" })).ToBeVisibleAsync();
        var displayName = teams.GetByLabel("Display name");
        await displayName.FillAsync("Billing, unsaved");
        await Expect(mia.Page.GetByRole(AriaRole.Navigation, new() { Name = "Sections of this page" }).GetByRole(AriaRole.Link, new() { Name = "Teams and people" }))
            .ToHaveAccessibleNameAsync("Teams and people · unsaved changes");
        var asked = new List<string>();
        void Decline(object? sender, IDialog dialog)
        {
            asked.Add(dialog.Message);
            _ = dialog.DismissAsync();
        }

        mia.Page.Dialog += Decline;
        await picker.SelectOptionAsync("care");
        mia.Page.Dialog -= Decline;

        Assert.Equal(["Your changes to team billing are not saved. Discard them and edit care?"], asked);
        await Expect(picker).ToHaveValueAsync("billing");
        await Expect(displayName).ToHaveValueAsync("Billing, unsaved");

        // Accepting drops the edit and shows the other team.
        mia.Page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await picker.SelectOptionAsync("care");
        await Expect(teams.GetByRole(AriaRole.Table, new() { Name = "Members of care" })).ToBeVisibleAsync();
        await Expect(displayName).ToHaveValueAsync("Customer care");
        Assert.Empty(mia.Errors);
    }

    /// <summary>Whether leaving the page now would ask first: a cancelable beforeunload the page cancels.</summary>
    private static Task<bool> LeavingAsksAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; }");
}
