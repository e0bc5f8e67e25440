using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class HandoffSlaTests
{
    private static readonly DateTimeOffset Fri1645 = new(2026, 11, 6, 16, 45, 0, TimeSpan.Zero);

    private static readonly BusinessCalendar Office = BusinessCalendar.Create(
        "office", "Etc/UTC", new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<Shift>)[new Shift(new TimeOnly(9, 0), new TimeOnly(17, 0))]));

    private static SlaPolicy Policy(string name, TimeSpan firstResponse, BusinessCalendar? calendar = null) =>
        new(name, 1, calendar ?? Office, firstResponse, firstResponse * 8, firstResponse / 5);

    [Fact]
    public void MoveTo_OtherTeamPolicy_SameHistoryNewTargetAndStepsRestart()
    {
        var sla = HandoffSla.Start("care", "P3", Policy("care", TimeSpan.FromHours(1)), Fri1645).WithStep(ClockKind.FirstResponse, 2);

        var moved = sla.MoveTo("crisis", Policy("crisis", TimeSpan.FromMinutes(30)));

        Assert.Equal(new DateTimeOffset(2026, 11, 9, 9, 15, 0, TimeSpan.Zero), moved.FirstResponse.DueAt(Office));
        Assert.Equal(sla.FirstResponse.Segments, moved.FirstResponse.Segments);
        Assert.Equal((0, 0, 1, "crisis"), (moved.FirstResponseStep, moved.ResolutionStep, moved.Generation, moved.PolicyName));
    }

    [Fact]
    public void StepTime_HoldUntilOpen_EscalationAfterClosingWaitsForOpening()
    {
        var sla = HandoffSla.Start("care", "P3", Policy("care", TimeSpan.FromMinutes(10)), Fri1645);
        TimeSpan[] delays = [TimeSpan.Zero, TimeSpan.FromMinutes(30)];

        Assert.Equal(new DateTimeOffset(2026, 11, 6, 16, 53, 0, TimeSpan.Zero), sla.StepTime(ClockKind.FirstResponse, 0, Office, delays, holdUntilOpen: false));
        Assert.Equal(new DateTimeOffset(2026, 11, 6, 17, 25, 0, TimeSpan.Zero), sla.StepTime(ClockKind.FirstResponse, 2, Office, delays, holdUntilOpen: false));
        Assert.Equal(new DateTimeOffset(2026, 11, 9, 9, 0, 0, TimeSpan.Zero), sla.StepTime(ClockKind.FirstResponse, 2, Office, delays, holdUntilOpen: true));
        Assert.Null(sla.StepTime(ClockKind.FirstResponse, 3, Office, delays, holdUntilOpen: false));
        Assert.Null(sla.Respond(Fri1645.AddMinutes(1)).StepTime(ClockKind.FirstResponse, 0, Office, delays, holdUntilOpen: false));
    }

    [Fact]
    public void ToJson_PausedAndResumedClocks_RoundTripsExactly()
    {
        var sla = HandoffSla.Start("care", "P2", Policy("care", TimeSpan.FromHours(1)), Fri1645)
            .Respond(Fri1645.AddMinutes(5)).Pause(Fri1645.AddMinutes(7)).Resume(Fri1645.AddDays(3)).WithStep(ClockKind.Resolution, 1);

        var back = HandoffSla.FromJson(sla.ToJson());

        Assert.Equal(sla.ToJson(), back.ToJson());
        Assert.Equal(sla.Resolution.DueAt(Office), back.Resolution.DueAt(Office));
        Assert.Equal(sla.FirstResponse.Status(Office, Fri1645.AddDays(4), TimeSpan.Zero), back.FirstResponse.Status(Office, Fri1645.AddDays(4), TimeSpan.Zero));
    }
}
