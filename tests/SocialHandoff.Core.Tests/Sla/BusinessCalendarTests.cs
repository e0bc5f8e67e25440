using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class BusinessCalendarTests
{
    internal static readonly Shift NineToFive = new(new TimeOnly(9, 0), new TimeOnly(17, 0));

    internal static BusinessCalendar WeekdaysNineToFive(string zone = "Etc/UTC", params DateOnly[] holidays) =>
        BusinessCalendar.Create("office", zone, Weekdays(NineToFive), holidays);

    internal static Dictionary<DayOfWeek, IReadOnlyList<Shift>> Weekdays(params Shift[] shifts) =>
        new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<Shift>)shifts);

    private static DateTimeOffset Utc(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    // Worked cases from help-desk vendors' documentation and bug reports.
    [Fact]
    public void AddBusinessTime_FridayQuarterToCloseThirtyMinutes_DueMondayNineFifteen()
    {
        // 2026-11-20 is a Friday.
        Assert.Equal(Utc(2026, 11, 23, 9, 15), WeekdaysNineToFive().AddBusinessTime(Utc(2026, 11, 20, 16, 45), TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void AddBusinessTime_FridayHalfPastFourOneHour_DueMondayNineThirty()
    {
        Assert.Equal(Utc(2026, 11, 23, 9, 30), WeekdaysNineToFive().AddBusinessTime(Utc(2026, 11, 20, 16, 30), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void AddBusinessTime_BeforeOpeningTwoHours_CountsFromOpening()
    {
        // 2026-11-18 is a Wednesday: 07:00 + 2 h of business time = 11:00.
        Assert.Equal(Utc(2026, 11, 18, 11), WeekdaysNineToFive().AddBusinessTime(Utc(2026, 11, 18, 7), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void AddBusinessTime_FortyEightHoursAcrossTwoHolidays_SkipsBoth()
    {
        // Mon 21 Dec 2026 09:00; holidays Fri 25 and Mon 28 Dec. 48 h = six 8-hour days:
        // 21, 22, 23, 24, 29, 30 -> due Wed 30 Dec 17:00.
        var calendar = WeekdaysNineToFive("Etc/UTC", new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 28));
        Assert.Equal(Utc(2026, 12, 30, 17), calendar.AddBusinessTime(Utc(2026, 12, 21, 9), TimeSpan.FromHours(48)));
    }

    [Fact]
    public void AddBusinessTime_WeekendWithClocksGoingForward_DueAtLocalTime()
    {
        // London: clocks go forward on Sun 29 Mar 2026. Fri 27 Mar 16:00 GMT + 2 h: one hour on Friday,
        // one on Monday from 09:00 BST (08:00 UTC) -> 10:00 BST = 09:00 UTC.
        var calendar = WeekdaysNineToFive("Europe/London");
        Assert.Equal(Utc(2026, 3, 30, 9), calendar.AddBusinessTime(Utc(2026, 3, 27, 16), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void AddBusinessTime_AlwaysOpenAcrossDaylightSaving_CountsRealHours()
    {
        var calendar = BusinessCalendar.AlwaysOpen();
        Assert.Equal(Utc(2026, 3, 29, 12), calendar.AddBusinessTime(Utc(2026, 3, 28, 12), TimeSpan.FromHours(24)));
    }

    [Fact]
    public void AddBusinessTime_SplitShifts_SkipsTheLunchGap()
    {
        var calendar = BusinessCalendar.Create("split", "Etc/UTC", Weekdays(new Shift(new(8, 0), new(12, 0)), new Shift(new(13, 0), new(17, 0))));
        Assert.Equal(Utc(2026, 11, 18, 14), calendar.AddBusinessTime(Utc(2026, 11, 18, 11), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void AddBusinessTime_EndsExactlyAtClosing_StaysAtClosing()
    {
        Assert.Equal(Utc(2026, 11, 18, 17), WeekdaysNineToFive().AddBusinessTime(Utc(2026, 11, 18, 16), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void BusinessTimeBetween_FridayEveningToMondayMorning_CountsOnlyOpenHours()
    {
        Assert.Equal(TimeSpan.FromHours(2), WeekdaysNineToFive().BusinessTimeBetween(Utc(2026, 11, 20, 16), Utc(2026, 11, 23, 10)));
    }

    [Fact]
    public void IsOpenAndNextOpen_Weekend_ClosedUntilMonday()
    {
        var calendar = WeekdaysNineToFive();
        Assert.False(calendar.IsOpen(Utc(2026, 11, 21, 12)));
        Assert.True(calendar.IsOpen(Utc(2026, 11, 23, 12)));
        Assert.Equal(Utc(2026, 11, 23, 9), calendar.NextOpen(Utc(2026, 11, 21, 12)));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons", "time zone 'Mars/Olympus_Mons' is not known")]
    public void Create_UnknownZone_SaysWhichSetting(string zone, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => BusinessCalendar.Create("care", zone, Weekdays(NineToFive)));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Create_OverlappingOrBackwardShiftsOrNoHours_Refused()
    {
        Assert.Contains("overlap", Assert.Throws<ArgumentException>(() =>
            BusinessCalendar.Create("care", "Etc/UTC", Weekdays(new Shift(new(9, 0), new(13, 0)), new Shift(new(12, 0), new(17, 0))))).Message);
        Assert.Contains("must end after it starts", Assert.Throws<ArgumentException>(() =>
            BusinessCalendar.Create("care", "Etc/UTC", Weekdays(new Shift(new(22, 0), new(6, 0))))).Message);
        Assert.Contains("no working hours", Assert.Throws<ArgumentException>(() =>
            BusinessCalendar.Create("care", "Etc/UTC", new Dictionary<DayOfWeek, IReadOnlyList<Shift>>())).Message);
    }
}
