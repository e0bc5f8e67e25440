using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Sla;

/// <summary>One pending SLA step: handoff, clock, generation, step, and when it falls due.</summary>
public sealed record SlaDueRow(string PartitionKey, string RowKey, string HandoffId, ClockKind Clock, int Generation, int Step, DateTimeOffset At);

/// <summary>
/// The table <c>SlaDue</c>, how the sweep finds work without reading every handoff: one row per
/// pending step of a running clock, PartitionKey the UTC minute it falls due (yyyyMMddHHmm),
/// RowKey handoff-clock-generation-step. The sweep asks for PartitionKey &lt;= the current minute,
/// so it reads only rows that are due. Rows are added on create, move, resume and after each step,
/// with insert-409-is-done; a row that no longer matches its handoff (paused, answered, moved,
/// stepped on) is recognised by the sweep and dropped, so changes never have to find and delete it.
/// </summary>
public sealed class SlaDueIndex(StorageClients clients, LivePolicies policies, IOptions<SlaOptions> options)
{
    private readonly SlaOptions _options = options.Value;

    public static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public static string RowKey(string handoffId, ClockKind clock, int generation, int step) =>
        string.Create(CultureInfo.InvariantCulture, $"{handoffId}-{HandoffSla.Key(clock)}-g{generation}-s{step}");

    /// <summary>The calendar a handoff's clocks count in: its policy, from the policy-set version it is timed by.</summary>
    public async Task<BusinessCalendar> CalendarAsync(HandoffSla sla, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sla);
        var book = await policies.GetSlaAsync(sla.PolicyVersion, cancellationToken).ConfigureAwait(false);
        return book.Resolve(sla.Team, sla.Priority, sla.PolicyName).Calendar;
    }

    public IReadOnlyList<EscalationLevel> Levels => _options.Levels;

    public DateTimeOffset? StepTime(HandoffSla sla, ClockKind clock, int step, BusinessCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(sla);
        return sla.StepTime(clock, step, calendar, [.. _options.Levels.Select(l => l.After)], _options.OutsideHours == OutsideHoursMode.HoldUntilOpen);
    }

    /// <summary>Adds the next pending step of each running clock (inserts; 409 = already there).</summary>
    public async Task ScheduleAsync(string handoffId, HandoffSla sla, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sla);
        var calendar = await CalendarAsync(sla, cancellationToken).ConfigureAwait(false);
        foreach (var clock in new[] { ClockKind.FirstResponse, ClockKind.Resolution })
        {
            if (StepTime(sla, clock, sla.Step(clock), calendar) is { } at)
            {
                await AddAsync(new SlaDueRow(Bucket(at), RowKey(handoffId, clock, sla.Generation, sla.Step(clock)), handoffId, clock, sla.Generation, sla.Step(clock), at), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task AddAsync(SlaDueRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(row.PartitionKey, row.RowKey)
                {
                    ["HandoffId"] = row.HandoffId,
                    ["Clock"] = HandoffSla.Key(row.Clock),
                    ["Generation"] = row.Generation,
                    ["Step"] = row.Step,
                    ["At"] = row.At,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    /// <summary>Every row due at <paramref name="asOf"/> (its minute included), oldest minute first.</summary>
    public async IAsyncEnumerable<SlaDueRow> DueAsync(DateTimeOffset asOf, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(asOf)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new SlaDueRow(
                e.PartitionKey, e.RowKey, e.GetString("HandoffId") ?? "",
                e.GetString("Clock") == "fr" ? ClockKind.FirstResponse : ClockKind.Resolution,
                e.GetInt32("Generation") ?? 0, e.GetInt32("Step") ?? 0, e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue);
        }
    }

    public async Task DeleteAsync(SlaDueRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.SlaDueTable, cancellationToken);
}
