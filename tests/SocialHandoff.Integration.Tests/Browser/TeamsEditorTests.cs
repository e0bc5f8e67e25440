using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SocialHandoff.Core.Teams;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// Teams and people as a manager uses them, in Chromium, located by role and label only: an agent
/// added to the crisis team with capacity 2 and auto-assignment on receives exactly two of its three
/// waiting handoffs, and the third when they resolve one; a team is deleted after a confirmation, and
/// refused, saying why, while a rule routes to it.
/// </summary>
public sealed class TeamsEditorTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task TeamsEditor_ManagerAddsAgentToCrisisWithCapacityTwo_AutoAssignmentStopsAtTwoAndResumesOnResolve()
    {
        var marker = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        // A different place in each: copies differing only by a number would join one incident.
        foreach (var place in new[] { "leeds", "york", "bath" })
        {
            ids.Add(await fixture.SeedAsync($"@contoso smoke and fire in your {place} store {marker}"));
        }

        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var teams = mia.Page.GetByRole(AriaRole.Region, new() { Name = "Teams and people" });
        await teams.GetByLabel("Team to edit").SelectOptionAsync("crisis");
        var members = teams.GetByRole(AriaRole.Table, new() { Name = "Members of crisis" });
        await Expect(members.GetByRole(AriaRole.Row).Filter(new() { HasText = "kai" })).ToBeVisibleAsync();

        // The sample's crisis people make way; Ben joins as an agent with room for two.
        await teams.GetByRole(AriaRole.Button, new() { Name = "Remove kai" }).ClickAsync();
        await teams.GetByRole(AriaRole.Button, new() { Name = "Remove lea" }).ClickAsync();
        await teams.GetByLabel("Person", new() { Exact = true }).FillAsync("ben");
        await teams.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Agent" });
        await teams.GetByLabel("Capacity", new() { Exact = true }).FillAsync("2");
        await teams.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await teams.GetByLabel("Auto-assignment").SelectOptionAsync(new SelectOptionValue { Label = "Least-loaded" });
        await teams.GetByRole(AriaRole.Button, new() { Name = "Save team" }).ClickAsync();

        var ben = members.GetByRole(AriaRole.Row).Filter(new() { HasText = "ben" });
        await Expect(ben).ToContainTextAsync("2 of 2");
        await Expect(teams.GetByText(new Regex(@"\b1 open handoff nobody holds"))).ToBeVisibleAsync();
        await Expect(members.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-teams-editor", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-teams-editor");

        // Ben, now a member of crisis, works its queue: two are his; he resolves one and gets the third.
        await using var benPage = await fixture.OpenAsync("ben");
        var queueView = benPage.Page.GetByRole(AriaRole.Region, new() { Name = "Team queue" });
        await queueView.GetByLabel("Team").SelectOptionAsync("crisis");
        await queueView.GetByLabel("Assignee").SelectOptionAsync(new SelectOptionValue { Label = "Me" });
        var queue = queueView.GetByRole(AriaRole.List, new() { Name = "Handoffs, most urgent first" });
        var resolve = queue.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Resolve: ") });
        await Expect(resolve).ToHaveCountAsync(2);
        await resolve.First.ClickAsync();
        await Expect(resolve).ToHaveCountAsync(1);
        await queueView.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(resolve).ToHaveCountAsync(2);

        await mia.Page.ReloadAsync();
        await teams.GetByLabel("Team to edit").SelectOptionAsync("crisis");
        await Expect(ben).ToContainTextAsync("2 of 2");
        await Expect(teams.GetByText(new Regex(@"\b0 open handoffs nobody holds"))).ToBeVisibleAsync();

        var held = new List<string?>();
        foreach (var id in ids)
        {
            var item = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{id}", "mia");
            held.Add(item.GetProperty("status").GetString() == "Resolved" ? "resolved" : item.GetProperty("assignee").GetString());
        }

        Assert.Equal(["ben", "ben", "resolved"], held.Order(StringComparer.Ordinal));
        Assert.Empty(mia.Errors);
        Assert.Empty(benPage.Errors);
    }

    [Fact]
    public async Task TeamsEditor_DeleteTeamAfterConfirm_RefusedWhileARuleRoutesToItDeletedWhenUnused()
    {
        var press = "press-" + Guid.NewGuid().ToString("N")[..6];
        var created = await fixture.Services.GetRequiredService<TeamDirectory>().SaveTeamAsync(
            press, new TeamEdit("Press office", null, null, [], "off", []), "mia", null, create: true, CancellationToken.None);
        Assert.Equal(201, created.Status);

        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var confirmations = new List<string>();
        mia.Page.Dialog += async (_, dialog) =>
        {
            confirmations.Add(dialog.Message);
            await dialog.AcceptAsync();
        };
        var teams = mia.Page.GetByRole(AriaRole.Region, new() { Name = "Teams and people" });
        var picker = teams.GetByLabel("Team to edit");
        var status = teams.GetByRole(AriaRole.Status);

        await picker.SelectOptionAsync("logistics");
        await Expect(teams.GetByRole(AriaRole.Table, new() { Name = "Members of logistics" })).ToBeVisibleAsync();
        await teams.GetByRole(AriaRole.Button, new() { Name = "Delete team" }).ClickAsync();
        await Expect(status).ToContainTextAsync("Not deleted: Team 'logistics' is still in use: rule 'delivery' routes to it.");

        await picker.SelectOptionAsync(press);
        await Expect(teams.GetByRole(AriaRole.Table, new() { Name = $"Members of {press}" })).ToBeVisibleAsync();
        await teams.GetByRole(AriaRole.Button, new() { Name = "Delete team" }).ClickAsync();
        await Expect(status).ToHaveTextAsync($"Deleted team {press}.");
        await Expect(picker.Locator("option", new() { HasText = press })).ToHaveCountAsync(0);

        Assert.Equal([$"Delete team logistics? Its history is kept. This cannot be undone from here.", $"Delete team {press}? Its history is kept. This cannot be undone from here."], confirmations);

        // The refusal is the only error: the browser logs the 409 it was answered with.
        Assert.All(mia.Errors, e => Assert.Contains("409", e, StringComparison.Ordinal));
    }
}
