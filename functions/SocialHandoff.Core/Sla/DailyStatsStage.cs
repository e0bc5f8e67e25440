using System.Globalization;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Sla;

/// <summary>One team's day in <c>DailyStats</c> (PartitionKey team, RowKey yyyy-MM-dd, UTC days).</summary>
public sealed record DailyStats(
    string Team,
    DateOnly Day,
    int Received,
    int FirstResponded,
    int FirstResponseMet,
    int FirstResponseBreached,
    int ResolutionMet,
    int ResolutionBreached,
    double? MedianFirstResponseMinutes,
    double? P90FirstResponseMinutes);

/// <summary>
/// Recomputes per team per day statistics from the audit events alone (the event rows of Handoffs), replaying
/// every handoff's clocks under the policy set in force now, so a corrected calendar gives corrected
/// history. A handoff counts for the day it was created and the team that holds it at the end of its
/// events. First-response time is business time on the policy's calendar (the team's, when the directory gives it one); met / breached counts a
/// stopped clock by its elapsed time and a running one as breached once past its target at
/// <c>asOf</c>. Rows are replaced whole, so a rerun is idempotent.
/// </summary>
public sealed class DailyStatsStage(StorageClients clients, LivePolicies policies, TeamDirectory directory)
{
    public async Task<IReadOnlyList<DailyStats>> RecomputeStatsAsync(string? team, DateOnly from, DateOnly to, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var book = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);

        // The directory as it is now too: a team's corrected calendar corrects its history like a corrected policy does.
        var teams = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var events = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var created = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {HandoffStore.CreatedEventRowKey} and At ge {start} and At lt {end}");
        await foreach (var e in events.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            created.Add(e);
        }

        var samples = new Dictionary<(string Team, DateOnly Day), List<(SlaClock Fr, SlaClock Res, BusinessCalendar Calendar)>>();
        foreach (var c in created)
        {
            var history = new List<TableEntity>();
            await foreach (var e in events.QueryAsync<TableEntity>(x => x.PartitionKey == c.PartitionKey, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                history.Add(e);
            }

            var createdAt = c.GetDateTimeOffset("At")!.Value;
            var priority = c.GetString("Priority") ?? "P4";
            var sla = HandoffSla.Start(c.GetString("Team") ?? "care", priority, book.Resolve(c.GetString("Team") ?? "care", priority, c.GetString("SlaPolicy")), createdAt);
            foreach (var e in history.Where(e => HandoffRow.IsEvent(e) && e.RowKey != HandoffStore.CreatedEventRowKey).OrderBy(e => e.GetDateTimeOffset("At")))
            {
                var at = e.GetDateTimeOffset("At") ?? createdAt;
                sla = e.GetString("Type") switch
                {
                    WorkRules.Responded => sla.Respond(at),
                    WorkRules.Paused => sla.Pause(at),
                    WorkRules.Resumed => sla.Resume(at),
                    WorkRules.Resolved => sla.Resolve(at),
                    WorkRules.Moved when e.GetString("Team") is { } moved && moved != sla.Team => sla.MoveTo(moved, book.Resolve(moved, sla.Priority, teamDefaults: teams.SlaDefaults(moved))),
                    _ => sla,
                };
            }

            if (team is not null && sla.Team != team)
            {
                continue;
            }

            var calendar = book.Resolve(sla.Team, sla.Priority, sla.PolicyName, teams.SlaDefaults(sla.Team)).Calendar;
            var key = (sla.Team, DateOnly.FromDateTime(createdAt.UtcDateTime));
            if (!samples.TryGetValue(key, out var list))
            {
                samples[key] = list = [];
            }

            list.Add((sla.FirstResponse, sla.Resolution, calendar));
        }

        var stats = new List<DailyStats>();
        var table = await clients.GetTableAsync(StorageNames.DailyStatsTable, cancellationToken).ConfigureAwait(false);
        foreach (var ((t, day), list) in samples.OrderBy(kv => kv.Key.Team, StringComparer.Ordinal).ThenBy(kv => kv.Key.Day))
        {
            var responded = list.Where(s => s.Fr.StoppedAt is not null).ToList();
            var times = responded.Select(s => s.Fr.Elapsed(s.Calendar, s.Fr.StoppedAt!.Value).TotalMinutes).Order().ToArray();
            var row = new DailyStats(
                t, day, list.Count, responded.Count,
                list.Count(s => s.Fr.Status(s.Calendar, asOf, TimeSpan.Zero) == SlaStatus.Met),
                list.Count(s => s.Fr.Status(s.Calendar, asOf, TimeSpan.Zero) is SlaStatus.Breached or SlaStatus.MissedButDone),
                list.Count(s => s.Res.Status(s.Calendar, asOf, TimeSpan.Zero) == SlaStatus.Met),
                list.Count(s => s.Res.Status(s.Calendar, asOf, TimeSpan.Zero) is SlaStatus.Breached or SlaStatus.MissedButDone),
                Percentile(times, 0.5), Percentile(times, 0.9));
            stats.Add(row);
            await table.UpsertEntityAsync(
                new TableEntity(t, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                {
                    ["Received"] = row.Received,
                    ["FirstResponded"] = row.FirstResponded,
                    ["FirstResponseMet"] = row.FirstResponseMet,
                    ["FirstResponseBreached"] = row.FirstResponseBreached,
                    ["ResolutionMet"] = row.ResolutionMet,
                    ["ResolutionBreached"] = row.ResolutionBreached,
                    ["MedianFirstResponseMinutes"] = row.MedianFirstResponseMinutes,
                    ["P90FirstResponseMinutes"] = row.P90FirstResponseMinutes,
                    ["PolicySetVersion"] = book.Set.Version,
                    ["ComputedAt"] = asOf,
                },
                TableUpdateMode.Replace,
                cancellationToken).ConfigureAwait(false);
        }

        return stats;
    }

    /// <summary>Nearest-rank percentile of sorted values; null when there are none.</summary>
    internal static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
