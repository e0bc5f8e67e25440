using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Reports;

/// <summary>One team's day: handoffs created that UTC day and how their clocks stand now.</summary>
public sealed record SlaSummaryRow(
    string Team,
    DateOnly Day,
    int Received,
    int Open,
    int FirstResponded,
    int FirstResponseMet,
    int FirstResponseBreached,
    int ResolutionMet,
    int ResolutionBreached,
    int AtRisk,
    double? MetRate,
    double? MedianFirstResponseMinutes);

/// <summary>A clock past its target (<see cref="Minutes"/> late) or within its warning time (<see cref="Minutes"/> left);
/// <c>AssigneeName</c> is filled by the API for showing (the key is an Entra object id in Azure).</summary>
public sealed record SlaListItem(string Id, string Team, string Priority, string Clock, DateTimeOffset? DueAt, int Minutes, string? Assignee, string Status, string Text, string? AssigneeName = null);

/// <summary>A page of the breaches list and the continuation to the next (null after the last).</summary>
public sealed record SlaBreachPage(IReadOnlyList<SlaListItem> Items, string? Continuation);

public sealed record FirstResponseBucket(string Label, int Count);

public sealed record MetRateDay(DateOnly Day, double? MetRate, int Responded);

public sealed record FirstResponseReport(IReadOnlyList<FirstResponseBucket> Buckets, IReadOnlyList<MetRateDay> Daily);

/// <summary>
/// The managers' SLA reports, from the teams' queue index (<see cref="HandoffIndex"/>, which keeps a
/// copy of every handoff's columns): the summary and the first-response report from the index's day
/// tallies of the range (<see cref="DayTally"/>: a range read of a team's two partitions, whatever its
/// backlog; running clocks judged at the current whole second), the breaches a page at a time from the
/// index's breach rows (<see cref="SlaBreachRows"/>: a range read of each of a team's two partitions, its
/// size the page's, whatever the backlog), and the clocks at risk (filtered on each clock's at-risk window
/// in the index row, so only those clocks' handoffs are read, however long the backlog and however many are breached). "Met" and "breached" count decided clocks (stopped in time, or past
/// target whether stopped or not); first-response minutes are business minutes on the policy's calendar.
/// </summary>
public sealed class SlaReports(HandoffIndex index, WorkQueries queries, TeamDirectory directory, TimeProvider timeProvider)
{
    /// <summary>The most breaches one page holds.</summary>
    public const int MaxBreachesPage = 1000;

    private readonly ConcurrentDictionary<string, bool> _current = new(StringComparer.Ordinal);

    private static readonly (string Label, double UpTo)[] BucketEdges =
        [("< 15 min", 15), ("15-60 min", 60), ("1-4 h", 240), ("4-24 h", 1440), (">= 24 h", double.MaxValue)];

    public async Task<IReadOnlyList<SlaSummaryRow>> SummaryAsync(string? team, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return (await index.TalliesAsync(team, from, to, cancellationToken).ConfigureAwait(false))
            .Select(t => (t.Team, t.Tally.Day, At: t.Tally.At(now)))
            .Where(t => t.At.Received > 0)
            .OrderBy(t => t.Team, StringComparer.Ordinal).ThenBy(t => t.Day)
            .Select(t =>
            {
                var (frMet, frBreached) = (t.At.FirstResponseMet, t.At.FirstResponseBreached);
                var minutes = t.At.FirstResponseMinutes.Order().ToList();
                return new SlaSummaryRow(
                    t.Team,
                    t.Day,
                    t.At.Received,
                    t.At.Open,
                    minutes.Count,
                    frMet,
                    frBreached,
                    t.At.ResolutionMet,
                    t.At.ResolutionBreached,
                    t.At.AtRisk,
                    frMet + frBreached == 0 ? null : Math.Round((double)frMet / (frMet + frBreached), 4),
                    minutes.Count == 0 ? null : Math.Round(Median(minutes), 1));
            })
            .ToList();
    }

    /// <summary>
    /// A page of the clocks past their target (running, paused past it, or stopped late) of the handoffs created in the
    /// range, longest in breach first (by the moment each passed its target, to the second, then handoff id and clock),
    /// at most <paramref name="limit"/>, after the one <paramref name="after"/> names (a key from
    /// <see cref="SlaBreachRows.FromContinuation"/>). Every team's (those known, and deleted ones) when
    /// <paramref name="team"/> is null. A range read of each partition's breach rows up to now, filtered on the
    /// creation day: one request per partition for a page, more only past <paramref name="limit"/> rows a partition.
    /// A partition an earlier version wrote (no breach rows until the sweep's upgrade rewrites it) is read the former way.
    /// </summary>
    public async Task<SlaBreachPage> BreachesAsync(string? team, DateOnly from, DateOnly to, int limit, string? after, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxBreachesPage);
        var now = timeProvider.GetUtcNow();
        var table = await index.TableAsync(cancellationToken).ConfigureAwait(false);
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var teams = team is null ? await TeamsAsync(cancellationToken).ConfigureAwait(false) : [team];
        var streams = new List<IAsyncEnumerator<TableEntity>>();
        try
        {
            foreach (var partition in teams.SelectMany(HandoffIndex.Partitions))
            {
                if (!await IsCurrentAsync(partition, cancellationToken).ConfigureAwait(false))
                {
                    streams.Add(await ScannedAsync(table, partition, after, now, start, end, cancellationToken).ConfigureAwait(false));
                    continue;
                }

                var filter = TableClient.CreateQueryFilter(
                    $"PartitionKey eq {partition} and RowKey gt {after ?? SlaBreachRows.Prefix} and RowKey lt {SlaBreachRows.Before(now)} and CreatedAt ge {start} and CreatedAt lt {end}");
                // The page and the row after it (is there more?) in one response, which holds at most 1,000.
                streams.Add(table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, MaxBreachesPage), cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken));
            }

            // Each partition's first page at once; then the partitions merged in key order, reading on only where needed.
            var live = (await Task.WhenAll(streams.Select(async s => await s.MoveNextAsync().ConfigureAwait(false) ? s : null)).ConfigureAwait(false))
                .OfType<IAsyncEnumerator<TableEntity>>().ToList();
            var items = new List<SlaListItem>();
            string? last = null;
            while (live.Count > 0)
            {
                var next = live.MinBy(s => s.Current.RowKey, StringComparer.Ordinal)!;
                var row = next.Current;
                if (await BreachAsync(row, now, cancellationToken).ConfigureAwait(false) is { } item)
                {
                    if (items.Count == limit)
                    {
                        // One more breach exists: the page ends at the last one taken.
                        return new SlaBreachPage(items, SlaBreachRows.Continuation(last!));
                    }

                    items.Add(item);
                    last = row.RowKey;
                }

                // The next row of that partition only now: a page read to its last row asks for no more.
                if (!await next.MoveNextAsync().ConfigureAwait(false))
                {
                    live.Remove(next);
                }
            }

            return new SlaBreachPage(items, null);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every page of <see cref="BreachesAsync(string?, DateOnly, DateOnly, int, string?, CancellationToken)"/> (an export: its work is the breaches').</summary>
    public async Task<IReadOnlyList<SlaListItem>> AllBreachesAsync(string? team, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var items = new List<SlaListItem>();
        string? after = null;
        do
        {
            // 999 a page: with the row after it, one response of 1,000 per partition.
            var page = await BreachesAsync(team, from, to, MaxBreachesPage - 1, after, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            after = page.Continuation is { } c ? SlaBreachRows.FromContinuation(c) : null;
        }
        while (after is not null);

        return items;
    }

    /// <summary>Whether a partition's rows have their breach rows (layout 3 or later; remembered once seen, as the layout only goes up).</summary>
    private async Task<bool> IsCurrentAsync(string partition, CancellationToken cancellationToken)
    {
        if (_current.ContainsKey(partition))
        {
            return true;
        }

        if (!await index.HasCurrentLayoutAsync(partition, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _current[partition] = true;
        return true;
    }

    /// <summary>
    /// The breach rows a partition an earlier version wrote would have, worked out from every row created in the range
    /// (the former cost, until the sweep's upgrade has rewritten it), in key order from <paramref name="after"/> up to now.
    /// </summary>
    private async Task<IAsyncEnumerator<TableEntity>> ScannedAsync(
        TableClient table, string partition, string? after, DateTimeOffset now, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var before = SlaBreachRows.Before(now);
        var rows = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and CreatedAt ge {start} and CreatedAt lt {end}");
        await foreach (var row in table.QueryAsync<TableEntity>($"{filter} and {HandoffIndex.OnlyItems}", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var view = await queries.ViewAsync(HandoffRecord.FromEntity(row), now, cancellationToken).ConfigureAwait(false);
            rows.AddRange(SlaBreachRows.Of(index.Row(view.Handoff, view.Calendar))
                .Where(b => string.CompareOrdinal(b.RowKey, after ?? SlaBreachRows.Prefix) > 0 && string.CompareOrdinal(b.RowKey, before) < 0));
        }

        return rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).ToAsyncEnumerable().GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>The report line of a breach row whose clock is past its target at <paramref name="now"/> (null when the row's second is not over yet, or it has no calendar).</summary>
    private async Task<SlaListItem?> BreachAsync(TableEntity row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var view = await queries.ViewAsync(HandoffRecord.FromEntity(row), now, cancellationToken).ConfigureAwait(false);
        if (view.Calendar is not { } calendar || view.Handoff.Sla is null)
        {
            return null;
        }

        var (clock, status, c) = Clocks(view).Single(x => x.Name == row.GetString(SlaBreachRows.ClockColumn));
        if (status is not (SlaStatus.Breached or SlaStatus.MissedButDone))
        {
            return null;
        }

        var late = c.Elapsed(calendar, c.StoppedAt ?? now) - c.Target;
        return Item(view.Handoff, clock, (int)Math.Round(late.TotalMinutes));
    }

    /// <summary>
    /// The teams the all-teams list reads: every team with a partition in the index (one only an earlier rule set
    /// routed to, too, as the summary counts them), every known team and every deleted one (their history stays readable).
    /// </summary>
    private async Task<IReadOnlyList<string>> TeamsAsync(CancellationToken cancellationToken)
    {
        var indexed = await index.IndexedTeamsAsync(cancellationToken).ConfigureAwait(false);
        var known = await directory.KnownTeamsAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        return indexed.Concat(known).Concat(snapshot.Teams.Keys).Concat(snapshot.Deleted).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every running clock of an open handoff within its warning time, least time left first.</summary>
    public async Task<IReadOnlyList<SlaListItem>> AtRiskAsync(string? team, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var filter = team is null
            ? HandoffIndex.ClockAtRiskFilter(now)
            : $"{TableClient.CreateQueryFilter($"PartitionKey eq {HandoffIndex.Partition(team, false)}")} and ({HandoffIndex.ClockAtRiskFilter(now)})";
        var items = new List<SlaListItem>();
        foreach (var (view, calendar) in await ViewsAsync(filter, now, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (clock, status, c) in Clocks(view))
            {
                if (status == SlaStatus.AtRisk)
                {
                    items.Add(Item(view.Handoff, clock, (int)Math.Round((c.Target - c.Elapsed(calendar, now)).TotalMinutes)));
                }
            }
        }

        return items.OrderBy(i => i.Minutes).ToList();
    }

    /// <summary>How long first responses took (business minutes, in buckets) and the met rate per day.</summary>
    public async Task<FirstResponseReport> FirstResponseAsync(string? team, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var days = (await index.TalliesAsync(team, from, to, cancellationToken).ConfigureAwait(false))
            .GroupBy(t => t.Tally.Day)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Tally.At(now)).ToList());
        var minutes = days.Values.SelectMany(d => d).SelectMany(d => d.FirstResponseMinutes).ToList();
        var lower = 0.0;
        var buckets = new List<FirstResponseBucket>();
        foreach (var (label, upTo) in BucketEdges)
        {
            var low = lower;
            buckets.Add(new FirstResponseBucket(label, minutes.Count(m => m >= low && m < upTo)));
            lower = upTo;
        }

        var daily = new List<MetRateDay>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var that = days.GetValueOrDefault(day) ?? [];
            var met = that.Sum(d => d.FirstResponseMet);
            var decided = met + that.Sum(d => d.FirstResponseBreached);
            daily.Add(new MetRateDay(day, decided == 0 ? null : Math.Round((double)met / decided, 4), that.Sum(d => d.FirstResponseMinutes.Count)));
        }

        return new FirstResponseReport(buckets, daily);
    }

    /// <summary>The handoffs a filter selects, with their standing now and their calendars (handoffs without SLA state are skipped).</summary>
    private async Task<List<(HandoffView View, BusinessCalendar Calendar)>> ViewsAsync(string filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await index.TableAsync(cancellationToken).ConfigureAwait(false);
        var views = new List<(HandoffView, BusinessCalendar)>();
        await foreach (var row in table.QueryAsync<TableEntity>($"({filter}) and {HandoffIndex.OnlyItems}", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var view = await queries.ViewAsync(HandoffRecord.FromEntity(row), now, cancellationToken).ConfigureAwait(false);
            if (view.Calendar is { } calendar)
            {
                views.Add((view, calendar));
            }
        }

        return views;
    }

    private static IEnumerable<(string Name, SlaStatus Status, SlaClock Clock)> Clocks(HandoffView view)
    {
        var sla = view.Handoff.Sla!;
        yield return ("firstResponse", view.FirstResponse, sla.FirstResponse);
        yield return ("resolution", view.Resolution, sla.Resolution);
    }

    private static SlaListItem Item(HandoffRecord h, string clock, int minutes) =>
        new(h.Id, h.Team, h.Priority, clock, clock == "firstResponse" ? h.FirstResponseDueAt : h.ResolutionDueAt, minutes, h.Assignee, h.Status,
            h.Text.Length > 280 ? h.Text[..280] : h.Text);

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    internal static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
