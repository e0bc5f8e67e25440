using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Work;

/// <summary>A handoff with its SLA standing at the moment it was read, the warning time its clocks are judged by, and their calendar (null without SLA state).</summary>
public sealed record HandoffView(HandoffRecord Handoff, string SlaState, SlaStatus FirstResponse, SlaStatus Resolution, TimeSpan WarnBefore, BusinessCalendar? Calendar);

/// <summary>Filters of a team queue; null means any.</summary>
public sealed record QueueFilter(string Status = "open", string? Assignee = null, string? Priority = null, string? Source = null, string? Sla = null, int Page = 1, int PageSize = 25)
{
    public static readonly IReadOnlyList<string> Statuses = ["open", "unclaimed", "claimed", "waiting", "resolved", "all"];
    public static readonly IReadOnlyList<string> SlaStates = ["breached", "at-risk"];
}

public sealed record QueuePage(string Team, int Page, int PageSize, int Total, IReadOnlyList<HandoffView> Items);

/// <summary>
/// Reads for the work API: a team's queue and the SLA standing of each item. The queue is a
/// filtered query on Handoffs (Team and Status are server-side filters; a team's open items are a
/// few hundred rows at most), then sorted most urgent first and paged in memory.
/// </summary>
public sealed class WorkQueries(StorageClients clients, SlaDueIndex index, IOptions<ApiOptions> options, TimeProvider timeProvider)
{
    private readonly TimeSpan _atRiskWithin = options.Value.AtRiskWithin;

    public async Task<QueuePage> QueueAsync(string team, QueueFilter filter, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(caller);
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var query = filter.Status switch
        {
            "resolved" => TableClient.CreateQueryFilter($"Team eq {team} and Status eq {HandoffStore.StatusResolved}"),
            "all" => TableClient.CreateQueryFilter($"Team eq {team}"),
            _ => TableClient.CreateQueryFilter($"Team eq {team} and Status ne {HandoffStore.StatusResolved}"),
        };
        var now = timeProvider.GetUtcNow();
        var views = new List<HandoffView>();
        await foreach (var row in table.QueryAsync<TableEntity>(query, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var h = HandoffRecord.FromEntity(row);
            if (!Matches(h, filter, caller))
            {
                continue;
            }

            var view = await ViewAsync(h, now, cancellationToken).ConfigureAwait(false);
            if (filter.Sla is null || view.SlaState == filter.Sla)
            {
                views.Add(view);
            }
        }

        var ordered = views
            .OrderByDescending(v => v.Handoff.Urgency)
            .ThenBy(v => NextDue(v.Handoff) ?? DateTimeOffset.MaxValue)
            .ThenBy(v => v.Handoff.CreatedAt)
            .ThenBy(v => v.Handoff.Id, StringComparer.Ordinal)
            .ToList();
        var page = ordered.Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize).ToList();
        return new QueuePage(team, filter.Page, filter.PageSize, ordered.Count, page);
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

    private static DateTimeOffset? NextDue(HandoffRecord h) =>
        h.FirstResponseDueAt is { } first && (h.ResolutionDueAt is not { } res || first <= res) ? first : h.ResolutionDueAt;

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
