using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Work;

/// <summary>A handoff with its SLA standing at the moment it was read, the warning time its clocks are judged by, and their calendar (null without SLA state).</summary>
public sealed record HandoffView(HandoffRecord Handoff, string SlaState, SlaStatus FirstResponse, SlaStatus Resolution, TimeSpan WarnBefore, BusinessCalendar? Calendar);

/// <summary>Filters of a team queue; null means any.</summary>
public sealed record QueueFilter(string Status = "open", string? Assignee = null, string? Priority = null, string? Source = null, string? Sla = null, int Page = 1, int PageSize = 25)
{
    public static readonly IReadOnlyList<string> Statuses = ["open", "unclaimed", "claimed", "waiting", "resolved", "all"];
    public static readonly IReadOnlyList<string> SlaStates = ["breached", "at-risk"];
}

/// <summary>A page of a team's queue; <c>TotalAtLeast</c> when a filtered page counted only the first <see cref="WorkQueries.FilteredCountLimit"/> matches (or up to its end) and more exist: <c>Total</c> is then a lower bound.</summary>
public sealed record QueuePage(string Team, int Page, int PageSize, int Total, IReadOnlyList<HandoffView> Items, bool TotalAtLeast = false);

/// <summary>
/// Reads for the work API: a team's queue and the SLA standing of each item. The queue is read from
/// the team's queue index (<see cref="HandoffIndex"/>), already in order (priority, then the earliest
/// due time): an unfiltered page is the partition's count row and a range read up to the page's end;
/// a filtered one asks the index for the matching rows only (the filters are columns of the index row)
/// and checks each in memory, so its cost follows the matches, not the backlog.
/// </summary>
public sealed class WorkQueries(SlaDueIndex index, HandoffIndex queueIndex, IOptions<ApiOptions> options, TimeProvider timeProvider)
{
    private readonly TimeSpan _atRiskWithin = options.Value.AtRiskWithin;

    /// <summary>The matches a filtered page counts at most beyond its own end: 1,000, one request's worth.</summary>
    public const int FilteredCountLimit = 1000;

    public async Task<QueuePage> QueueAsync(string team, QueueFilter filter, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(caller);
        string[] partitions = filter.Status switch
        {
            "resolved" => [HandoffIndex.Partition(team, true)],
            "all" => HandoffIndex.Partitions(team),
            _ => [HandoffIndex.Partition(team, false)],
        };
        var table = await queueIndex.TableAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var skip = (filter.Page - 1) * filter.PageSize;
        var plain = filter.Status is "open" or "resolved" or "all" && filter.Assignee is null && filter.Priority is null && filter.Source is null && filter.Sla is null;
        var page = new List<HandoffView>();
        var total = 0;
        if (plain)
        {
            // The count row gives the total; only the rows up to the page's end are read.
            var offset = skip;
            foreach (var partition in partitions)
            {
                var count = await queueIndex.CountAsync(partition, cancellationToken).ConfigureAwait(false);
                var want = filter.PageSize - page.Count;
                if (want > 0 && (offset < count || count == 0))
                {
                    var (rows, complete) = await ReadAsync(table, PartitionFilter(partition), offset + want, cancellationToken).ConfigureAwait(false);
                    if (complete)
                    {
                        // The whole partition was read: its true size, whatever a crash did to the count row.
                        count = rows.Count;
                    }

                    foreach (var row in rows.Skip(offset).Take(want))
                    {
                        page.Add(await ViewAsync(HandoffRow.ToRecord(row), now, cancellationToken).ConfigureAwait(false));
                    }
                }

                offset = Math.Max(0, offset - count);
                total += count;
            }

            return new QueuePage(team, filter.Page, filter.PageSize, total, page);
        }

        // A filtered page reads its matches up to its end or the first FilteredCountLimit, whichever is more (one
        // request for most pages), not every match of a long queue: past that the total says "at least".
        var server = ServerFilter(filter, caller, now);
        var atLeast = false;
        foreach (var partition in partitions)
        {
            var (rows, complete) = await ReadAsync(table, $"{PartitionFilter(partition)} and {server}", Math.Max(skip + filter.PageSize, FilteredCountLimit), cancellationToken).ConfigureAwait(false);
            atLeast |= !complete;
            foreach (var row in rows)
            {
                var h = HandoffRow.ToRecord(row);
                if (!Matches(h, filter, caller))
                {
                    continue;
                }

                var view = filter.Sla is null && (total < skip || page.Count >= filter.PageSize) ? null : await ViewAsync(h, now, cancellationToken).ConfigureAwait(false);
                if (view is not null && filter.Sla is not null && view.SlaState != filter.Sla)
                {
                    continue;
                }

                if (total >= skip && page.Count < filter.PageSize)
                {
                    page.Add(view!);
                }

                total++;
            }
        }

        return new QueuePage(team, filter.Page, filter.PageSize, total, page, atLeast);
    }

    /// <summary>Rebuilds <paramref name="team"/>'s queue index from its Handoffs rows (see <see cref="HandoffIndex.RepairAsync"/>); returns the rows changed and the counts now.</summary>
    public async Task<(int Changed, int Open, int Resolved)> RepairIndexAsync(string team, CancellationToken cancellationToken)
    {
        var changed = await queueIndex.RepairAsync(
            team, async (h, ct) => h.Sla is { } sla ? await index.CalendarAsync(sla, ct).ConfigureAwait(false) : null, cancellationToken).ConfigureAwait(false);
        return (changed,
            await queueIndex.CountAsync(HandoffIndex.Partition(team, false), cancellationToken).ConfigureAwait(false),
            await queueIndex.CountAsync(HandoffIndex.Partition(team, true), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads rows in index order until <paramref name="upTo"/> are in hand; complete when the query had no more.</summary>
    private static async Task<(List<TableEntity> Rows, bool Complete)> ReadAsync(TableClient table, string filter, int upTo, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        var perPage = (int)Math.Clamp((long)upTo, 1, 1000);
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: perPage, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            rows.AddRange(page.Values);
            if (page.ContinuationToken is null)
            {
                return (rows, true);
            }

            if (rows.Count >= upTo)
            {
                return (rows, false);
            }
        }

        return (rows, true);
    }

    private static string PartitionFilter(string partition) =>
        $"{TableClient.CreateQueryFilter($"PartitionKey eq {partition}")} and {HandoffIndex.OnlyItems}";

    /// <summary>The filters as a query on the index row's columns: a superset of the matches (names compared in memory too; SLA states confirmed on the clocks).</summary>
    private string ServerFilter(QueueFilter filter, Caller caller, DateTimeOffset now)
    {
        var parts = new List<string>();
        switch (filter.Status)
        {
            case "unclaimed":
                parts.Add("AssigneeKey eq ''");
                break;
            case "claimed":
                parts.Add("AssigneeKey ne ''");
                break;
            case "waiting":
                parts.Add("Waiting eq true");
                break;
        }

        var assignee = filter.Assignee switch
        {
            null => null,
            "none" => "",
            "me" => caller.Id,
            var name => name,
        };
        if (assignee is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"AssigneeKey eq {assignee.ToLowerInvariant()}"));
        }

        if (filter.Priority is { } priority)
        {
            var (from, before) = HandoffIndex.PriorityRange(priority);
            parts.Add(TableClient.CreateQueryFilter($"RowKey ge {from} and RowKey lt {before}"));
        }

        if (filter.Source is { } source)
        {
            parts.Add(TableClient.CreateQueryFilter($"Source eq {source.ToLowerInvariant()}"));
        }

        if (filter.Sla == "breached")
        {
            parts.Add(HandoffIndex.BreachedFilter(now));
        }
        else if (filter.Sla == "at-risk")
        {
            parts.Add(HandoffIndex.AtRiskFilter(now));
        }

        return parts.Count == 0 ? HandoffIndex.OnlyItems : string.Join(" and ", parts.Select(p => $"({p})"));
    }

    /// <summary>The SLA standing of one handoff now: "breached" when a clock is past its target, "at-risk" within the warning time, "met" when resolved in time, else "ok".</summary>
    public async Task<HandoffView> ViewAsync(HandoffRecord h, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.Sla is not { } sla)
        {
            return new HandoffView(h, h.IsResolved ? "met" : "ok", SlaStatus.OnTrack, SlaStatus.OnTrack, _atRiskWithin, null);
        }

        var calendar = await index.CalendarAsync(sla, cancellationToken).ConfigureAwait(false);
        var warn = sla.WarnBefore > TimeSpan.Zero ? sla.WarnBefore : _atRiskWithin;
        var first = sla.FirstResponse.Status(calendar, now, warn);
        var resolution = sla.Resolution.Status(calendar, now, warn);
        var state = (first, resolution) switch
        {
            _ when first is SlaStatus.Breached or SlaStatus.MissedButDone || resolution is SlaStatus.Breached or SlaStatus.MissedButDone => "breached",
            _ when first == SlaStatus.AtRisk || resolution == SlaStatus.AtRisk => "at-risk",
            _ when h.IsResolved => "met",
            _ => "ok",
        };
        return new HandoffView(h, state, first, resolution, warn, calendar);
    }

    public Task<HandoffView> ViewAsync(HandoffRecord h, CancellationToken cancellationToken) => ViewAsync(h, timeProvider.GetUtcNow(), cancellationToken);

    private static bool Matches(HandoffRecord h, QueueFilter filter, Caller caller)
    {
        var statusOk = filter.Status switch
        {
            "unclaimed" => h.Assignee is null,
            "claimed" => h.Assignee is not null,
            "waiting" => h.IsWaiting,
            _ => true,
        };
        var assigneeOk = filter.Assignee switch
        {
            null => true,
            "none" => h.Assignee is null,
            "me" => h.Assignee is { } a && WorkRules.SameName(a, caller.Id),
            var name => h.Assignee is { } a && WorkRules.SameName(a, name),
        };
        return statusOk
            && assigneeOk
            && (filter.Priority is null || h.Priority == filter.Priority)
            && (filter.Source is null || string.Equals(h.Source, filter.Source, StringComparison.OrdinalIgnoreCase));
    }
}
