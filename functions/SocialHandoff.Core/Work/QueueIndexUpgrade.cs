using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Work;

/// <summary>
/// Brings every team's queue index to the current layout (<see cref="HandoffIndex.CurrentLayout"/>) after a
/// deployment, without anyone calling the repair: a partition an earlier version wrote (rows without the
/// clocks' at-risk windows and outcomes, days without tallies) would leave its handoffs out of the at-risk
/// and date-range reports. Run by the SLA sweep; each team is checked once per process (two reads), and
/// one whose check or repair fails is tried again at the next sweep.
/// </summary>
public sealed partial class QueueIndexUpgrade(TeamDirectory directory, HandoffIndex index, WorkQueries queries, ILogger<QueueIndexUpgrade> logger)
{
    private readonly ConcurrentDictionary<string, bool> _current = new(StringComparer.Ordinal);

    /// <summary>Repairs the teams (deleted ones too: their history stays readable) whose partitions are in an older layout; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var repaired = 0;
        foreach (var team in snapshot.Teams.Keys.Concat(snapshot.Deleted).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (_current.ContainsKey(team))
            {
                continue;
            }

            try
            {
                if (await index.NeedsLayoutRepairAsync(team, cancellationToken).ConfigureAwait(false))
                {
                    var (changed, open, resolved) = await queries.RepairIndexAsync(team, cancellationToken).ConfigureAwait(false);
                    LogUpgraded(team, HandoffIndex.CurrentLayout, changed, open, resolved);
                    repaired++;
                }

                _current[team] = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUpgradeFailed(ex, team);
            }
        }

        return repaired;
    }

    [LoggerMessage(EventId = 1620, EventName = "QueueIndexUpgraded", Level = LogLevel.Information,
        Message = "Queue index of {Team} rebuilt in layout {Layout} (written by an earlier version): {Changed} rows changed, {Open} open, {Resolved} resolved")]
    private partial void LogUpgraded(string team, int layout, int changed, int open, int resolved);

    [LoggerMessage(EventId = 1621, EventName = "QueueIndexUpgradeFailed", Level = LogLevel.Warning,
        Message = "Queue index of {Team}: bringing it to the current layout failed; the next sweep tries again")]
    private partial void LogUpgradeFailed(Exception exception, string team);
}
