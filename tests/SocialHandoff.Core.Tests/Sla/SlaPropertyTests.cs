using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class SlaPropertyTests
{
    private static readonly BusinessCalendar London = BusinessCalendar.Create(
        "london",
        "Europe/London",
        BusinessCalendarTests.Weekdays(new Shift(new(8, 0), new(12, 30)), new Shift(new(13, 30), new(18, 0))),
        [new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 28), new DateOnly(2027, 1, 1)]);

    private static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Instants across 2026-2027, so the spring and autumn clock changes and the holidays are in range.
    private static Arbitrary<DateTimeOffset> Instants() =>
        Gen.Choose(0, 2 * 365 * 24 * 4).Select(quarterHours => Origin.AddMinutes(quarterHours * 15 + quarterHours % 7)).ToArbitrary();

    private static Arbitrary<TimeSpan> Targets() =>
        Gen.Choose(1, 60 * 80).Select(minutes => TimeSpan.FromMinutes(minutes)).ToArbitrary();

    private static Arbitrary<(TimeSpan RunFor, TimeSpan PauseFor)> RunThenPause() =>
        (from run in Gen.Choose(0, 60 * 80)
         from pause in Gen.Choose(1, 60 * 200)
         select (TimeSpan.FromMinutes(run), TimeSpan.FromMinutes(pause))).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property AddBusinessTime_Always_DueInsideBusinessHoursAndExactlyTheTarget() =>
        Prop.ForAll(Instants(), Targets(), (start, target) =>
        {
            var due = London.AddBusinessTime(start, target);
            // Due is the end of an open minute: just before it the calendar is open.
            return London.IsOpen(due.AddTicks(-1)) && London.BusinessTimeBetween(start, due) == target;
        });

    [Property(MaxTest = 300)]
    public Property BusinessTimeBetween_LaterEnd_NeverLess() =>
        Prop.ForAll(Instants(), Targets(), Targets(), (start, a, b) =>
        {
            var near = start + (a < b ? a : b);
            var far = start + (a < b ? b : a);
            return London.BusinessTimeBetween(start, near) <= London.BusinessTimeBetween(start, far);
        });

    [Property(MaxTest = 200)]
    public Property Pause_AnyLength_NeverShortensTheClock() =>
        Prop.ForAll(Instants(), Targets(), RunThenPause(), (start, target, steps) =>
        {
            var (runFor, pauseFor) = steps;
            var clock = SlaClock.Start(start, target);
            var due = clock.DueAt(London)!.Value;
            var pausedAt = start + runFor;
            var resumed = clock.Pause(pausedAt).Resume(pausedAt + pauseFor);
            var dueAfterPause = resumed.DueAt(London)!.Value;
            return dueAfterPause >= due || clock.Status(London, pausedAt, TimeSpan.Zero) == SlaStatus.Breached;
        });
}
