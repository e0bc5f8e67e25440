using Azure;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Tests.Handoffs;

/// <summary>The queue index's day tallies, pure: a row's share, judging it at a moment, the row they are stored as, and where their keys sort.</summary>
public sealed class DayTallyTests
{
    // Off a whole second, so due times are too.
    private static readonly DateTimeOffset Created = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero).AddMilliseconds(400);
    private static readonly SlaPolicy Policy = new("care", 1, BusinessCalendar.AlwaysOpen(), TimeSpan.FromMinutes(60), TimeSpan.FromHours(8), TimeSpan.FromMinutes(10));
    private static readonly TimeSpan Warn = TimeSpan.FromMinutes(10);

    [Fact]
    public void At_RunningClockDueOffAWholeSecond_BreachedFromTheNextWholeSecondOn()
    {
        var tally = Share(Handoff("h-1", Created));
        var due = Created.AddMinutes(60);

        Assert.Equal(0, tally.At(due.AddMilliseconds(-400)).FirstResponseBreached);
        Assert.Equal(1, tally.At(due.AddMilliseconds(600)).FirstResponseBreached);
    }

    [Fact]
    public void At_WarningTimeToDueTime_AtRiskOnlyInside()
    {
        var tally = Share(Handoff("h-1", Created));
        var due = Created.AddMinutes(60);

        Assert.Equal(0, tally.At(due - Warn - TimeSpan.FromSeconds(1)).AtRisk);
        Assert.Equal(1, tally.At(due - Warn + TimeSpan.FromSeconds(1)).AtRisk);
        Assert.Equal(0, tally.At(due + TimeSpan.FromSeconds(1)).AtRisk);
        Assert.Equal(1, tally.At(due + TimeSpan.FromSeconds(1)).FirstResponseBreached);
    }

    [Fact]
    public void Of_AnsweredLateThenResolvedInTime_SettledCountsAndTheBusinessMinutes()
    {
        var h = Handoff("h-1", Created);
        var answered = Created.AddMinutes(90);
        h = h with
        {
            Status = HandoffStore.StatusResolved,
            Sla = h.Sla!.Respond(answered).Resolve(answered.AddMinutes(5)),
            FirstResponse = new FirstResponseRecord(answered, "ana", "Sorry"),
        };

        var standing = Share(h).At(Created.AddDays(30));

        Assert.Equal((1, 0, 0, 1, 1, 0, 0), (standing.Received, standing.Open, standing.FirstResponseMet, standing.FirstResponseBreached, standing.ResolutionMet, standing.ResolutionBreached, standing.AtRisk));
        Assert.Equal([90.0], standing.FirstResponseMinutes);
    }

    [Fact]
    public void Of_NoSlaState_NoShare()
    {
        var row = HandoffIndex.Row(Handoff("h-1", Created) with { Sla = null }, null, Warn);

        Assert.Null(DayTally.Of(row));
    }

    [Fact]
    public void Plus_ShareAddedThenTakenAway_AsBefore()
    {
        var one = Share(Handoff("h-1", Created));
        var two = Share(Handoff("h-2", Created.AddMinutes(7)));
        var now = Created.AddMinutes(55);

        var back = one.Plus(two).Plus(two, -1);

        Assert.Equal(Flat(one.At(now)), Flat(back.At(now)));
        Assert.Equal(Flat(one.Plus(two).At(now)), Flat(two.Plus(one).At(now)));
    }

    [Fact]
    public void FromEntity_FiftyThousandHandoffsPastOneBinaryColumn_SameStandingAtEveryMoment()
    {
        var random = new Random(7);
        var shares = DayTally.Sum(
            DateOnly.FromDateTime(Created.UtcDateTime),
            Enumerable.Range(0, 50_000).Select(i => Share(Handoff($"h-{i}", Created.AddMilliseconds(random.Next(0, 86_000_000)), TimeSpan.FromMinutes(random.Next(-100_000, 100_000))))));

        var row = shares.ToEntity("care|open");
        var back = DayTally.FromEntity(row);

        Assert.True(row.ContainsKey("FirstResponseDue1"), "the instants should need more than one binary column");
        Assert.All(row.Select(kv => kv.Value).OfType<byte[]>(), b => Assert.True(b.Length <= 64 * 1024));
        Assert.True(row.Select(kv => kv.Value).OfType<byte[]>().Sum(b => b.Length) < 1024 * 1024);
        for (var hours = -2000; hours <= 2000; hours += 97)
        {
            var now = Created.AddHours(hours);
            Assert.Equal(Flat(shares.At(now)), Flat(back.At(now)));
        }
    }

    [Fact]
    public void Key_NewerDayFirst_AfterTheCountRowBeforeTheDueRowsNeverAnItem()
    {
        var day = new DateOnly(2026, 11, 30);
        var key = DayTally.Key(day);

        Assert.True(string.CompareOrdinal(DayTally.Key(day.AddDays(1)), key) < 0);
        Assert.True(string.CompareOrdinal(DayTally.Key(new DateOnly(1, 1, 1)), DayTally.Key(new DateOnly(9999, 12, 31))) > 0);
        Assert.True(string.CompareOrdinal(HandoffIndex.CountRowKey, key) < 0);
        Assert.True(string.CompareOrdinal(key, SlaDueIndex.RowPrefix) < 0);
        Assert.StartsWith(DayTally.KeyPrefix, key, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(key, "9-999999999999-h") > 0);
    }

    private static DayTally Share(HandoffRecord h) => DayTally.Of(HandoffIndex.Row(HandoffRow.WithDueTimes(h, Policy.Calendar), Policy.Calendar, Warn))!.Value.Tally;

    private static object Flat(DayStanding s) =>
        (s.Received, s.Open, s.FirstResponseMet, s.FirstResponseBreached, s.ResolutionMet, s.ResolutionBreached, s.AtRisk, string.Join(",", s.FirstResponseMinutes.Order()));

    private static HandoffRecord Handoff(string id, DateTimeOffset created, TimeSpan? clocksMovedBy = null)
    {
        var start = created + (clocksMovedBy ?? TimeSpan.Zero);
        return new(
            id, "care", HandoffStore.StatusOpen, null, 0, "P2", 50, "Negative", -0.6, [], "text", "en", null, "user", 10,
            "x:1", "corr", created, created, null, null, "default", [], [], 1,
            HandoffSla.Start("care", "P2", Policy, start), null, null, null, null, null, true, ETag.All);
    }
}
