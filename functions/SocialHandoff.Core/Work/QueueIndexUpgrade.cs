using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Work;

/// <summary>
/// Brings every team's queue index to the current layout (<see cref="HandoffIndex.CurrentLayout"/>) after a
/// deployment, without anyone calling the repair: rows an earlier version wrote (without the clocks' outcomes,
/// so in no day tally, or without breach rows) would be left out of the date-range reports and the breaches list. Rows are rewritten one by one through the
/// index's conditional writes, so deliveries and actions can go on beside it (<see cref="HandoffIndex.UpgradeLayoutAsync"/>).
/// Run by the SLA sweep after its own work, at most <see cref="Budget"/> a run, so a large backlog never holds
/// the sweep up: a team not finished carries on at the next run. Each team is checked once per process (two
/// reads); one whose upgrade fails is tried again at the next run.
/// </summary>
public sealed partial class QueueIndexUpgrade(TeamDirectory directory, HandoffIndex index, SlaDueIndex dueIndex, TimeProvider timeProvider, ILogger<QueueIndexUpgrade> logger)
{
    /// <summary>How long one run may rewrite rows.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, bool> _current = new(StringComparer.Ordinal);
    private IReadOnlyList<string>? _indexed;

    /// <summary>Upgrades the teams (deleted ones too: their history stays readable) that an earlier version wrote; returns how many it finished.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var until = timeProvider.GetUtcNow() + Budget;
        var snapshot = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        // Teams in the index that the directory does not name (routed to by an earlier rule set) are upgraded too;
        // read once per process: a partition made later is in the current layout from its first row.
        _indexed ??= await index.IndexedTeamsAsync(cancellationToken).ConfigureAwait(false);
        var upgraded = 0;
        foreach (var team in snapshot.Teams.Keys.Concat(snapshot.Deleted).Concat(_indexed).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (_current.ContainsKey(team))
            {
                continue;
            }

            try
            {
                if (!await index.NeedsLayoutUpgradeAsync(team, cancellationToken).ConfigureAwait(false))
                {
                    _current[team] = true;
                    continue;
                }

                if (timeProvider.GetUtcNow() >= until)
                {
                    break;
                }

                if (await index.UpgradeLayoutAsync(team, CalendarOfAsync, until, timeProvider, cancellationToken).ConfigureAwait(false))
                {
                    _current[team] = true;
                    upgraded++;
                    LogUpgraded(team, HandoffIndex.CurrentLayout);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUpgradeFailed(ex, team);
            }
        }

        return upgraded;
    }

    private async Task<BusinessCalendar?> CalendarOfAsync(HandoffRecord h, CancellationToken cancellationToken) =>
        h.Sla is { } sla ? await dueIndex.CalendarAsync(sla, cancellationToken).ConfigureAwait(false) : null;

    [LoggerMessage(EventId = 1620, EventName = "QueueIndexUpgraded", Level = LogLevel.Information,
        Message = "Queue index of {Team} brought to layout {Layout}: the rows an earlier version wrote now count in the day tallies and the breaches list")]
    private partial void LogUpgraded(string team, int layout);

    [LoggerMessage(EventId = 1621, EventName = "QueueIndexUpgradeFailed", Level = LogLevel.Warning,
        Message = "Queue index of {Team}: bringing it to the current layout failed; the next sweep tries again")]
    private partial void LogUpgradeFailed(Exception exception, string team);
}
