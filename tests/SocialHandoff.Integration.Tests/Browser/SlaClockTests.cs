using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// What an SLA clock says, in Chromium: every state the API gives a clock (running, at risk,
/// breached, running across closed hours, paused waiting on the customer, stopped with an answer,
/// stopped by a resolution without one, no clock) gets a sentence that is true of it; and the
/// dialog of a handoff resolved without a first response says so (it read "clock paused").
/// </summary>
public sealed class SlaClockTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Theory]
    [InlineData("First response", "running", 50, null, null, "ok", "^First response: 50m 00s left$", "ok")]
    [InlineData("First response", "running", 5, null, null, "at-risk", "^First response: 5m 00s left$", "warn")]
    [InlineData("First response", "running", -12, null, null, "breached", "^First response: breached 12m ago$", "breach")]
    [InlineData("First response", "running", 960, null, null, "ok", @"^First response: 16h 00m left \(due .+; only business hours count\)$", "ok")]
    [InlineData("Resolution", "paused", null, null, null, "paused", "^Resolution: paused while waiting on the customer$", "idle")]
    [InlineData("Resolution", "paused", null, null, null, "breached", "^Resolution: paused while waiting on the customer, already past its 1 h target$", "breach")]
    [InlineData("First response", "stopped", null, -30, -30, "met", @"^First response: done \d\d:\d\d$", "done")]
    [InlineData("First response", "stopped", null, -30, -30, "breached", @"^First response: done \d\d:\d\d \(late\)$", "breach")]
    [InlineData("First response", "stopped", null, null, -30, "met", @"^First response: none recorded before it was resolved at .+; counts as met \(within its 1 h target\)$", "done")]
    [InlineData("First response", "stopped", null, null, -30, "breached", @"^First response: none recorded before it was resolved at .+; counts as breached \(past its 1 h target\)$", "breach")]
    [InlineData("Resolution", "stopped", null, null, -5, "met", "^Resolution: resolved at .+$", "done")]
    [InlineData("Resolution", "stopped", null, null, -5, "breached", @"^Resolution: resolved at .+ \(late\)$", "breach")]
    [InlineData("Resolution", "none", null, null, null, null, "^Resolution: no SLA clock$", "idle")]
    public async Task SlaClock_EachClockState_SaysWhatIsTrueOfIt(string label, string run, int? dueIn, int? doneIn, int? stoppedIn, string? standing, string expected, string tone)
    {
        await using var ana = await fixture.OpenAsync("ana");

        // The dashboard's own module (same origin, allowed by the page's CSP), with a target of 1 h and a 10 min warning.
        var clock = await ana.Page.EvaluateAsync<JsonElement>(
            """
            async ([label, run, dueIn, doneIn, stoppedIn, standing]) => {
              const { slaClock } = await import('/format.js');
              const now = Date.now();
              const at = (m) => (m === null ? null : new Date(now + m * 60000).toISOString());
              return slaClock(label, at(dueIn), { run, doneAt: at(doneIn), stoppedAt: at(stoppedIn), standing, targetMinutes: 60, atRiskMs: 600000, now });
            }
            """,
            new object?[] { label, run, dueIn, doneIn, stoppedIn, standing });

        Assert.Matches(expected, clock.GetProperty("text").GetString());
        Assert.Equal(tone, clock.GetProperty("tone").GetString());
    }

    [Fact]
    public async Task DetailDialog_ResolvedWithoutFirstResponse_SaysNoneRecordedAndCountsAsMet()
    {
        var marker = $"noreply{Guid.NewGuid().ToString("N")[..6]}";
        var id = await fixture.SeedAsync($"{marker} how do I update the phone number on my account");
        var resolved = await fixture.ApiAsync(HttpMethod.Post, $"api/handoffs/{id}/resolve", "ben", new { note = "Sorted on the phone." });
        // The API's facts this sentence rests on: the clock stopped by the resolution, in time.
        var firstResponse = resolved.GetProperty("sla").GetProperty("firstResponse");
        Assert.Equal("stopped", firstResponse.GetProperty("state").GetString());
        Assert.Equal("met", firstResponse.GetProperty("standing").GetString());
        Assert.Equal(JsonValueKind.Null, resolved.GetProperty("firstRespondedAt").ValueKind);

        await using var ana = await fixture.OpenAsync("ana", "#/queue?status=resolved&pageSize=100");
        var card = ana.Item(marker);
        await Expect(card.GetByTestId("clock-first-response")).ToHaveTextAsync("First response: none recorded before it was resolved; counts as met (within its target)");
        await card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Details: ") }).ClickAsync();
        var dialog = ana.Page.GetByRole(AriaRole.Dialog);

        var clock = dialog.GetByTestId("detail-clock-first-response");
        await Expect(clock).ToHaveTextAsync(new Regex(@"^First response: none recorded before it was resolved at .+; counts as met \(within its \d.* target\)$"));
        await Expect(clock).ToHaveAttributeAsync("data-tone", "done");
        await Expect(dialog.GetByTestId("detail-clock-resolution")).ToHaveTextAsync(new Regex("^Resolution: resolved at "));
        await Expect(dialog).Not.ToContainTextAsync("paused");
        // The live ticker rewrites clocks every second: the sentence must survive it.
        await ana.Page.WaitForTimeoutAsync(1500);
        await Expect(clock).ToHaveTextAsync(new Regex("^First response: none recorded before it was resolved at "));
        await DashboardFixture.ScreenshotAsync(ana.Page, "detail-resolved-without-response", output);
        await Axe.AssertNoViolationsAsync(ana.Page, "dialog of a handoff resolved without a first response");
        Assert.Empty(ana.Errors);
    }
}
