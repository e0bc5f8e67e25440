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
    public void Change_SharesAddedAndTakenAwayPastALoweredLimit_ShardsWithinItSummingExactly()
    {
        var random = new Random(3);
        var day = DateOnly.FromDateTime(Created.UtcDateTime);
        var shards = new Dictionary<int, DayTally>();
        var held = new List<DayTally>();
        for (var step = 0; step < 600; step++)
        {
            DayTally plus = DayTally.Empty(day), minus = DayTally.Empty(day);
            if (held.Count > 0 && random.Next(3) == 0)
            {
                // A row removed, or rewritten with another share (a move in its partition).
                var at = random.Next(held.Count);
                minus = held[at];
                held.RemoveAt(at);
            }

            if (minus.Received == 0 || random.Next(2) == 0)
            {
                plus = Share(Handoff($"h-{step}", Created.AddMilliseconds(random.Next(0, 86_000_000)), TimeSpan.FromMinutes(random.Next(-50_000, 50_000))));
                held.Add(plus);
            }

            var (written, complete) = DayTally.Change([.. shards.Values], plus, minus, maxBytes: 300);

            Assert.True(complete);
            foreach (var shard in written)
            {
                // Through the row, as a write and the next read would.
                shards[shard.Shard] = DayTally.FromEntity(shard.ToEntity("care|open"));
            }
        }

        Assert.True(shards.Count > 10, $"{shards.Count} shards");
        Assert.All(shards.Values, s => Assert.True(s.EncodedBytes <= 300, $"shard {s.Shard}: {s.EncodedBytes} bytes"));
        for (var hours = -1000; hours <= 1000; hours += 37)
        {
            var now = Created.AddHours(hours);
            Assert.Equal(Flat(DayTally.Sum(day, held).At(now)), Flat(DayTally.Sum(day, shards.Values).At(now)));
        }
    }

    [Fact]
    public void Split_QuarterMillionHandoffsOfOneDay_EveryShardRowWithinAzureEntityLimits()
    {
        var random = new Random(13);
        var day = DateOnly.FromDateTime(Created.UtcDateTime);
        var total = DayTally.Sum(day, Enumerable.Range(0, 250_000).Select(i =>
        {
            var h = Handoff($"h-{i}", Created.AddMilliseconds(random.Next(0, 86_000_000)), TimeSpan.FromMinutes(random.Next(-200_000, 200_000)));
            return i % 3 != 0 ? Share(h) : Share(h with { Sla = h.Sla!.Respond(h.CreatedAt.AddSeconds(random.Next(1, 90_000))), FirstResponse = new FirstResponseRecord(h.CreatedAt, "ana", "Hi") });
        }));

        var rows = DayTally.Split(total).Select(s => s.ToEntity("care|open")).ToList();

        // As one row it would pass 1 MiB: the day a row-per-day tally failed every write.
        Assert.True(total.EncodedBytes > 1024 * 1024, $"{total.EncodedBytes} bytes");
        Assert.All(rows, row =>
        {
            Assert.True(row.Count <= 252);
            Assert.All(row.Select(kv => kv.Value).OfType<byte[]>(), b => Assert.True(b.Length <= 64 * 1024));
            Assert.True(row.Select(kv => kv.Value).OfType<byte[]>().Sum(b => b.Length) <= DayTally.ShardBytes);
        });
        var back = DayTally.Sum(day, rows.Select(DayTally.FromEntity));
        for (var hours = -4000; hours <= 4000; hours += 331)
        {
            Assert.Equal(Flat(total.At(Created.AddHours(hours))), Flat(back.At(Created.AddHours(hours))));
        }
    }

    [Fact]
    public void Change_SameShareRewritten_WritesNothing()
    {
        var share = Share(Handoff("h-1", Created));

        var (written, complete) = DayTally.Change([share], share, share);

        Assert.Empty(written);
        Assert.True(complete);
    }

    [Fact]
    public void Change_SameInstantsTakenTwiceFromTwoShards_BothTakenAndComplete()
    {
        var day = DateOnly.FromDateTime(Created.UtcDateTime);
        var share = Share(Handoff("h-1", Created));
        var first = DayTally.Split(share, firstShard: 0)[0];
        var second = DayTally.Split(share, firstShard: 1)[0];

        var (written, complete) = DayTally.Change([first, second], DayTally.Empty(day), DayTally.Sum(day, [share, share]));

        Assert.True(complete);
        Assert.Equal(Flat(DayTally.Empty(day).At(Created.AddHours(2))), Flat(DayTally.Sum(day, written).At(Created.AddHours(2))));
    }

    [Fact]
    public void Change_SameInstantTakenTwiceHeldOnce_IncompleteNotThrown()
    {
        var day = DateOnly.FromDateTime(Created.UtcDateTime);
        var share = Share(Handoff("h-1", Created));

        var (_, complete) = DayTally.Change([share], DayTally.Empty(day), DayTally.Sum(day, [share, share]));

        Assert.False(complete);
    }

    [Fact]
    public void Change_InstantInNoShardKnown_Incomplete()
    {
        var day = DateOnly.FromDateTime(Created.UtcDateTime);
        var known = Share(Handoff("h-1", Created));

        var (_, complete) = DayTally.Change([known], DayTally.Empty(day), Share(Handoff("h-2", Created.AddHours(3))));

        Assert.False(complete);
    }

    [Fact]
    public void Split_TallyPastTheLimit_ShardsWithinItNumberedOnSummingToIt()
    {
        var random = new Random(9);
        var day = DateOnly.FromDateTime(Created.UtcDateTime);
        var total = DayTally.Sum(day, Enumerable.Range(0, 3_000).Select(i => Share(Handoff($"h-{i}", Created.AddMilliseconds(random.Next(0, 86_000_000)), TimeSpan.FromMinutes(random.Next(-9_000, 9_000))))));

        var shards = DayTally.Split(total, maxBytes: 1_000, firstShard: 4);

        Assert.True(shards.Count > 5);
        Assert.Equal(Enumerable.Range(4, shards.Count), shards.Select(s => s.Shard));
        Assert.All(shards, s => Assert.True(s.EncodedBytes <= 1_000));
        Assert.Equal(Flat(total.At(Created.AddHours(5))), Flat(DayTally.Sum(day, shards).At(Created.AddHours(5))));
    }

    [Fact]
    public void Key_ShardsOfADay_AfterItsFirstRowBeforeTheDayBefore()
    {
        var day = new DateOnly(2026, 11, 30);
        var shard = DayTally.Key(day, 12);

        Assert.Equal(DayTally.Key(day), DayTally.Key(day, 0));
        Assert.True(string.CompareOrdinal(DayTally.Key(day), shard) < 0);
        Assert.True(string.CompareOrdinal(DayTally.Key(day, 9), shard) < 0);
        Assert.True(string.CompareOrdinal(shard, DayTally.KeyAfter(day)) < 0);
        Assert.True(string.CompareOrdinal(DayTally.KeyAfter(day), DayTally.Key(day.AddDays(-1))) < 0);
        Assert.True(string.CompareOrdinal(DayTally.KeyAfter(day.AddDays(1)), DayTally.Key(day)) < 0);
        var row = DayTally.Split(Share(Handoff("h-1", Created)), firstShard: 12)[0].ToEntity("care|open");
        Assert.Equal(DayTally.Key(DateOnly.FromDateTime(Created.UtcDateTime), 12), row.RowKey);
        Assert.Equal(12, DayTally.FromEntity(row).Shard);
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
