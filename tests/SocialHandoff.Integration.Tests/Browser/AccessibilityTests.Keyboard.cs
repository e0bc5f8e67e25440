using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The queue worked with the keyboard only (Tab, Shift+Tab, Enter, Escape and typing): claim, respond
/// and resolve from a card and from the detail dialog, with focus on the next step after each action
/// and back on the card's control when the dialog closes.
/// </summary>
public sealed partial class AccessibilityTests
{
    [Fact]
    public async Task Keyboard_ClaimRespondResolveOnACard_FocusMovesToTheNextStep()
    {
        var marker = Marker("kbd-card");
        var id = await fixture.SeedAsync($"{marker} my profile picture does not update");
        await using var ana = await fixture.OpenAsync("ana", "#/queue?pageSize=100");
        var card = ana.Item(marker);
        await Expect(card).ToHaveCountAsync(1);
        var page = ana.Page;

        await TabToAsync(page, $"Claim: .* — {Regex.Escape(marker)}");
        await page.Keyboard.PressAsync("Enter");
        await Expect(card.GetByTestId("item-status")).ToHaveTextAsync("Claimed by you");
        await Expect(card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Respond: ") })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        var reply = card.GetByRole(AriaRole.Textbox, new() { Name = "First response (text or link, up to 2000 characters)" });
        await Expect(reply).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        var respond = card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Respond: ") });
        await Expect(reply).ToBeHiddenAsync();
        await Expect(respond).ToBeFocusedAsync();
        await Expect(respond).ToHaveAttributeAsync("aria-expanded", "false");
        await page.Keyboard.PressAsync("Enter");
        await Expect(reply).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Sorry about that, a fix is on its way.");
        await page.Keyboard.PressAsync("Tab");
        await Expect(card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Record response: ") })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(card.GetByTestId("clock-first-response")).ToContainTextAsync("done");
        await Expect(card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Resolve: ") })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(card.GetByTestId("item-status")).ToHaveTextAsync("Resolved");
        await Expect(card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Details: ") })).ToBeFocusedAsync();
        await Expect(page.GetByTestId("status-message")).ToHaveTextAsync("Resolved.");

        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{id}", "mia");
        Assert.Equal("Resolved", handoff.GetProperty("status").GetString());
        var events = handoff.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("type").GetString(), e.GetProperty("actor").GetString())).ToList();
        Assert.Contains(("Claimed", "ana"), events);
        Assert.Contains(("Responded", "ana"), events);
        Assert.Contains(("Resolved", "ana"), events);
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task Keyboard_ClaimRespondResolveInTheDialogThenEscape_FocusReturnsToTheCardsDetailsButton()
    {
        var marker = Marker("kbd-dialog");
        var id = await fixture.SeedAsync($"{marker} the search box returns nothing");
        await using var ana = await fixture.OpenAsync("ana", "#/queue?pageSize=100");
        var card = ana.Item(marker);
        await Expect(card).ToHaveCountAsync(1);
        var page = ana.Page;
        var dialog = page.GetByRole(AriaRole.Dialog);

        await TabToAsync(page, $"Details: .* — {Regex.Escape(marker)}");
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Claim", Exact = true })).ToBeVisibleAsync();
        await TabToAsync(page, "^Claim$");
        await page.Keyboard.PressAsync("Enter");

        await Expect(dialog.GetByRole(AriaRole.Status)).ToHaveTextAsync("Claimed.");
        var respond = dialog.GetByRole(AriaRole.Textbox, new() { Name = "Record first response" });
        await Expect(respond).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("We have fixed search, try again please.");
        await page.Keyboard.PressAsync("Tab");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Record first response" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(dialog.GetByRole(AriaRole.Status)).ToHaveTextAsync("First response recorded.");
        var note = dialog.GetByRole(AriaRole.Textbox, new() { Name = "Resolve" });
        await Expect(note).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Resolve", Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(dialog.GetByRole(AriaRole.Status)).ToHaveTextAsync("Resolved.");
        await Expect(dialog.GetByTestId("detail-message")).ToBeFocusedAsync();
        await Expect(card.GetByTestId("item-status")).ToHaveTextAsync("Resolved");
        await page.Keyboard.PressAsync("Escape");

        await Expect(dialog).ToHaveCountAsync(0);
        // The card was redrawn by each action; focus finds its Details button again by its stable id.
        await Expect(card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Details: ") })).ToBeFocusedAsync();
        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{id}", "mia");
        Assert.Equal("Resolved", handoff.GetProperty("status").GetString());
        Assert.Equal("We have fixed search, try again please.", handoff.GetProperty("firstResponse").GetProperty("reply").GetString());
        Assert.Empty(ana.Errors);
    }

    /// <summary>Presses Tab until the focused element's accessible name matches (aria-label, else its text).</summary>
    private static async Task TabToAsync(IPage page, string namePattern, int maxPresses = 400)
    {
        var pattern = new Regex(namePattern);
        for (var i = 0; i < maxPresses; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var name = await page.EvaluateAsync<string>("() => { const el = document.activeElement; return (el?.getAttribute('aria-label') || el?.textContent || '').trim(); }");
            if (pattern.IsMatch(name))
            {
                return;
            }
        }

        Assert.Fail($"No control named /{namePattern}/ within {maxPresses} presses of Tab.");
    }
}
