using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The SLA policies and calendars as a manager uses them, in Chromium, without a line of JSON: a
/// holiday and a lunch break added to a calendar, the preview's due time moving, the save, and the
/// next handoff due later; plain errors at the field; the Advanced switch's JSON round trip.
/// Located by role and label only.
/// </summary>
public sealed class SlaEditorTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Fact]
    public async Task SlaForm_ManagerAddsHolidayAndLunchBreak_PreviewAndNextHandoffDueLater()
    {
        // Arranged through the API, as an earlier manager would have: care works 09:00-17:00 every day, first response in 4 hours.
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var calendar = $"care-hours-{suffix}";
        var document = JsonNode.Parse((await fixture.ApiAsync(HttpMethod.Get, "api/sla-policies", "mia")).GetProperty("document").GetRawText())!;
        var everyDay = new JsonObject();
        foreach (var weekday in new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" })
        {
            everyDay[weekday] = new JsonArray("09:00-17:00");
        }

        document["calendars"]!.AsArray().Add(new JsonObject { ["name"] = calendar, ["timeZone"] = "Europe/London", ["week"] = everyDay, ["holidays"] = new JsonArray() });
        var policies = document["policies"]!.AsArray();
        foreach (var stale in policies.Where(p => (string?)p!["team"] == "care").ToList())
        {
            policies.Remove(stale);
        }

        policies.Add(JsonNode.Parse($$"""{"name":"care-standard-{{suffix}}","team":"care","priority":"*","calendar":"{{calendar}}","firstResponse":"04:00:00","resolution":"2.00:00:00","warnBefore":"00:30:00"}"""));
        await fixture.ApiAsync(HttpMethod.Put, "api/sla-policies", "mia", document);
        var before = await fixture.SeedAsync($"@contoso is the autumn menu vegetarian friendly? {suffix}");
        var beforeDue = (await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{before}", "mia")).GetProperty("firstResponseDueAt").GetDateTimeOffset();

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, London).DateTime);
        var tomorrow = today.AddDays(1);
        var tomorrowName = tomorrow.DayOfWeek.ToString();
        var holiday = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var editor = mia.Page.GetByRole(AriaRole.Region, new() { Name = "SLA policies and calendars" });
        var hours = editor.GetByRole(AriaRole.Group, new() { Name = $"Calendar {calendar}", Exact = true });
        await Expect(hours).ToBeVisibleAsync();
        await Expect(hours).ToContainTextAsync($"Used by policy care-standard-{suffix} (care, any priority); teams: care.");

        // A lunch break tomorrow: the day's shift ends at 12:00 and a second one runs 13:00-17:00.
        var day = hours.GetByRole(AriaRole.Group, new() { Name = $"{tomorrowName} hours" });
        await day.GetByLabel($"{tomorrowName} shift 1 from").FillAsync("09:00");
        await day.GetByLabel($"{tomorrowName} shift 1 to").FillAsync("12:00");
        await day.GetByRole(AriaRole.Button, new() { Name = $"Add a shift on {tomorrowName}" }).ClickAsync();
        await Expect(day.GetByLabel($"{tomorrowName} shift 2 from")).ToHaveValueAsync("13:00");
        await day.GetByLabel($"{tomorrowName} shift 2 to").FillAsync("17:00");

        // Today a holiday, picked one by one; two more imported from a pasted list (one of them a calendar-file line).
        await hours.GetByLabel("Holiday date", new() { Exact = true }).FillAsync(holiday);
        await hours.GetByRole(AriaRole.Button, new() { Name = $"Add holiday to calendar {calendar}" }).ClickAsync();
        await hours.GetByLabel("Paste dates to import").FillAsync($"{today.AddYears(1):yyyy-MM-dd}\nDTSTART;VALUE=DATE:{today.AddYears(1).AddDays(1):yyyyMMdd}\nnot a date");
        await hours.GetByRole(AriaRole.Button, new() { Name = $"Import dates: holidays of calendar {calendar}" }).ClickAsync();
        var listed = hours.GetByRole(AriaRole.List, new() { Name = $"Holidays of calendar {calendar}" }).GetByRole(AriaRole.Listitem);
        await Expect(listed).ToHaveCountAsync(3);
        await Expect(listed.First).ToContainTextAsync(holiday);
        await Expect(hours.GetByText("2 dates added; not dates: 'not a date'.")).ToBeVisibleAsync();
        await Expect(editor.GetByText("No problems found.")).ToBeVisibleAsync();

        await editor.GetByLabel("Preview team").SelectOptionAsync("care");
        await editor.GetByLabel("Preview priority").SelectOptionAsync("P2");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Preview due times" }).ClickAsync();
        var due = editor.GetByRole(AriaRole.Table, new() { Name = "Due times for this arrival" }).GetByRole(AriaRole.Row, new() { Name = "First response due" });
        // 4 business hours from now on a holiday: tomorrow 09:00-12:00, then 13:00-14:00.
        await Expect(due.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync(new Regex($"\\b{tomorrow.Day} \\w+ {tomorrow.Year}, 14:00 \\(Europe/London\\)$"));
        await Expect(editor.GetByText(new Regex($"^With your changes, a P2 to care arriving .* would be due for a first response .*{tomorrow.Day} \\w+ {tomorrow.Year}, 14:00 \\(Europe/London\\)"))).ToBeVisibleAsync();
        await Expect(editor.GetByText(new Regex("^Open handoffs: [1-9]\\d* of \\d+ would be due at another time"))).ToBeVisibleAsync();
        await Expect(editor.GetByRole(AriaRole.Table, new() { Name = "Open handoffs whose due time would change" }).GetByRole(AriaRole.Row).Filter(new() { HasText = suffix })).ToHaveCountAsync(1);
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-sla-form", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-sla-form");
        await editor.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "manager-sla-editor.png") });

        await editor.GetByRole(AriaRole.Button, new() { Name = "Save SLA policies" }).ClickAsync();
        await Expect(editor.GetByText(new Regex("^Saved as version \\d+\\."))).ToBeVisibleAsync();
        var after = await fixture.SeedAsync($"@contoso do you have gluten free bread? {suffix}");
        var handoff = await fixture.ApiAsync(HttpMethod.Get, $"api/handoffs/{after}", "mia");
        var afterDue = handoff.GetProperty("firstResponseDueAt").GetDateTimeOffset();
        var expected = TimeZoneInfo.ConvertTimeToUtc(tomorrow.ToDateTime(new TimeOnly(14, 0)), London);
        Assert.Equal(new DateTimeOffset(expected, TimeSpan.Zero), afterDue);
        Assert.True(afterDue > beforeDue, $"{afterDue:O} should be after {beforeDue:O}");
        Assert.Equal($"care-standard-{suffix}", handoff.GetProperty("sla").GetProperty("policy").GetString());

        await editor.GetByRole(AriaRole.Button, new() { Name = "Show SLA history" }).ClickAsync();
        var latest = editor.GetByRole(AriaRole.List, new() { Name = "Saved SLA versions, newest first" }).GetByRole(AriaRole.Listitem).First;
        await Expect(latest).ToContainTextAsync($"holiday {holiday} added to calendar '{calendar}'");
        await Expect(latest).ToContainTextAsync($"calendar '{calendar}' {tomorrowName[..3]} 09:00-17:00 → 09:00-12:00 and 13:00-17:00");
        await Expect(latest).ToContainTextAsync("mia");
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-sla-history", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-sla-history");
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task SlaForm_BadDurationAndMisspeltZone_PlainErrorsAtTheFields()
    {
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var steps = DocumentEditorSteps.Sla(mia.Page);
        var editor = steps.Editor;
        var policy = editor.GetByRole(AriaRole.Group, new() { Name = "Policy 1", Exact = true });
        await Expect(policy).ToBeVisibleAsync();
        var first = policy.GetByLabel("First response within");

        await first.FillAsync("soon");
        await DocumentEditorSteps.ExpectErrorAtAsync(first, "'soon' is not a duration: expected a number at 'soon'. Write it like 1 h 30 min, 90 min or 2 d.");
        await steps.ExpectProblemsAsync(1);
        await first.FillAsync("90");
        await Expect(first).ToHaveAccessibleDescriptionAsync(new Regex("say whether 90 is minutes, hours or days"));
        await first.FillAsync("1h30");
        await first.BlurAsync();
        await Expect(first).ToHaveValueAsync("1 h 30 min");
        await Expect(first).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(policy).ToContainTextAsync("first response within 1 h 30 min");

        var office = editor.GetByRole(AriaRole.Group, new() { Name = "Calendar office", Exact = true });
        var zone = office.GetByLabel("Time zone");
        await zone.FillAsync("Europe/Londn");
        await DocumentEditorSteps.ExpectErrorAtAsync(zone, new Regex("did you mean 'Europe/London'\\?"));
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-sla-field-error", output);
        await Axe.AssertNoViolationsAsync(mia.Page, "manager-sla-field-error");
        await zone.FillAsync("Europe/London");
        await steps.ExpectFixedAsync(zone);
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task SlaForm_AdvancedSwitch_JsonRoundTripsExactly()
    {
        var stored = JsonNode.Parse((await fixture.ApiAsync(HttpMethod.Get, "api/sla-policies", "mia")).GetProperty("document").GetRawText());
        await using var mia = await fixture.OpenAsync("mia", "#/manager");
        var steps = DocumentEditorSteps.Sla(mia.Page);
        var editor = steps.Editor;
        await Expect(editor.GetByRole(AriaRole.Group, new() { Name = "Policy 1", Exact = true })).ToBeVisibleAsync();
        // A power user's own text (keys in another order, fields left out, a day written "Mon") survives the form unchanged.
        const string own = """
            {
              "policies": [
                { "team": "*", "calendar": "Büro ✓", "name": "fallback", "priority": "*", "resolution": "1.00:00:00", "firstResponse": "02:00:00" }
              ],
              "calendars": [
                { "week": { "Mon": ["08:00-12:00", "13:00-16:00"] }, "timeZone": "Europe/Berlin", "name": "Büro ✓", "holidays": ["2026-12-24"] }
              ]
            }
            """;
        await steps.AssertJsonRoundTripsAsync(stored, own, async form =>
        {
            await Expect(form.GetByRole(AriaRole.Group, new() { Name = "Policy 1", Exact = true })).ToContainTextAsync(
                "every team, any priority: first response within 2 h, resolved within 1 d of business time on 'Büro ✓'; warning 0 min before.");
            await Expect(form.GetByRole(AriaRole.Group, new() { Name = "Calendar Büro ✓" }).GetByLabel("Monday shift 2 from")).ToHaveValueAsync("13:00");
        });
        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task SlaForm_CopyMondayToWeekdaysThenAllDays_EachDayGetsMondaysShifts()
    {
        await using var mia = await fixture.OpenAsync("mia", "#/manager/sla");
        var steps = DocumentEditorSteps.Sla(mia.Page);
        var editor = steps.Editor;
        var office = editor.GetByRole(AriaRole.Group, new() { Name = "Calendar office", Exact = true });
        var monday = office.GetByRole(AriaRole.Group, new() { Name = "Monday hours" });
        await monday.GetByLabel("Monday shift 1 from").FillAsync("08:00");
        await Expect(office.GetByRole(AriaRole.Group, new() { Name = "Friday hours" }).GetByLabel("Friday shift 2 to")).ToHaveValueAsync("17:00");

        var weekdays = office.GetByRole(AriaRole.Button, new() { Name = "Copy Monday to weekdays" });
        await weekdays.ClickAsync();

        foreach (var day in new[] { "Tuesday", "Wednesday", "Thursday", "Friday" })
        {
            var hours = office.GetByRole(AriaRole.Group, new() { Name = $"{day} hours" });
            await Expect(hours.GetByLabel($"{day} shift 1 from")).ToHaveValueAsync("08:00");
            await Expect(hours.GetByLabel($"{day} shift 2 to")).ToHaveValueAsync("17:30");
        }

        await Expect(office.GetByLabel("Saturday shift 1 from")).ToHaveCountAsync(0);
        await Expect(weekdays).ToBeFocusedAsync();
        await Expect(mia.Page.GetByTestId("status-message")).ToHaveTextAsync("Monday's hours (08:00-12:30 and 13:30-17:30) copied to Tuesday, Wednesday, Thursday and Friday.");
        await Expect(editor.GetByText("No problems found.")).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(mia.Page, "SLA calendar after copying Monday to weekdays");

        await office.GetByRole(AriaRole.Button, new() { Name = "Copy Monday to all days" }).ClickAsync();
        await Expect(office.GetByLabel("Sunday shift 2 from")).ToHaveValueAsync("13:30");
        await DashboardFixture.ScreenshotAsync(mia.Page, "manager-sla-copy-monday", output);

        // The document holds a copy of Monday's list on each day (not one list shared by all).
        await steps.Advanced.CheckAsync();
        var week = JsonNode.Parse(await steps.Json.InputValueAsync())!["calendars"]!.AsArray().Single(c => (string?)c!["name"] == "office")!["week"]!;
        foreach (var day in new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" })
        {
            Assert.Equal("[\"08:00-12:30\",\"13:30-17:30\"]", week[day]!.ToJsonString());
        }

        Assert.Empty(mia.Errors);
    }

    [Fact]
    public async Task SlaForm_CopyMondayWhenMondayIsClosed_SaysSoAndChangesNoDay()
    {
        await using var mia = await fixture.OpenAsync("mia", "#/manager/sla");
        var editor = mia.Page.GetByRole(AriaRole.Region, new() { Name = "SLA policies and calendars" });
        var office = editor.GetByRole(AriaRole.Group, new() { Name = "Calendar office", Exact = true });
        await office.GetByRole(AriaRole.Button, new() { Name = "Remove Monday shift 2" }).ClickAsync();
        await office.GetByRole(AriaRole.Button, new() { Name = "Remove Monday shift 1" }).ClickAsync();
        await Expect(office.GetByRole(AriaRole.Group, new() { Name = "Monday hours" })).ToContainTextAsync("closed");

        await office.GetByRole(AriaRole.Button, new() { Name = "Copy Monday to all days" }).ClickAsync();

        await Expect(mia.Page.GetByTestId("status-message")).ToHaveTextAsync("Monday has no working hours to copy: add its shifts first.");
        await Expect(office.GetByLabel("Tuesday shift 1 from")).ToHaveValueAsync("09:00");
        await Expect(office.GetByLabel("Friday shift 2 to")).ToHaveValueAsync("17:00");
        Assert.Empty(mia.Errors);
    }
}
