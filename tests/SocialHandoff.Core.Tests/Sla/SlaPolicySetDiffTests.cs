using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class SlaPolicySetDiffTests
{
    private static SlaPolicySet Set() => new()
    {
        Calendars =
        [
            new CalendarDefinition { Name = "uk-office", TimeZone = "Europe/London", Week = new() { ["mon"] = ["09:00-17:00"] }, Holidays = ["2026-12-28"] },
            new CalendarDefinition { Name = "24x7", AlwaysOpen = true },
        ],
        Policies =
        [
            new SlaPolicyDefinition { Name = "care-p1", Team = "care", Priority = "P1", Calendar = "uk-office", FirstResponse = TimeSpan.FromHours(1), Resolution = TimeSpan.FromHours(8), WarnBefore = TimeSpan.FromMinutes(15) },
            new SlaPolicyDefinition { Name = "standard", Calendar = "24x7", FirstResponse = TimeSpan.FromDays(1), Resolution = TimeSpan.FromDays(3) },
        ],
    };

    [Fact]
    public void Describe_TargetHolidayAndLunchBreak_ReadableLines()
    {
        var older = Set();
        var newer = Set();
        newer.Policies[0].FirstResponse = TimeSpan.FromMinutes(30);
        newer.Calendars[0].Holidays.Add("2026-12-25");
        newer.Calendars[0].Week["mon"] = ["09:00-12:00", "13:00-17:00"];

        var changes = SlaPolicySetDiff.Describe(older, newer);

        Assert.Contains("care P1 (policy 'care-p1') first response 1 h → 30 min", changes);
        Assert.Contains("holiday 2026-12-25 added to calendar 'uk-office'", changes);
        Assert.Contains("calendar 'uk-office' Mon 09:00-17:00 → 09:00-12:00 and 13:00-17:00", changes);
        Assert.Equal(3, changes.Count);
    }

    [Fact]
    public void Describe_AddedRemovedAndSwitchedTo24x7_EachSaid()
    {
        var older = Set();
        var newer = Set();
        newer.Policies.RemoveAt(0);
        newer.Policies.Add(new SlaPolicyDefinition { Name = "billing", Team = "billing", Calendar = "uk-office", FirstResponse = TimeSpan.FromHours(2), Resolution = TimeSpan.FromDays(2), WarnBefore = TimeSpan.FromMinutes(30) });
        newer.Calendars[0].AlwaysOpen = true;
        newer.Calendars[0].Holidays.Remove("2026-12-28");

        var changes = SlaPolicySetDiff.Describe(older, newer);

        Assert.Contains(changes, c => c.StartsWith("policy 'care-p1' removed (was care P1, first response 1 h", StringComparison.Ordinal));
        Assert.Contains("policy 'billing' added: billing, any priority, first response 2 h, resolution 2 d, warning 30 min before, calendar 'uk-office'", changes);
        Assert.Contains("calendar 'uk-office' now open 24/7", changes);
    }

    [Fact]
    public void Describe_NoPreviousVersionOrNoChange_SaysSo()
    {
        Assert.Equal(["first version: 2 calendars ('uk-office', '24x7'), 2 policies"], SlaPolicySetDiff.Describe(null, Set()));
        Assert.Equal(["no change"], SlaPolicySetDiff.Describe(Set(), Set()));
    }
}
