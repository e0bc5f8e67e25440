using System.Globalization;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
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

public sealed record FirstResponseBucket(string Label, int Count);

public sealed record MetRateDay(DateOnly Day, double? MetRate, int Responded);

public sealed record FirstResponseReport(IReadOnlyList<FirstResponseBucket> Buckets, IReadOnlyList<MetRateDay> Daily);

/// <summary>
/// The managers' SLA reports, from the teams' queue index (<see cref="HandoffIndex"/>, which keeps a
/// copy of every handoff's columns): the summary and the first-response report from the index's day
/// tallies of the range (<see cref="DayTally"/>: a range read of a team's two partitions, whatever its
/// backlog; running clocks judged at the current whole second), the breaches listed from the handoffs
/// created in the range (a team's two partitions, or all teams', filtered on CreatedAt: a list of every
/// breach, its size is its work), and the clocks at risk (filtered on each clock's at-risk window
/// in the index row, so only those clocks' handoffs are read, however long the backlog and however many are breached). "Met" and "breached" count decided clocks (stopped in time, or past
/// target whether stopped or not); first-response minutes are business minutes on the policy's calendar.
/// </summary>
public sealed class SlaReports(HandoffIndex index, WorkQueries queries, TimeProvider timeProvider)
{
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

    /// <summary>Every clock past its target among handoffs created in the range, most overdue first.</summary>
    public async Task<IReadOnlyList<SlaListItem>> BreachesAsync(string? team, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var items = new List<SlaListItem>();
        foreach (var s in await SamplesAsync(team, from, to, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (clock, status, c) in Clocks(s.View))
            {
                if (status is SlaStatus.Breached or SlaStatus.MissedButDone)
                {
                    var late = c.Elapsed(s.Calendar, c.StoppedAt ?? now) - c.Target;
                    items.Add(Item(s.View.Handoff, clock, (int)Math.Round(late.TotalMinutes)));
                }
            }
        }

        return items.OrderByDescending(i => i.Minutes).ToList();
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

    private sealed record Sample(HandoffView View, BusinessCalendar Calendar, double? FirstResponseMinutes);

    private async Task<List<Sample>> SamplesAsync(string? team, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var filter = team is null
            ? TableClient.CreateQueryFilter($"CreatedAt ge {start} and CreatedAt lt {end}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {team + "|"} and PartitionKey lt {team + "}"} and CreatedAt ge {start} and CreatedAt lt {end}");
        return (await ViewsAsync(filter, now, cancellationToken).ConfigureAwait(false))
            .Select(x => new Sample(x.View, x.Calendar, x.View.Handoff.Sla!.FirstResponse.StoppedAt is { } stopped && x.View.Handoff.FirstResponse is not null
                ? x.View.Handoff.Sla.FirstResponse.Elapsed(x.Calendar, stopped).TotalMinutes
                : null))
            .ToList();
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
