namespace SocialHandoff.Core.Sla;

/// <summary>One opening period of a day, in the calendar's local time. Start before End, same day.</summary>
public sealed record Shift(TimeOnly Start, TimeOnly End);

/// <summary>
/// When a team works: a time zone, a weekly pattern of shifts (several a day allowed) and holidays,
/// or around the clock. SLA clocks count only the time inside these hours. Local times that do not
/// exist (the hour skipped when clocks go forward) are read as the first moment after the gap;
/// ambiguous ones (the hour repeated when clocks go back) as standard time.
/// </summary>
public sealed class BusinessCalendar
{
    // Far enough to cross any holiday season; a calendar that is never open is refused at construction.
    private const int MaxDaysScanned = 3 * 366;

    // Whole weeks surely inside a scan: it starts the local day before the instant, so two days are spent.
    private const int WeeksScanned = (MaxDaysScanned - 2) / 7;

    // A shift that spans a clock change is an hour shorter; allow two a year over the scan, and some.
    private static readonly TimeSpan ClockChangeAllowance = TimeSpan.FromHours(8);

    private readonly Shift[][] _week;
    private readonly HashSet<DateOnly> _holidays;

    private BusinessCalendar(string name, TimeZoneInfo zone, Shift[][] week, HashSet<DateOnly> holidays, bool alwaysOpen)
    {
        Name = name;
        Zone = zone;
        _week = week;
        _holidays = holidays;
        IsAlwaysOpen = alwaysOpen;
        GuaranteedOpenTime = alwaysOpen ? TimeSpan.FromDays(WeeksScanned * 7) : Guaranteed(week, holidays);
    }

    /// <summary>
    /// Business time this calendar surely has within the span its arithmetic looks ahead (about three
    /// years) from any instant: whole weeks of shifts, less the most holidays that fall in such a span
    /// (each counted as the longest working day) and an allowance for clock changes. A target longer
    /// than this could find no due time, so policies are held to it.
    /// </summary>
    public TimeSpan GuaranteedOpenTime { get; }

    public string Name { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>Open 24/7 with no holidays: business time is wall-clock time.</summary>
    public bool IsAlwaysOpen { get; }

    public static BusinessCalendar AlwaysOpen(string name = "24x7") => new(name, TimeZoneInfo.Utc, [], [], alwaysOpen: true);

    /// <summary>
    /// Builds a calendar; <paramref name="week"/> maps each working day to its shifts. Throws with a
    /// message naming the problem when shifts overlap, run backwards, or the week has no hours at all.
    /// </summary>
    public static BusinessCalendar Create(
        string name,
        string timeZoneId,
        IReadOnlyDictionary<DayOfWeek, IReadOnlyList<Shift>> week,
        IEnumerable<DateOnly>? holidays = null)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone))
        {
            throw new ArgumentException($"Calendar '{name}': time zone '{timeZoneId}' is not known (use an IANA id such as 'Europe/London').", nameof(timeZoneId));
        }

        var days = new Shift[7][];
        var anyHours = false;
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var shifts = week.TryGetValue(day, out var listed) ? listed.OrderBy(s => s.Start).ToArray() : [];
            for (var i = 0; i < shifts.Length; i++)
            {
                if (shifts[i].End <= shifts[i].Start)
                {
                    throw new ArgumentException($"Calendar '{name}': the {day} shift {shifts[i].Start:HH\\:mm}-{shifts[i].End:HH\\:mm} must end after it starts (split a shift that crosses midnight in two).", nameof(week));
                }

                if (i > 0 && shifts[i].Start < shifts[i - 1].End)
                {
                    throw new ArgumentException($"Calendar '{name}': {day} shifts {shifts[i - 1].Start:HH\\:mm}-{shifts[i - 1].End:HH\\:mm} and {shifts[i].Start:HH\\:mm}-{shifts[i].End:HH\\:mm} overlap.", nameof(week));
                }
            }

            anyHours |= shifts.Length > 0;
            days[(int)day] = shifts;
        }

        if (!anyHours)
        {
            throw new ArgumentException($"Calendar '{name}' has no working hours in its week; use a 24/7 calendar or add shifts.", nameof(week));
        }

        return new BusinessCalendar(name, zone, days, [.. holidays ?? []], alwaysOpen: false);
    }

    /// <summary>The instant <paramref name="duration"/> of business time after <paramref name="start"/>.</summary>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (IsAlwaysOpen)
        {
            return start + duration;
        }

        var remaining = duration;
        foreach (var (open, close) in OpenIntervalsFrom(start))
        {
            var from = open > start ? open : start;
            var available = close - from;
            if (remaining <= available)
            {
                // A due time that lands exactly on closing stays at closing, not the next opening.
                return from + remaining;
            }

            remaining -= available;
        }

        throw new InvalidOperationException($"Calendar '{Name}' has no open hours within {MaxDaysScanned} days of {start:O}.");
    }

    /// <summary>Business time inside [<paramref name="from"/>, <paramref name="to"/>); zero when to is not after from.</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            return TimeSpan.Zero;
        }

        if (IsAlwaysOpen)
        {
            return to - from;
        }

        var total = TimeSpan.Zero;
        foreach (var (open, close) in OpenIntervalsFrom(from))
        {
            if (open >= to)
            {
                break;
            }

            var start = open > from ? open : from;
            var end = close < to ? close : to;
            if (end > start)
            {
                total += end - start;
            }
        }

        return total;
    }

    public bool IsOpen(DateTimeOffset instant)
    {
        if (IsAlwaysOpen)
        {
            return true;
        }

        foreach (var (open, _) in OpenIntervalsFrom(instant))
        {
            return open <= instant;
        }

        return false;
    }

    /// <summary>The instant itself when open, else the next opening.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset instant)
    {
        if (IsAlwaysOpen)
        {
            return instant;
        }

        foreach (var (open, _) in OpenIntervalsFrom(instant))
        {
            return open > instant ? open : instant;
        }

        throw new InvalidOperationException($"Calendar '{Name}' has no open hours within {MaxDaysScanned} days of {instant:O}.");
    }

    private static TimeSpan Guaranteed(Shift[][] week, HashSet<DateOnly> holidays)
    {
        static TimeSpan Length(Shift s) => (s.End == TimeOnly.MaxValue ? TimeSpan.FromDays(1) : s.End.ToTimeSpan()) - s.Start.ToTimeSpan();
        var weekly = week.Aggregate(TimeSpan.Zero, (sum, day) => sum + day.Aggregate(TimeSpan.Zero, (d, s) => d + Length(s)));
        var longestDay = week.Max(day => day.Aggregate(TimeSpan.Zero, (d, s) => d + Length(s)));

        // The most holidays inside any span of the scan's length (a sliding window over the sorted dates).
        var sorted = holidays.Order().ToArray();
        var most = 0;
        for (int first = 0, last = 0; last < sorted.Length; last++)
        {
            while (sorted[last].DayNumber - sorted[first].DayNumber >= MaxDaysScanned)
            {
                first++;
            }

            most = Math.Max(most, last - first + 1);
        }

        var total = (weekly * WeeksScanned) - (longestDay * most) - ClockChangeAllowance;
        return total > TimeSpan.Zero ? total : TimeSpan.Zero;
    }

    // Open intervals (UTC instants) that end after `instant`, in order, day by day in local time.
    private IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> OpenIntervalsFrom(DateTimeOffset instant)
    {
        var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime).AddDays(-1);
        for (var d = 0; d < MaxDaysScanned; d++, localDay = localDay.AddDays(1))
        {
            if (_holidays.Contains(localDay))
            {
                continue;
            }

            foreach (var shift in _week[(int)localDay.DayOfWeek])
            {
                var open = ToInstant(localDay, shift.Start);
                var close = shift.End == TimeOnly.MaxValue ? ToInstant(localDay.AddDays(1), TimeOnly.MinValue) : ToInstant(localDay, shift.End);
                if (close > instant && close > open)
                {
                    yield return (open, close);
                }
            }
        }
    }

    private DateTimeOffset ToInstant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var utc = TimeZoneInfo.ConvertTimeToUtc(local, Zone);
        return new DateTimeOffset(utc, TimeSpan.Zero);
    }
}
