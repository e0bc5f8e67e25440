using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Handoffs;

/// <summary>
/// The breaches report's rows in <c>HandoffIndex</c>: one per clock that is breached now or will be without another
/// write (a running clock, at its due time; a clock that stopped late or is paused past its target, at the moment it
/// passed the target), in its handoff's index partition, RowKey "~sla-&lt;unix seconds the clock passes its target,
/// rounded up&gt;-&lt;handoff id&gt;-&lt;fr|rs&gt;" (after the count row, the day tallies and the "~due-" rows, never read as an
/// item). So the clocks breached at a moment are one key range of each partition, longest in breach first, and a page
/// of them is a range read whatever the backlog. Each row carries the few columns a report line shows and the SLA
/// state (the minutes late are worked out when read, on the clock's calendar). The index row lists its clocks'
/// keys (<see cref="Column"/>, "" for none), so every write of the index row deletes and writes them in the same
/// transaction (<see cref="HandoffIndex"/>); a clock met, or paused in time, has none.
/// </summary>
public static class SlaBreachRows
{
    /// <summary>RowKeys of breach rows start with this.</summary>
    public const string Prefix = "~sla-";

    /// <summary>Index row column: the RowKeys of its clocks' breach rows, space separated ("" for none; absent on rows an earlier layout wrote).</summary>
    public const string Column = "SlaBreachRows";

    /// <summary>Breach row column: "firstResponse" or "resolution".</summary>
    public const string ClockColumn = "Clock";

    /// <summary>A report line shows at most this much of the text.</summary>
    public const int TextChars = 280;

    private static readonly string[] Copied =
        [HandoffRow.HandoffId, HandoffRow.Team, HandoffRow.Status, HandoffRow.Assignee, HandoffRow.Priority, HandoffRow.CreatedAt,
         "FirstResponseDueAt", "ResolutionDueAt", HandoffRow.Sla, "FirstRespondedAt"];

    /// <summary>The breach row keys of <paramref name="h"/>'s clocks (none without SLA state or calendar).</summary>
    public static IReadOnlyList<string> Keys(HandoffRecord h, BusinessCalendar? calendar)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.Sla is not { } sla || calendar is null)
        {
            return [];
        }

        var keys = new List<string>(2);
        foreach (var (code, clock) in new[] { ("fr", sla.FirstResponse), ("rs", sla.Resolution) })
        {
            if (PassesTargetAt(clock, calendar) is { } at)
            {
                keys.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Seconds(at):D12}-{h.Id}-{code}"));
            }
        }

        return keys;
    }

    /// <summary>
    /// When <paramref name="clock"/> is (or was) past its target from, if it ever is without another write: a running
    /// clock's due time; for a clock stopped late or paused past its target, the moment it reached the target; null for
    /// a clock met or paused in time. Judged as <see cref="SlaClock.Status"/> does, so a clock breached at a moment has
    /// its key at or before it.
    /// </summary>
    public static DateTimeOffset? PassesTargetAt(SlaClock clock, BusinessCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(calendar);
        if (clock.IsRunning)
        {
            return clock.DueAt(calendar);
        }

        if (clock.Status(calendar, clock.StoppedAt ?? DateTimeOffset.MaxValue, TimeSpan.Zero) is not (SlaStatus.MissedButDone or SlaStatus.Breached))
        {
            return null;
        }

        var counted = TimeSpan.Zero;
        foreach (var segment in clock.Segments)
        {
            var end = segment.End ?? clock.StoppedAt ?? segment.Start;
            var length = calendar.BusinessTimeBetween(segment.Start, end);
            if (counted + length >= clock.Target)
            {
                var at = clock.Target - counted <= TimeSpan.Zero ? segment.Start : calendar.AddBusinessTime(segment.Start, clock.Target - counted);
                return at < end ? at : end;
            }

            counted += length;
        }

        return clock.Segments[^1].End ?? clock.StoppedAt;
    }

    /// <summary>The breach rows an index row lists, with the columns a report line needs (copied from it).</summary>
    public static IReadOnlyList<TableEntity> Of(TableEntity indexRow)
    {
        ArgumentNullException.ThrowIfNull(indexRow);
        var rows = new List<TableEntity>();
        foreach (var key in KeysOf(indexRow))
        {
            var row = new TableEntity(indexRow.PartitionKey, key) { [ClockColumn] = key.EndsWith("-fr", StringComparison.Ordinal) ? "firstResponse" : "resolution" };
            foreach (var column in Copied)
            {
                if (indexRow.TryGetValue(column, out var value) && value is not null)
                {
                    row[column] = value;
                }
            }

            var text = indexRow.GetString(HandoffRow.Text) ?? "";
            row[HandoffRow.Text] = text.Length > TextChars ? text[..TextChars] : text;
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The breach row keys an index row lists (none for a row an earlier layout wrote).</summary>
    public static IReadOnlyList<string> KeysOf(TableEntity indexRow)
    {
        ArgumentNullException.ThrowIfNull(indexRow);
        return indexRow.GetString(Column) is { Length: > 0 } keys ? keys.Split(' ') : [];
    }

    /// <summary>A RowKey after every breach row of a clock that passes its target at or before <paramref name="now"/> (a superset by under a second, which the report confirms on the clock).</summary>
    public static string Before(DateTimeOffset now) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Seconds(now) + 1:D12}");

    /// <summary>The continuation after a breach row: its key without the prefix, base64url, so clients treat it as opaque.</summary>
    public static string Continuation(string rowKey)
    {
        ArgumentNullException.ThrowIfNull(rowKey);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(rowKey[Prefix.Length..])).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The breach row key a continuation names, or null when it is not one this report gave.</summary>
    public static string? FromContinuation(string continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        if (continuation.Length is 0 or > 400)
        {
            return null;
        }

        var base64 = continuation.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - (base64.Length % 4)) % 4);
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        // "<12 digits>-<handoff id>-<fr|rs>", as Keys writes them.
        return text.Length > 17 && text[..12].All(char.IsAsciiDigit) && text[12] == '-' && (text.EndsWith("-fr", StringComparison.Ordinal) || text.EndsWith("-rs", StringComparison.Ordinal))
            && text.All(c => c > ' ' && c < 127 && c is not ('/' or '\\' or '#' or '?'))
            ? Prefix + text
            : null;
    }

    /// <summary>Whole unix seconds, rounded up: at a whole second s, "s &gt;= instant" holds exactly when "s &gt;= the rounded value" does.</summary>
    private static long Seconds(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks / TimeSpan.TicksPerSecond) + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
    }
}
