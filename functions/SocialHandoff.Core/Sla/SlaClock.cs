namespace SocialHandoff.Core.Sla;

/// <summary>Where a clock stands against its target.</summary>
public enum SlaStatus
{
    OnTrack,
    AtRisk,
    Breached,
    Paused,
    Met,
    MissedButDone,
}

/// <summary>
/// One SLA clock (first response or resolution): a target in business time, run in segments so
/// that "waiting on customer" pauses stop it and resumes restart it. Immutable: every change
/// returns a new clock, so a handoff's history can be replayed from its audit events.
/// </summary>
public sealed record SlaClock
{
    private SlaClock(TimeSpan target, IReadOnlyList<ClockSegment> segments, DateTimeOffset? stoppedAt)
    {
        Target = target;
        Segments = segments;
        StoppedAt = stoppedAt;
    }

    public TimeSpan Target { get; }

    /// <summary>Periods the clock ran; the last has no end while it runs.</summary>
    public IReadOnlyList<ClockSegment> Segments { get; }

    /// <summary>When the clock was stopped for good (responded, resolved); null while it can still run.</summary>
    public DateTimeOffset? StoppedAt { get; }

    public bool IsRunning => StoppedAt is null && Segments.Count > 0 && Segments[^1].End is null;

    public bool IsPaused => StoppedAt is null && !IsRunning;

    public static SlaClock Start(DateTimeOffset at, TimeSpan target)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, TimeSpan.Zero);
        return new SlaClock(target, [new ClockSegment(at, null)], null);
    }

    /// <summary>A clock as stored (its segments and stop time), e.g. from the handoff row.</summary>
    public static SlaClock Restore(TimeSpan target, IReadOnlyList<ClockSegment> segments, DateTimeOffset? stoppedAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0 || segments.Take(segments.Count - 1).Any(s => s.End is null))
        {
            throw new ArgumentException("A clock has at least one segment and only the last may be open.", nameof(segments));
        }

        return new SlaClock(target, [.. segments], stoppedAt);
    }

    /// <summary>The same history against another target (the item moved to a team with another policy).</summary>
    public SlaClock WithTarget(TimeSpan target)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, TimeSpan.Zero);
        return new SlaClock(target, Segments, StoppedAt);
    }

    /// <summary>Stops counting ("waiting on customer"). Pausing a paused or stopped clock changes nothing.</summary>
    public SlaClock Pause(DateTimeOffset at) =>
        IsRunning ? new SlaClock(Target, [.. Segments.Take(Segments.Count - 1), Segments[^1] with { End = Max(at, Segments[^1].Start) }], null) : this;

    /// <summary>Counts again from <paramref name="at"/>. Resuming a running or stopped clock changes nothing.</summary>
    public SlaClock Resume(DateTimeOffset at) =>
        IsPaused ? new SlaClock(Target, [.. Segments, new ClockSegment(Max(at, Segments[^1].End!.Value), null)], null) : this;

    /// <summary>Stops the clock for good (the response was sent, the item resolved).</summary>
    public SlaClock Stop(DateTimeOffset at)
    {
        if (StoppedAt is not null)
        {
            return this;
        }

        var paused = Pause(at);
        return new SlaClock(Target, paused.Segments, IsRunning ? Max(at, Segments[^1].Start) : Segments[^1].End);
    }

    /// <summary>Business time counted up to <paramref name="now"/>; it never goes down as now advances.</summary>
    public TimeSpan Elapsed(BusinessCalendar calendar, DateTimeOffset now)
    {
        var total = TimeSpan.Zero;
        foreach (var segment in Segments)
        {
            var end = segment.End ?? now;
            if (end > now)
            {
                end = now;
            }

            total += calendar.BusinessTimeBetween(segment.Start, end);
        }

        return total;
    }

    /// <summary>When the target is reached if the clock keeps running; null while paused or stopped.</summary>
    public DateTimeOffset? DueAt(BusinessCalendar calendar)
    {
        if (!IsRunning)
        {
            return null;
        }

        var closed = TimeSpan.Zero;
        for (var i = 0; i < Segments.Count - 1; i++)
        {
            closed += calendar.BusinessTimeBetween(Segments[i].Start, Segments[i].End!.Value);
        }

        var remaining = Target - closed;
        return remaining <= TimeSpan.Zero ? Segments[^1].Start : calendar.AddBusinessTime(Segments[^1].Start, remaining);
    }

    /// <summary>The clock's standing at <paramref name="now"/>: at risk within <paramref name="warnBefore"/> of the target.</summary>
    public SlaStatus Status(BusinessCalendar calendar, DateTimeOffset now, TimeSpan warnBefore)
    {
        var elapsed = Elapsed(calendar, StoppedAt is { } stopped && stopped < now ? stopped : now);
        if (StoppedAt is not null)
        {
            return elapsed <= Target ? SlaStatus.Met : SlaStatus.MissedButDone;
        }

        if (elapsed >= Target)
        {
            return SlaStatus.Breached;
        }

        if (IsPaused)
        {
            return SlaStatus.Paused;
        }

        return Target - elapsed <= warnBefore ? SlaStatus.AtRisk : SlaStatus.OnTrack;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

public sealed record ClockSegment(DateTimeOffset Start, DateTimeOffset? End);
