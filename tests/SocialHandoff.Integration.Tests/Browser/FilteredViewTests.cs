using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Spikes;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>The Filtered view in headless Chromium: what the spam filter held out, and restoring one.</summary>
public sealed class FilteredViewTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task FilteredView_Advert_ShowsReasonsAndRestoreHandsItOff()
    {
        var marker = $"promo-{Guid.NewGuid():N}"[..14];
        var key = await fixture.SeedSpamAsync($"{marker} Earn £58 a day from home!!! DM me, no experience needed #ad @ContosoBank");
        await using var ana = await fixture.OpenAsync("ana", "#/filtered");

        await ana.Page.GetByRole(AriaRole.Link, new() { Name = "Filtered" }).ClickAsync();
        var item = ana.Page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = marker });
        await Expect(item.GetByRole(AriaRole.List, new() { Name = "Why it was filtered" })).ToContainTextAsync("promo phrases:");
        await DashboardFixture.ScreenshotAsync(ana.Page, "filtered-view", output);
        await item.GetByRole(AriaRole.Button, new() { Name = "Restore the mention from" }).ClickAsync();

        await Expect(ana.Page.GetByTestId("status-message")).ToContainTextAsync("Restored: handed off as h-");
        await Expect(ana.Page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = marker })).ToHaveCountAsync(0);
        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{SocialHandoff.Core.Handoffs.HandoffIds.For(key)}", "mia");
        var types = handoff.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("Filtered", types);
        Assert.Contains(("Restored"), types);
        Assert.Contains("Created", types);
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task SpikeBanner_ColdStartSurge_ShowsSeriesCountAndTopWords()
    {
        var brand = $"spiketest{Guid.NewGuid():N}"[..16];
        var log = fixture.Services.GetRequiredService<VolumeLog>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 50; i++)
        {
            await log.RecordAsync(
                new MentionMessage(MentionMessage.CurrentSchemaVersion, "c", "x", $"{brand}-{i}", new MentionAuthor("a", "user", "U", 10, false),
                    $"@contoso checkout outage, payment failing #{i}", "en", new MentionMetrics(0, 0, 0, 0), null, now, brand),
                "care", "", [], CancellationToken.None);
        }

        await fixture.Services.GetRequiredService<SpikeSweepStage>().RunAsync(now, CancellationToken.None);
        await using var ana = await fixture.OpenAsync("ana");

        var banner = ana.Page.GetByRole(AriaRole.Region, new() { Name = "Volume spikes" });
        await Expect(banner).ToContainTextAsync($"Volume spike: brand:{brand}");
        await Expect(banner).ToContainTextAsync("50 mentions this hour (spike at 50), team care");
        await Expect(banner).ToContainTextAsync("checkout");
        await DashboardFixture.ScreenshotAsync(ana.Page, "spike-banner", output);
        Assert.Empty(ana.Errors);
    }
}
