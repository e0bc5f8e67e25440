using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class SlaClockTests
{
    private static readonly BusinessCalendar Office = BusinessCalendarTests.WeekdaysNineToFive();

    private static DateTimeOffset Utc(int d, int h, int min = 0) => new(2026, 11, d, h, min, 0, TimeSpan.Zero);

    [Fact]
    public void DueAt_PausedWaitingOnCustomer_ResumeMovesDueTimeByThePause()
    {
        // Wed 18 Nov 10:00, 4 h target: due 14:00. Paused 11:00-13:00 (2 business hours) -> due 16:00.
        var clock = SlaClock.Start(Utc(18, 10), TimeSpan.FromHours(4));
        Assert.Equal(Utc(18, 14), clock.DueAt(Office));
        var paused = clock.Pause(Utc(18, 11));
        Assert.Null(paused.DueAt(Office));
        Assert.Equal(SlaStatus.Paused, paused.Status(Office, Utc(18, 15), TimeSpan.FromMinutes(30)));
        Assert.Equal(Utc(18, 16), paused.Resume(Utc(18, 13)).DueAt(Office));
    }

    [Fact]
    public void Status_AcrossTheTarget_OnTrackAtRiskBreached()
    {
        var clock = SlaClock.Start(Utc(18, 10), TimeSpan.FromHours(1));
        var warn = TimeSpan.FromMinutes(15);
        Assert.Equal(SlaStatus.OnTrack, clock.Status(Office, Utc(18, 10, 30), warn));
        Assert.Equal(SlaStatus.AtRisk, clock.Status(Office, Utc(18, 10, 50), warn));
        Assert.Equal(SlaStatus.Breached, clock.Status(Office, Utc(18, 11, 1), warn));
    }

    [Fact]
    public void Stop_BeforeOrAfterTarget_MetOrMissedForGood()
    {
        var clock = SlaClock.Start(Utc(18, 10), TimeSpan.FromHours(1));
        Assert.Equal(SlaStatus.Met, clock.Stop(Utc(18, 10, 40)).Status(Office, Utc(25, 10), TimeSpan.Zero));
        Assert.Equal(SlaStatus.MissedButDone, clock.Stop(Utc(18, 12)).Status(Office, Utc(25, 10), TimeSpan.Zero));
        Assert.Null(clock.Stop(Utc(18, 10, 40)).DueAt(Office));
    }

    [Fact]
    public void Elapsed_OutsideBusinessHours_DoesNotCount()
    {
        var clock = SlaClock.Start(Utc(20, 16), TimeSpan.FromHours(8));
        Assert.Equal(TimeSpan.FromHours(1), clock.Elapsed(Office, Utc(22, 23)));
    }
}
