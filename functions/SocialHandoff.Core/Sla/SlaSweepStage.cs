using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Assignment;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Sla;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(
    int RowsRead, int Warnings, int Breaches, int Escalations, int Rescheduled, int Sent, int Failed, int Unconfirmed, int NoTarget, int Dropped, bool StatsRecomputed)
{
    public static SweepResult operator +(SweepResult a, SweepResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.RowsRead + b.RowsRead, a.Warnings + b.Warnings, a.Breaches + b.Breaches, a.Escalations + b.Escalations, a.Rescheduled + b.Rescheduled,
            a.Sent + b.Sent, a.Failed + b.Failed, a.Unconfirmed + b.Unconfirmed, a.NoTarget + b.NoTarget, a.Dropped + b.Dropped, a.StatsRecomputed || b.StatsRecomputed);
    }

    public static SweepResult Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
}

/// <summary>
/// The SlaSweep stage (timer, every minute). Reads only the due rows (<see cref="SlaDueIndex"/>), and for each
/// pending step of a running clock: step 0 warns (skipped when the breach is also due), step 1 is
/// the breach (first escalation level), steps 2.. the further levels. Per step, in this order: the
/// audit event (HandoffEvents, fixed RowKey, so the escalation record exists before anything is
/// sent), the notice through the outbox (sent once), the handoff's step moved on with its ETag,
/// the next step's row added, this row deleted. A crash anywhere is finished by the next sweep
/// with nothing sent twice. Rows are handled in parallel; a slow or dead webhook is bounded by
/// Sla:DeliveryTimeout and holds up only its own row.
/// </summary>
public sealed partial class SlaSweepStage(
    StorageClients clients,
    SlaDueIndex index,
    NotificationOutbox outbox,
    DailyStatsStage stats,
    AutoAssignment assignment,
    IOptions<SlaOptions> options,
    TimeProvider timeProvider,
    ILogger<SlaSweepStage> logger)
{
    public const string WarningEvent = "SlaWarning";
    public const string BreachEvent = "SlaBreached";
    public const string EscalationEvent = "SlaEscalated";

    private readonly SlaOptions _options = options.Value;
    private DateTimeOffset _statsAt = DateTimeOffset.MinValue;

    /// <summary>Sweeps as of now.</summary>
    public Task<SweepResult> RunAsync(CancellationToken cancellationToken) => RunAsync(timeProvider.GetUtcNow(), cancellationToken);

    /// <summary>Sweeps as of <paramref name="asOf"/> (the local runner's --once uses it to simulate the next hour).</summary>
    public async Task<SweepResult> RunAsync(DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        using var activity = SocialHandoffTelemetry.ActivitySource.StartActivity("SlaSweep");
        activity?.SetTag("socialhandoff.sla.as_of", asOf.ToString("O", CultureInfo.InvariantCulture));
        var rows = new List<SlaDueRow>();
        await foreach (var row in index.DueAsync(asOf, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        var total = SweepResult.Empty with { RowsRead = rows.Count };
        var gate = new object();
        await Parallel.ForEachAsync(
            rows.OrderBy(r => r.At),
            new ParallelOptions { MaxDegreeOfParallelism = _options.SweepParallelism, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                SweepResult result;
                try
                {
                    result = await HandleAsync(row, asOf, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // One bad row must not stop the others; it stays due and the next sweep retries it.
                    LogRowFailed(ex, row.RowKey);
                    return;
                }

                lock (gate)
                {
                    total += result;
                }
            }).ConfigureAwait(false);

        if (_options.StatsInterval > TimeSpan.Zero && asOf - _statsAt >= _options.StatsInterval)
        {
            var today = DateOnly.FromDateTime(asOf.UtcDateTime);
            await stats.RecomputeStatsAsync(null, today.AddDays(-1), today, asOf, cancellationToken).ConfigureAwait(false);
            _statsAt = asOf;
            total = total with { StatsRecomputed = true };
        }

        // Whatever a lost trigger left waiting in a team with auto-assignment is assigned within a sweep.
        await assignment.SweepAsync(cancellationToken).ConfigureAwait(false);
        LogSwept(asOf, total.RowsRead, total.Warnings, total.Breaches, total.Escalations, total.Sent, total.Failed);
        activity?.SetTag("socialhandoff.sla.rows", total.RowsRead);
        activity?.SetTag("socialhandoff.sla.breaches", total.Breaches);
        return total;
    }

    private async Task<SweepResult> HandleAsync(SlaDueRow row, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var handoffs = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var result = SweepResult.Empty;
        while (true)
        {
            var found = await handoffs.GetEntityIfExistsAsync<TableEntity>(row.HandoffId, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!found.HasValue || found.Value!.GetString(HandoffRow.Sla) is not { } json)
            {
                await index.DeleteAsync(row, cancellationToken).ConfigureAwait(false);
                return result with { Dropped = result.Dropped + 1 };
            }

            var handoff = found.Value;
            var sla = HandoffSla.FromJson(json);
            var step = sla.Step(row.Clock);
            var calendar = await index.CalendarAsync(sla, cancellationToken).ConfigureAwait(false);
            if (sla.Generation != row.Generation || step != row.Step)
            {
                // Moved or stepped on since this row was written: make sure the current step is indexed, drop this one.
                await index.ScheduleAsync(row.HandoffId, sla, cancellationToken).ConfigureAwait(false);
                await index.DeleteAsync(row, cancellationToken).ConfigureAwait(false);
                return result with { Dropped = result.Dropped + 1 };
            }

            var at = index.StepTime(sla, row.Clock, step, calendar);
            if (at is null)
            {
                // Paused (resume indexes it again), stopped, or past the last level.
                await index.DeleteAsync(row, cancellationToken).ConfigureAwait(false);
                return result with { Dropped = result.Dropped + 1 };
            }

            if (at.Value > asOf)
            {
                var next = SlaDueIndex.Due(sla.Team, row.HandoffId, row.Clock, row.Generation, row.Step, at.Value);
                if (next.PartitionKey != row.PartitionKey || next.RowKey != row.RowKey)
                {
                    await index.AddAsync(next, cancellationToken).ConfigureAwait(false);
                    await index.DeleteAsync(row, cancellationToken).ConfigureAwait(false);
                }

                return result with { Rescheduled = result.Rescheduled + (row.At < at.Value ? 1 : 0) };
            }

            var clock = sla.Clock(row.Clock);
            var dueAt = clock.DueAt(calendar)!.Value;
            var levels = index.Levels;
            var (type, level) = step == 0 ? (WarningEvent, "warning") : (step == 1 ? BreachEvent : EscalationEvent, levels[step - 1].Name);
            var notify = step > 0 || dueAt > asOf;
            if (await AppendEventAsync(row, sla, type, level, at.Value, dueAt, asOf, notify, cancellationToken).ConfigureAwait(false))
            {
                CountStep(type, sla, row.Clock, notify);
            }

            if (type == BreachEvent)
            {
                LogBreached(row.Clock.ToString(), row.HandoffId, dueAt);
            }
            result = type switch
            {
                WarningEvent => result with { Warnings = result.Warnings + (notify ? 1 : 0) },
                BreachEvent => result with { Breaches = result.Breaches + 1 },
                _ => result with { Escalations = result.Escalations + 1 },
            };

            if (notify)
            {
                var outcome = await outbox.DeliverAsync(Notice(row, handoff, sla, type, level, dueAt), cancellationToken).ConfigureAwait(false);
                result = result with
                {
                    Sent = result.Sent + outcome.Sent,
                    Failed = result.Failed + outcome.Failed,
                    Unconfirmed = result.Unconfirmed + outcome.Unconfirmed,
                    NoTarget = result.NoTarget + outcome.NoTarget,
                };
            }

            var advanced = sla.WithStep(row.Clock, step + 1);
            var update = HandoffRow.SlaStep(row.HandoffId, advanced, row.Clock, step, level);
            try
            {
                await handoffs.UpdateEntityAsync(update, handoff.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Someone changed the handoff meanwhile (an agent answered, the other clock's row): read it again.
                continue;
            }

            if (index.StepTime(advanced, row.Clock, step + 1, calendar) is { } nextAt)
            {
                await index.AddAsync(
                    SlaDueIndex.Due(sla.Team, row.HandoffId, row.Clock, sla.Generation, step + 1, nextAt),
                    cancellationToken).ConfigureAwait(false);
            }

            await index.DeleteAsync(row, cancellationToken).ConfigureAwait(false);
            if (index.StepTime(advanced, row.Clock, step + 1, calendar) is { } later && later <= asOf)
            {
                row = SlaDueIndex.Due(sla.Team, row.HandoffId, row.Clock, sla.Generation, step + 1, later);
                continue;
            }

            return result;
        }
    }

    /// <summary>Counts a step once: only the sweep that wrote its audit event (a retry finds it, 409) counts it.</summary>
    private static void CountStep(string type, HandoffSla sla, ClockKind clock, bool notified)
    {
        var counter = type switch
        {
            WarningEvent when notified => SocialHandoffTelemetry.SlaWarnings,
            WarningEvent => null,
            BreachEvent => SocialHandoffTelemetry.SlaBreaches,
            _ => SocialHandoffTelemetry.SlaEscalations,
        };
        counter?.Add(1, new System.Diagnostics.TagList
        {
            { SocialHandoffTelemetry.Tags.Team, sla.Team },
            { SocialHandoffTelemetry.Tags.Priority, sla.Priority },
            { SocialHandoffTelemetry.Tags.Clock, HandoffSla.Key(clock) },
        });
    }

    /// <summary>Writes the step's audit event; false when it was there already (an earlier sweep wrote it).</summary>
    private async Task<bool> AppendEventAsync(SlaDueRow row, HandoffSla sla, string type, string level, DateTimeOffset at, DateTimeOffset dueAt, DateTimeOffset asOf, bool notified, CancellationToken cancellationToken)
    {
        var events = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(row.HandoffId, string.Create(CultureInfo.InvariantCulture, $"sla-{HandoffSla.Key(row.Clock)}-g{sla.Generation}-s{row.Step}"))
        {
            ["Type"] = type,
            ["At"] = at,
            ["Actor"] = "sla-sweep",
            ["Clock"] = HandoffSla.Key(row.Clock),
            ["Level"] = level,
            ["Team"] = sla.Team,
            ["DueAt"] = dueAt,
            ["SweptAt"] = asOf,
            ["Notified"] = notified,
            ["NotificationId"] = NotificationId(row, sla),
        };
        try
        {
            await events.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private static string NotificationId(SlaDueRow row, HandoffSla sla) => SlaDueIndex.RowKey(row.HandoffId, row.Clock, sla.Generation, row.Step);

    private EscalationNotice Notice(SlaDueRow row, TableEntity handoff, HandoffSla sla, string type, string level, DateTimeOffset dueAt)
    {
        var reasons = HandoffRow.ReasonTexts(handoff);
        var what = (row.Clock == ClockKind.FirstResponse ? "First response " : "Resolution ") + type switch
        {
            WarningEvent => "at risk",
            BreachEvent => "breached",
            _ => "escalated",
        };
        return new EscalationNotice(
            NotificationId(row, sla), row.HandoffId, sla.Team, what, level,
            handoff.GetString(HandoffRow.Text) ?? "", handoff.GetString(HandoffRow.Url), sla.Priority,
            handoff.GetInt32(HandoffRow.Urgency) ?? 0, handoff.GetDouble(HandoffRow.SentimentCompound) ?? 0, reasons, dueAt,
            new Uri(_options.LinkBaseUrl, Uri.EscapeDataString(row.HandoffId)));
    }

    [LoggerMessage(EventId = 1502, EventName = "SlaBreached", Level = LogLevel.Information, Message = "SLA breached: {Clock} clock of handoff {HandoffId} was due {DueAt}")]
    private partial void LogBreached(string clock, string handoffId, DateTimeOffset dueAt);

    [LoggerMessage(EventId = 1500, EventName = "SlaSwept", Level = LogLevel.Information, Message = "SLA sweep as of {AsOf}: {Rows} due rows, {Warnings} warnings, {Breaches} breaches, {Escalations} escalations, {Sent} sent, {Failed} failed")]
    private partial void LogSwept(DateTimeOffset asOf, int rows, int warnings, int breaches, int escalations, int sent, int failed);

    [LoggerMessage(EventId = 1501, EventName = "SlaRowFailed", Level = LogLevel.Warning, Message = "SLA sweep could not handle {Row}; it stays due and the next sweep retries it")]
    private partial void LogRowFailed(Exception exception, string row);
}
