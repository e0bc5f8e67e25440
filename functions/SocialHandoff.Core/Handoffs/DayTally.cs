using System.Globalization;
using Azure.Data.Tables;

namespace SocialHandoff.Core.Handoffs;

/// <summary>
/// One index partition's SLA tally for one UTC day of creation (RowKey <see cref="Key"/>, beside the
/// partition's count row): the sum of <see cref="Of"/> over the partition's index rows created that day,
/// kept by <see cref="HandoffIndex"/> in the same transaction as every write of those rows. Decided clocks
/// are counts; a running clock is kept as the instants its standing changes at (its warning time and its
/// due time, in whole seconds rounded up), so the reports judge it against any later "now" with no write
/// (see <see cref="At"/>, whose "now" is a whole second); first-response business times as exact ticks,
/// for the median. The sorted instants are stored as varint deltas (a few bytes each) in binary columns
/// cut at <see cref="ChunkBytes"/>.
/// </summary>
public sealed class DayTally
{
    /// <summary>RowKeys of tallies start with this: after the count row ("~count") and before the SLA due rows ("~due-"), never an item.</summary>
    public const string KeyPrefix = HandoffIndex.CountRowKey + "~";

    // Under the 64 KiB a binary property may hold.
    private const int ChunkBytes = 60_000;

    private static readonly string[] SetNames = ["FirstResponseDue", "ResolutionDue", "AtRiskFrom", "AtRiskUntil", "FirstResponseTicks"];

    private readonly List<long>[] _sets = [[], [], [], [], []];

    private DayTally(DateOnly day) => Day = day;

    public DateOnly Day { get; }

    public int Received { get; private set; }

    public int Open { get; private set; }

    public int FirstResponseMet { get; private set; }

    /// <summary>First-response clocks stopped late, or paused past their target.</summary>
    public int FirstResponseLate { get; private set; }

    public int ResolutionMet { get; private set; }

    public int ResolutionLate { get; private set; }

    /// <summary>Running first-response clocks' due times (unix seconds, rounded up).</summary>
    private List<long> FirstResponseDue => _sets[0];

    private List<long> ResolutionDue => _sets[1];

    /// <summary>Each handoff's at-risk window [from, until) as two sets: its earliest warning time and its earliest due time among running clocks (none when a clock is late already).</summary>
    private List<long> AtRiskFrom => _sets[2];

    private List<long> AtRiskUntil => _sets[3];

    /// <summary>Business time to the first response (ticks) of each handoff answered.</summary>
    private List<long> FirstResponseTicks => _sets[4];

    public static DayTally Empty(DateOnly day) => new(day);

    /// <summary>The RowKey of a day's tally: newer days sort first, so one range from the count row reads the count and every tally from a day on.</summary>
    public static string Key(DateOnly day) => KeyPrefix + (99_999_999 - ((day.Year * 10_000) + (day.Month * 100) + day.Day)).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>What one index row adds to its day's tally (null for a row without SLA state: the reports leave those out).</summary>
    public static (DateOnly Day, DayTally Tally)? Of(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.GetString(HandoffIndex.FirstResponseOutcomeColumn) is not { } firstOutcome || row.GetDateTimeOffset(HandoffRow.CreatedAt) is not { } created)
        {
            return null;
        }

        var day = DateOnly.FromDateTime(created.UtcDateTime);
        var t = new DayTally(day) { Received = 1 };
        t.Open = row.PartitionKey.EndsWith("|" + HandoffIndex.OpenStatus, StringComparison.Ordinal) ? 1 : 0;
        t.FirstResponseMet = firstOutcome == HandoffIndex.MetOutcome ? 1 : 0;
        t.FirstResponseLate = firstOutcome == HandoffIndex.LateOutcome ? 1 : 0;
        var resolutionOutcome = row.GetString(HandoffIndex.ResolutionOutcomeColumn);
        t.ResolutionMet = resolutionOutcome == HandoffIndex.MetOutcome ? 1 : 0;
        t.ResolutionLate = resolutionOutcome == HandoffIndex.LateOutcome ? 1 : 0;
        if (row.GetInt64(HandoffIndex.FirstResponseTicksColumn) is { } ticks)
        {
            t.FirstResponseTicks.Add(ticks);
        }

        var firstDue = row.GetDateTimeOffset("FirstResponseAtRiskUntil");
        var resolutionDue = row.GetDateTimeOffset("ResolutionAtRiskUntil");
        if (firstDue is { } f)
        {
            t.FirstResponseDue.Add(Seconds(f));
        }

        if (resolutionDue is { } r)
        {
            t.ResolutionDue.Add(Seconds(r));
        }

        // At risk: a running clock past its warning time, none past its target, none late when it stopped or paused.
        if (firstOutcome != HandoffIndex.LateOutcome && resolutionOutcome != HandoffIndex.LateOutcome
            && Min(row.GetDateTimeOffset("FirstResponseAtRiskFrom"), row.GetDateTimeOffset("ResolutionAtRiskFrom")) is { } from
            && Min(firstDue, resolutionDue) is { } until)
        {
            t.AtRiskFrom.Add(Seconds(from));
            t.AtRiskUntil.Add(Seconds(until));
        }

        return (day, t);
    }

    /// <summary>The sum of many shares of one day (sorted once, not share by share).</summary>
    public static DayTally Sum(DateOnly day, IEnumerable<DayTally> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        var t = new DayTally(day);
        foreach (var share in shares)
        {
            t.Received += share.Received;
            t.Open += share.Open;
            t.FirstResponseMet += share.FirstResponseMet;
            t.FirstResponseLate += share.FirstResponseLate;
            t.ResolutionMet += share.ResolutionMet;
            t.ResolutionLate += share.ResolutionLate;
            for (var i = 0; i < t._sets.Length; i++)
            {
                t._sets[i].AddRange(share._sets[i]);
            }
        }

        foreach (var set in t._sets)
        {
            set.Sort();
        }

        return t;
    }

    /// <summary>This tally plus <paramref name="other"/> times <paramref name="sign"/> (+1 or -1), as a new tally.</summary>
    public DayTally Plus(DayTally other, int sign = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        var t = new DayTally(Day)
        {
            Received = Received + (sign * other.Received),
            Open = Open + (sign * other.Open),
            FirstResponseMet = FirstResponseMet + (sign * other.FirstResponseMet),
            FirstResponseLate = FirstResponseLate + (sign * other.FirstResponseLate),
            ResolutionMet = ResolutionMet + (sign * other.ResolutionMet),
            ResolutionLate = ResolutionLate + (sign * other.ResolutionLate),
        };
        for (var i = 0; i < _sets.Length; i++)
        {
            t._sets[i].AddRange(_sets[i]);
            if (sign > 0)
            {
                t._sets[i].AddRange(other._sets[i]);
                t._sets[i].Sort();
                continue;
            }

            foreach (var value in other._sets[i])
            {
                // A value missing would mean the tally and its rows disagree already (a crash the repair has not seen yet): nothing to take.
                var at = t._sets[i].BinarySearch(value);
                if (at >= 0)
                {
                    t._sets[i].RemoveAt(at);
                }
            }
        }

        return t;
    }

    /// <summary>How the day stands at <paramref name="now"/>, judged at its whole second.</summary>
    public DayStanding At(DateTimeOffset now)
    {
        var s = now.ToUnixTimeSeconds();
        return new DayStanding(
            Received,
            Open,
            FirstResponseMet,
            FirstResponseLate + AtOrBefore(FirstResponseDue, s),
            ResolutionMet,
            ResolutionLate + AtOrBefore(ResolutionDue, s),
            AtOrBefore(AtRiskFrom, s) - AtOrBefore(AtRiskUntil, s),
            [.. FirstResponseTicks.Select(t => TimeSpan.FromTicks(t).TotalMinutes)]);
    }

    /// <summary>The tally as its table row (binary columns of sorted varint deltas).</summary>
    public TableEntity ToEntity(string partition)
    {
        var row = new TableEntity(partition, Key(Day))
        {
            ["Day"] = Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Received"] = Received,
            ["Open"] = Open,
            ["FirstResponseMet"] = FirstResponseMet,
            ["FirstResponseLate"] = FirstResponseLate,
            ["ResolutionMet"] = ResolutionMet,
            ["ResolutionLate"] = ResolutionLate,
        };
        for (var i = 0; i < _sets.Length; i++)
        {
            var chunk = 0;
            foreach (var bytes in Encode(_sets[i]))
            {
                row[SetNames[i] + chunk.ToString(CultureInfo.InvariantCulture)] = bytes;
                chunk++;
            }
        }

        return row;
    }

    /// <summary>A tally read back from its row.</summary>
    public static DayTally FromEntity(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var t = new DayTally(DateOnly.ParseExact(row.GetString("Day") ?? throw new FormatException($"Tally row {row.RowKey} has no Day."), "yyyy-MM-dd", CultureInfo.InvariantCulture))
        {
            Received = row.GetInt32("Received") ?? 0,
            Open = row.GetInt32("Open") ?? 0,
            FirstResponseMet = row.GetInt32("FirstResponseMet") ?? 0,
            FirstResponseLate = row.GetInt32("FirstResponseLate") ?? 0,
            ResolutionMet = row.GetInt32("ResolutionMet") ?? 0,
            ResolutionLate = row.GetInt32("ResolutionLate") ?? 0,
        };
        for (var i = 0; i < SetNames.Length; i++)
        {
            for (var chunk = 0; row.GetBinary(SetNames[i] + chunk.ToString(CultureInfo.InvariantCulture)) is { } bytes; chunk++)
            {
                Decode(bytes, t._sets[i]);
            }
        }

        return t;
    }

    /// <summary>Whole unix seconds, rounded up: at a whole second s, "s &gt;= instant" holds exactly when "s &gt;= the rounded value" does.</summary>
    private static long Seconds(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks / TimeSpan.TicksPerSecond) + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? (x <= y ? x : y) : a ?? b;

    private static int AtOrBefore(List<long> sorted, long value)
    {
        // The count of values <= value: the first index past them.
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Sorted values as varint (LEB128, zigzag) deltas, cut into chunks that each decode on their own (each starts from zero).</summary>
    private static IEnumerable<byte[]> Encode(List<long> sorted)
    {
        var buffer = new List<byte>();
        var previous = 0L;
        foreach (var value in sorted)
        {
            if (buffer.Count >= ChunkBytes - 10)
            {
                yield return [.. buffer];
                buffer.Clear();
                previous = 0;
            }

            var delta = value - previous;
            var zigzag = (ulong)((delta << 1) ^ (delta >> 63));
            while (zigzag >= 0x80)
            {
                buffer.Add((byte)(zigzag | 0x80));
                zigzag >>= 7;
            }

            buffer.Add((byte)zigzag);
            previous = value;
        }

        if (buffer.Count > 0)
        {
            yield return [.. buffer];
        }
    }

    private static void Decode(byte[] bytes, List<long> into)
    {
        var previous = 0L;
        var i = 0;
        while (i < bytes.Length)
        {
            ulong zigzag = 0;
            var shift = 0;
            byte b;
            do
            {
                b = bytes[i++];
                zigzag |= (ulong)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            previous += (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
            into.Add(previous);
        }
    }
}

/// <summary>A day's tally judged at one moment: the summary's counts and the first-response minutes (unsorted).</summary>
public sealed record DayStanding(
    int Received,
    int Open,
    int FirstResponseMet,
    int FirstResponseBreached,
    int ResolutionMet,
    int ResolutionBreached,
    int AtRisk,
    IReadOnlyList<double> FirstResponseMinutes);
