using System.Globalization;
using Azure.Data.Tables;

namespace SocialHandoff.Core.Handoffs;

/// <summary>
/// One index partition's SLA tally for one UTC day of creation (RowKey <see cref="Key(DateOnly)"/>, beside the
/// partition's count row): the sum of <see cref="Of"/> over the partition's index rows created that day,
/// kept by <see cref="HandoffIndex"/> in the same transaction as every write of those rows. Decided clocks
/// are counts; a running clock is kept as the instants its standing changes at (its warning time and its
/// due time, in whole seconds rounded up), so the reports judge it against any later "now" with no write
/// (see <see cref="At"/>, whose "now" is a whole second); first-response business times as exact ticks,
/// for the median. The sorted instants are stored as varint deltas (a few bytes each) in binary columns.
/// A day is kept in shards (rows <see cref="Key(DateOnly, int)"/>, the first at <see cref="Key(DateOnly)"/>),
/// each at most <see cref="ShardBytes"/> of instants: a viral day of one team never makes a row pass Azure's
/// entity limits (1 MiB, 64 KiB a binary column), and a write rewrites only the shards its change touches.
/// The day is the plain sum of its shards (counts add up, instants are a multiset), so which shard holds
/// what does not matter to the reports: a change adds to the newest shard with room and takes an instant
/// away from whichever shard holds it (<see cref="Change"/>).
/// </summary>
public sealed class DayTally
{
    /// <summary>RowKeys of tallies start with this: after the count row ("~count") and before the SLA due rows ("~due-"), never an item.</summary>
    public const string KeyPrefix = HandoffIndex.CountRowKey + "~";

    /// <summary>
    /// The encoded instants one shard holds at most: 48,000 bytes (about 10,000 to 25,000 handoffs), so each of
    /// its five sets fits one binary column (64 KiB) and the row stays far under 1 MiB; small, because every write
    /// of a day sends its newest shard again (about 64 KB as base64 at most).
    /// </summary>
    public const int ShardBytes = 48_000;

    // Under the 64 KiB a binary property may hold.
    private const int ChunkBytes = 60_000;

    private static readonly string[] SetNames = ["FirstResponseDue", "ResolutionDue", "AtRiskFrom", "AtRiskUntil", "FirstResponseTicks"];

    private readonly List<long>[] _sets = [[], [], [], [], []];

    private DayTally(DateOnly day, int shard = 0)
    {
        Day = day;
        Shard = shard;
    }

    public DateOnly Day { get; }

    /// <summary>Which of its day's rows this is (0 the first); a sum of shards has 0.</summary>
    public int Shard { get; }

    /// <summary>The bytes its instants take encoded (what <see cref="ShardBytes"/> bounds).</summary>
    public int EncodedBytes => _sets.Sum(Bytes);

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

    /// <summary>The RowKey of a day's first tally row: newer days sort first, so one range from the count row reads the count and every tally from a day on.</summary>
    public static string Key(DateOnly day) => KeyPrefix + (99_999_999 - ((day.Year * 10_000) + (day.Month * 100) + day.Day)).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>The RowKey of a day's shard: after the day's first row ("-" and the shard number), before the day before.</summary>
    public static string Key(DateOnly day, int shard) => shard == 0 ? Key(day) : Key(day) + "-" + shard.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>A RowKey after every shard of <paramref name="day"/> and before the day before ("." sorts after "-", before the digits).</summary>
    public static string KeyAfter(DateOnly day) => Key(day) + ".";

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

    /// <summary>
    /// The shards of a day to write for a change of <paramref name="plus"/> less <paramref name="minus"/> (shares
    /// that cancel out first: a row rewritten with the same share writes nothing): each instant taken away from a
    /// shard that holds it, preferring shards written anyway; the instants added to the newest shard while it stays
    /// within <paramref name="maxBytes"/>, else to new shards after it; the counts to a shard written anyway.
    /// <c>Complete</c> is false when an instant to take away is in none of <paramref name="shards"/> (a shard
    /// another writer added since they were read, or a tally that disagrees with its rows already).
    /// </summary>
    public static (IReadOnlyList<DayTally> Written, bool Complete) Change(IReadOnlyList<DayTally> shards, DayTally plus, DayTally? minus, int maxBytes = ShardBytes)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(plus);
        minus ??= Empty(plus.Day);
        var add = new DayTally(plus.Day);
        var take = new DayTally(plus.Day);
        for (var i = 0; i < add._sets.Length; i++)
        {
            Difference(plus._sets[i], minus._sets[i], add._sets[i], take._sets[i]);
        }

        var counts = new[]
        {
            plus.Received - minus.Received, plus.Open - minus.Open, plus.FirstResponseMet - minus.FirstResponseMet,
            plus.FirstResponseLate - minus.FirstResponseLate, plus.ResolutionMet - minus.ResolutionMet, plus.ResolutionLate - minus.ResolutionLate,
        };
        if (counts.All(c => c == 0) && add._sets.All(x => x.Count == 0) && take._sets.All(x => x.Count == 0))
        {
            return ([], true);
        }

        var ordered = shards.OrderBy(t => t.Shard).ToList();
        var touched = new SortedDictionary<int, DayTally>();
        DayTally Touch(DayTally shard) => touched.TryGetValue(shard.Shard, out var copy) ? copy : touched[shard.Shard] = shard.Copy();

        var complete = true;
        for (var i = 0; i < take._sets.Length; i++)
        {
            foreach (var value in take._sets[i])
            {
                // Each shard as changed so far: an instant taken twice must be held twice.
                var holder = touched.Values.FirstOrDefault(t => t._sets[i].BinarySearch(value) >= 0)
                    ?? ordered.AsEnumerable().Reverse().Select(t => touched.GetValueOrDefault(t.Shard) ?? t).FirstOrDefault(t => t._sets[i].BinarySearch(value) >= 0);
                if (holder is null)
                {
                    complete = false;
                    continue;
                }

                var copy = Touch(holder);
                copy._sets[i].RemoveAt(copy._sets[i].BinarySearch(value));
            }
        }

        DayTally? countsTo = null;
        var fresh = new List<DayTally>();
        if (add._sets.Any(x => x.Count > 0))
        {
            var newest = ordered.Count == 0 ? null : touched.GetValueOrDefault(ordered[^1].Shard) ?? ordered[^1];
            var grown = newest?.Copy();
            if (grown is not null)
            {
                for (var i = 0; i < grown._sets.Length; i++)
                {
                    grown._sets[i].AddRange(add._sets[i]);
                    grown._sets[i].Sort();
                }
            }

            if (grown is not null && grown.EncodedBytes <= maxBytes)
            {
                touched[grown.Shard] = grown;
                countsTo = grown;
            }
            else
            {
                fresh.AddRange(Split(add, maxBytes, newest is null ? 0 : newest.Shard + 1));
                countsTo = fresh[0];
            }
        }

        if (countsTo is null)
        {
            countsTo = touched.Values.FirstOrDefault() ?? (ordered.Count > 0 ? Touch(ordered[^1]) : null);
            if (countsTo is null)
            {
                countsTo = new DayTally(plus.Day);
                fresh.Add(countsTo);
            }
        }

        countsTo.Received += counts[0];
        countsTo.Open += counts[1];
        countsTo.FirstResponseMet += counts[2];
        countsTo.FirstResponseLate += counts[3];
        countsTo.ResolutionMet += counts[4];
        countsTo.ResolutionLate += counts[5];
        return ([.. touched.Values, .. fresh], complete);
    }

    /// <summary>A tally cut into shards of at most <paramref name="maxBytes"/> of instants, numbered from <paramref name="firstShard"/> (its counts in the first).</summary>
    public static IReadOnlyList<DayTally> Split(DayTally tally, int maxBytes = ShardBytes, int firstShard = 0)
    {
        ArgumentNullException.ThrowIfNull(tally);
        var current = tally.Copy(firstShard);
        Array.ForEach(current._sets, x => x.Clear());
        var shards = new List<DayTally> { current };
        var bytes = 0;
        for (var i = 0; i < tally._sets.Length; i++)
        {
            foreach (var value in tally._sets[i])
            {
                var set = current._sets[i];
                var cost = VarintBytes(value - (set.Count == 0 ? 0 : set[^1]));
                if (bytes + cost > maxBytes && bytes > 0)
                {
                    current = new DayTally(tally.Day, current.Shard + 1);
                    shards.Add(current);
                    set = current._sets[i];
                    bytes = 0;
                    cost = VarintBytes(value);
                }

                set.Add(value);
                bytes += cost;
            }
        }

        return shards;
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
        var row = new TableEntity(partition, Key(Day, Shard))
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
        var day = DateOnly.ParseExact(row.GetString("Day") ?? throw new FormatException($"Tally row {row.RowKey} has no Day."), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var shard = row.RowKey.Length > Key(day).Length ? int.Parse(row.RowKey.AsSpan(Key(day).Length + 1), CultureInfo.InvariantCulture) : 0;
        var t = new DayTally(day, shard)
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

    private DayTally Copy(int? shard = null)
    {
        var t = new DayTally(Day, shard ?? Shard)
        {
            Received = Received,
            Open = Open,
            FirstResponseMet = FirstResponseMet,
            FirstResponseLate = FirstResponseLate,
            ResolutionMet = ResolutionMet,
            ResolutionLate = ResolutionLate,
        };
        for (var i = 0; i < _sets.Length; i++)
        {
            t._sets[i].AddRange(_sets[i]);
        }

        return t;
    }

    /// <summary>Sorted multisets a and b less what they share: what only a holds into <paramref name="onlyA"/>, only b into <paramref name="onlyB"/>.</summary>
    private static void Difference(List<long> a, List<long> b, List<long> onlyA, List<long> onlyB)
    {
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            if (j == b.Count || (i < a.Count && a[i] < b[j]))
            {
                onlyA.Add(a[i++]);
            }
            else if (i == a.Count || b[j] < a[i])
            {
                onlyB.Add(b[j++]);
            }
            else
            {
                i++;
                j++;
            }
        }
    }

    /// <summary>What <see cref="Encode"/> writes for a sorted set that fits one column.</summary>
    private static int Bytes(List<long> sorted)
    {
        var bytes = 0;
        var previous = 0L;
        foreach (var value in sorted)
        {
            bytes += VarintBytes(value - previous);
            previous = value;
        }

        return bytes;
    }

    private static int VarintBytes(long delta)
    {
        var zigzag = (ulong)((delta << 1) ^ (delta >> 63));
        var bytes = 1;
        while (zigzag >= 0x80)
        {
            zigzag >>= 7;
            bytes++;
        }

        return bytes;
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
