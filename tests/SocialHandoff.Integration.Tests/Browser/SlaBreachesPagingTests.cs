using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Work;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>The manager's breaches list in Chromium: a page at a time, the rest on "Show more breaches" (its own host, so its breaches are the only ones).</summary>
public sealed class SlaBreachesPagingTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task ManagerView_MoreBreachesThanAPage_ShowsFiftyThenTheRestOnShowMoreEachPageOnce()
    {
        // Sixty handoffs of care whose clocks started three weeks ago: both clocks of each breached, 120 breaches.
        var services = fixture.Services;
        var policy = (await services.GetRequiredService<LivePolicies>().GetSlaAsync(CancellationToken.None)).Resolve("care", "P2");
        var now = DateTimeOffset.UtcNow;
        var handoffs = Enumerable.Range(0, 60).Select(i =>
        {
            var key = $"browser:breach-{Guid.NewGuid():N}";
            var clocksFrom = now.AddDays(-21).AddMinutes(i);
            var row = HandoffRow.New(
                new NewHandoff(HandoffIds.For(key), key, "c", "care", "default", "P2", 50, "Negative", -0.5, [], $"breached backlog item {i}", "en", null, null, null, now, now,
                    clocksFrom + policy.FirstResponse, clocksFrom + policy.Resolution), "", now);
            var h = HandoffRow.WithDueTimes(HandoffRow.ToRecord(row) with { Sla = HandoffSla.Start("care", "P2", policy, clocksFrom) }, policy.Calendar);
            return (h, (BusinessCalendar?)policy.Calendar, (IReadOnlyList<SlaDueRow>)[]);
        }).ToList();
        await services.GetRequiredService<HandoffIndex>().BulkAddAsync(handoffs, 2, CancellationToken.None);

        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var rows = mia.Page.GetByTestId("breaches-table").Locator("tbody tr");
        var more = mia.Page.GetByRole(AriaRole.Button, new() { Name = "Show more breaches" });
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(more).ToBeVisibleAsync();

        // Two clicks before the page comes (an impatient double click): one page added, not the same page twice.
        await more.EvaluateAsync("button => { button.click(); button.click(); }");
        await Expect(rows).ToHaveCountAsync(100);
        // The keyboard carries on at the first breach added.
        await Expect(rows.Nth(50).GetByRole(AriaRole.Button)).ToBeFocusedAsync();
        await more.ClickAsync();

        await Expect(rows).ToHaveCountAsync(120);
        await Expect(more).ToHaveCountAsync(0);
        var names = await rows.Locator("td.text-cell").AllTextContentsAsync();
        Assert.Equal(120, names.Count);
        Assert.Equal(60, names.Distinct().Count());
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-breaches-more", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-breaches-more");
        Assert.Empty(mia.Errors);
    }
}
