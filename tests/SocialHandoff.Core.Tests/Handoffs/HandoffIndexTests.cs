using Azure;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Tests.Handoffs;

/// <summary>The queue index's keys and filter columns, pure: the order a team's queue is read in, and what each filter can ask the table for.</summary>
public sealed class HandoffIndexTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly SlaPolicy Policy = new("care", 1, BusinessCalendar.AlwaysOpen(), TimeSpan.FromMinutes(60), TimeSpan.FromHours(8), TimeSpan.FromMinutes(10));

    [Fact]
    public void KeyOf_HigherUrgencyLowerPriority_SortsAfter()
    {
        var p4Loud = Open("h-00000000000000000000000000000001", "P4", urgency: 99, due: Created.AddMinutes(5));
        var p3Quiet = Open("h-00000000000000000000000000000002", "P3", urgency: 1, due: Created.AddDays(3));

        Assert.True(string.CompareOrdinal(HandoffIndex.KeyOf(p3Quiet).Row, HandoffIndex.KeyOf(p4Loud).Row) < 0);
    }

    [Fact]
    public void KeyOf_SamePriority_EarliestDueFirstThenId()
    {
        var later = HandoffIndex.KeyOf(Open("h-00000000000000000000000000000001", "P2", due: Created.AddHours(2))).Row;
        var sooner = HandoffIndex.KeyOf(Open("h-00000000000000000000000000000002", "P2", due: Created.AddHours(1))).Row;
        var soonerToo = HandoffIndex.KeyOf(Open("h-00000000000000000000000000000003", "P2", due: Created.AddHours(1))).Row;

        Assert.Equal([sooner, soonerToo, later], new[] { later, soonerToo, sooner }.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("P1", "P2")]
    [InlineData("P2", "P3")]
    [InlineData("P3", "P4")]
    [InlineData("P4", "urgent")]
    [InlineData("P4", "")]
    public void KeyOf_EveryPriorityPair_HigherFirstUnknownLast(string higher, string lower)
    {
        var a = HandoffIndex.KeyOf(Open("h-00000000000000000000000000000001", higher, due: Created.AddDays(9))).Row;
        var b = HandoffIndex.KeyOf(Open("h-00000000000000000000000000000002", lower, due: Created)).Row;

        Assert.True(string.CompareOrdinal(a, b) < 0, $"{a} should sort before {b}");
    }

    [Fact]
    public void KeyOf_NoRunningClock_AfterEveryDueOne()
    {
        var paused = Open("h-00000000000000000000000000000001", "P2", due: null);
        var due = Open("h-00000000000000000000000000000002", "P2", due: Created.AddYears(5));

        Assert.True(string.CompareOrdinal(HandoffIndex.KeyOf(due).Row, HandoffIndex.KeyOf(paused).Row) < 0);
    }

    [Fact]
    public void KeyOf_ResolvedOrMoved_PartitionOfTeamAndStatus()
    {
        var h = Open("h-00000000000000000000000000000001", "P2", due: Created);

        Assert.Equal("care|open", HandoffIndex.KeyOf(h).Partition);
        Assert.Equal("care|resolved", HandoffIndex.KeyOf(h with { Status = HandoffStore.StatusResolved }).Partition);
        Assert.Equal("billing|open", HandoffIndex.KeyOf(h with { Team = "billing" }).Partition);
    }

    [Fact]
    public void KeyOf_DueTimeWithSubSecondPrecision_SameKeyAsReadBack()
    {
        // A time written with ticks and read back to the millisecond (or second) keeps its key.
        var written = Open("h-00000000000000000000000000000001", "P1", due: Created.AddTicks(1_234_567));
        var readBack = written with { FirstResponseDueAt = Created.AddMilliseconds(123) };

        Assert.Equal(HandoffIndex.KeyOf(written), HandoffIndex.KeyOf(readBack));
    }

    [Fact]
    public void PriorityRange_EachPriority_HoldsItsKeysOnly()
    {
        var keys = new[] { "P1", "P2", "P3", "P4" }.ToDictionary(p => p, p => HandoffIndex.KeyOf(Open("h-00000000000000000000000000000001", p, due: Created)).Row);

        foreach (var (priority, range) in keys.Keys.Select(p => (p, HandoffIndex.PriorityRange(p))))
        {
            var inside = keys.Where(kv => string.CompareOrdinal(kv.Value, range.From) >= 0 && string.CompareOrdinal(kv.Value, range.Before) < 0).Select(kv => kv.Key);
            Assert.Equal([priority], inside);
        }
    }

    [Fact]
    public void Row_RunningClocksWithWarning_AtRiskFromIsTheWarningTime()
    {
        var h = Open("h-00000000000000000000000000000001", "P2", due: Created.AddHours(1));

        var row = HandoffIndex.Row(h, Policy.Calendar, TimeSpan.FromMinutes(30));

        Assert.Equal(Created.AddMinutes(50), row.GetDateTimeOffset("AtRiskFrom"));
        Assert.Equal(Created.AddHours(1), row.GetDateTimeOffset("NextDueAt"));
        Assert.False(row.GetBoolean("Late"));
        Assert.Equal("x", row.GetString("Source"));
        Assert.Equal("", row.GetString("AssigneeKey"));
        Assert.Equal(h.Id, HandoffRow.ToRecord(row).Id);
    }

    [Fact]
    public void Row_FirstResponseAnsweredLate_LateAndNoLongerDueByIt()
    {
        var sla = HandoffSla.Start("care", "P2", Policy, Created).Respond(Created.AddHours(2));
        var h = Open("h-00000000000000000000000000000001", "P2", due: null) with { Sla = sla, Assignee = "Ana", ResolutionDueAt = Created.AddHours(8) };

        var row = HandoffIndex.Row(h, Policy.Calendar, TimeSpan.FromMinutes(30));

        Assert.True(row.GetBoolean("Late"));
        Assert.Equal(Created.AddHours(8), row.GetDateTimeOffset("NextDueAt"));
        Assert.Equal("ana", row.GetString("AssigneeKey"));
    }

    [Fact]
    public void Row_RunningClocks_EachClockItsWindowFromWarningToTarget()
    {
        var h = Open("h-00000000000000000000000000000001", "P2", due: Created.AddHours(1)) with { ResolutionDueAt = Created.AddHours(8) };

        var row = HandoffIndex.Row(h, Policy.Calendar, TimeSpan.FromMinutes(30));

        Assert.Equal(Created.AddMinutes(50), row.GetDateTimeOffset("FirstResponseAtRiskFrom"));
        Assert.Equal(Created.AddHours(1), row.GetDateTimeOffset("FirstResponseAtRiskUntil"));
        Assert.Equal(Created.AddHours(8).AddMinutes(-10), row.GetDateTimeOffset("ResolutionAtRiskFrom"));
        Assert.Equal(Created.AddHours(8), row.GetDateTimeOffset("ResolutionAtRiskUntil"));
    }

    [Fact]
    public void Row_FirstResponseStoppedResolutionPaused_NoWindowForEither()
    {
        var sla = HandoffSla.Start("care", "P2", Policy, Created).Respond(Created.AddMinutes(20)).Pause(Created.AddMinutes(30));
        var h = Open("h-00000000000000000000000000000001", "P2", due: null) with { Sla = sla };

        var row = HandoffIndex.Row(h, Policy.Calendar, TimeSpan.FromMinutes(30));

        foreach (var column in new[] { "FirstResponseAtRiskFrom", "FirstResponseAtRiskUntil", "ResolutionAtRiskFrom", "ResolutionAtRiskUntil", "AtRiskFrom" })
        {
            Assert.Null(row.GetDateTimeOffset(column));
        }
    }

    private static HandoffRecord Open(string id, string priority, int urgency = 50, DateTimeOffset? due = null) => new(
        id, "care", HandoffStore.StatusOpen, null, 0, priority, urgency, "Negative", -0.6, [], "text", "en", null, "user", 10,
        "x:1", "corr", Created, Created, due, null, "default", [], [], 1,
        HandoffSla.Start("care", "P2", Policy, Created), null, null, null, null, null, true, ETag.All);
}
