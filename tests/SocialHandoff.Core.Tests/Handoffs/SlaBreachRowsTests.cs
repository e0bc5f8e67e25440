using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Tests.Sla;

namespace SocialHandoff.Core.Tests.Handoffs;

/// <summary>The breaches report's rows, pure: when a clock passes its target (the key's second), and the continuation a page gives.</summary>
public sealed class SlaBreachRowsTests
{
    // 2026-11-20 is a Friday.
    private static readonly DateTimeOffset Friday = new(2026, 11, 20, 16, 0, 0, TimeSpan.Zero);
    private static readonly BusinessCalendar Office = BusinessCalendarTests.WeekdaysNineToFive();

    [Fact]
    public void PassesTargetAt_RunningClockOnOfficeHours_ItsDueTimeOverTheWeekend()
    {
        var clock = SlaClock.Start(Friday, TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), SlaBreachRows.PassesTargetAt(clock, Office));
    }

    [Fact]
    public void PassesTargetAt_StoppedLateAfterAPause_WhenTheCountedTimeReachedTheTarget()
    {
        // 30 minutes counted, paused over the weekend, resumed Monday 9:00: the hour is reached at 9:30, stopped at 11:00.
        var clock = SlaClock.Start(Friday.AddMinutes(30), TimeSpan.FromHours(1)).Pause(Friday.AddHours(1))
            .Resume(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero)).Stop(new DateTimeOffset(2026, 11, 23, 11, 0, 0, TimeSpan.Zero));

        Assert.Equal(SlaStatus.MissedButDone, clock.Status(Office, clock.StoppedAt!.Value, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero), SlaBreachRows.PassesTargetAt(clock, Office));
    }

    [Fact]
    public void PassesTargetAt_PausedPastItsTarget_WhenItPassedNotWhenPaused()
    {
        var clock = SlaClock.Start(Friday, TimeSpan.FromMinutes(30)).Pause(Friday.AddMinutes(50));

        Assert.Equal(Friday.AddMinutes(30), SlaBreachRows.PassesTargetAt(clock, Office));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(60)]
    public void PassesTargetAt_StoppedOrPausedInTime_None(int minutes)
    {
        // Stopped exactly at the target is met; paused before it is not breached.
        var target = TimeSpan.FromMinutes(60);
        Assert.Null(SlaBreachRows.PassesTargetAt(SlaClock.Start(Friday, target).Stop(Friday.AddMinutes(minutes)), Office));
        Assert.Null(SlaBreachRows.PassesTargetAt(SlaClock.Start(Friday, target).Pause(Friday.AddMinutes(minutes - 1)), Office));
    }

    [Theory]
    [InlineData("~sla-001763654400-3f9a1c-fr")]
    [InlineData("~sla-001763654400-a-b-c-rs")]
    public void Continuation_OfABreachRowKey_IsOpaqueAndGivesTheKeyBack(string key)
    {
        var continuation = SlaBreachRows.Continuation(key);

        Assert.DoesNotContain("~sla-", continuation, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9_-]+$", continuation);
        Assert.Equal(key, SlaBreachRows.FromContinuation(continuation));
    }

    [Theory]
    [InlineData("")]
    [InlineData("%%")]
    [InlineData("bm90LWEta2V5")] // "not-a-key"
    [InlineData("MDAxNzYzNjU0NDAwLWEvYi1mcg")] // a key with a slash
    [InlineData("MDAxNzYzNjU0NDAwLWFiYy14eA")] // a clock that is neither fr nor rs
    public void FromContinuation_NotOneAPageGave_Null(string continuation)
    {
        Assert.Null(SlaBreachRows.FromContinuation(continuation));
    }

    [Fact]
    public void Before_ASecondAndAFraction_AfterEveryKeyOfThatSecondRoundedUp()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_763_654_400).AddMilliseconds(300);

        Assert.True(string.CompareOrdinal("~sla-001763654401-zzz-rs", SlaBreachRows.Before(now)) < 0);
        Assert.True(string.CompareOrdinal("~sla-001763654402-aaa-fr", SlaBreachRows.Before(now)) > 0);
    }
}
