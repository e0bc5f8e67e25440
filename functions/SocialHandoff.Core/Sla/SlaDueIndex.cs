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
/// The SLA due rows, how the sweep finds work without reading every handoff: one row per pending step
/// of a running clock, kept in its team's open partition of <c>HandoffIndex</c> (PartitionKey
/// "team|open", RowKey "~due-yyyyMMddHHmm-handoff-clock-generation-step": after the queue's rows
/// and its count row, so a queue read never sees them). The sweep asks for RowKeys up to the current
/// UTC minute, so it reads only rows that are due. Living in the team's partition, a new handoff's
/// due rows go in the same transaction as its queue index row. Rows are added on create, move,
/// resume and after each step, idempotently; a row that no longer matches its handoff (paused,
/// answered, moved, stepped on) is recognised by the sweep and dropped, so changes never have to
/// find and delete it.
/// </summary>
public sealed class SlaDueIndex(StorageClients clients, LivePolicies policies, IOptions<SlaOptions> options)
{
    private readonly SlaOptions _options = options.Value;
    private readonly GroupCommit<TableEntity> _schedule = new((_, rows) => UpsertAllAsync(clients, rows));

    /// <summary>Where due rows start in a team's partition (after the queue's rows and its count row).</summary>
    public const string RowPrefix = "~due-";

    public static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>The step's identity (also its notification id): handoff-clock-generation-step.</summary>
    public static string RowKey(string handoffId, ClockKind clock, int generation, int step) =>
        string.Create(CultureInfo.InvariantCulture, $"{handoffId}-{HandoffSla.Key(clock)}-g{generation}-s{step}");

    /// <summary>The due row of one step of a clock of <paramref name="team"/>'s handoff, falling due at <paramref name="at"/>.</summary>
    public static SlaDueRow Due(string team, string handoffId, ClockKind clock, int generation, int step, DateTimeOffset at) =>
        new(Handoffs.HandoffIndex.Partition(team, false), RowPrefix + Bucket(at) + "-" + RowKey(handoffId, clock, generation, step), handoffId, clock, generation, step, at);

    /// <summary>The next pending step of each running clock.</summary>
    public IReadOnlyList<SlaDueRow> Pending(string handoffId, HandoffSla sla, BusinessCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(sla);
        var rows = new List<SlaDueRow>(2);
        foreach (var clock in new[] { ClockKind.FirstResponse, ClockKind.Resolution })
        {
            if (StepTime(sla, clock, sla.Step(clock), calendar) is { } at)
            {
                rows.Add(Due(sla.Team, handoffId, clock, sla.Generation, sla.Step(clock), at));
            }
        }

        return rows;
    }

    /// <summary>The calendar a handoff's clocks count in (its team's or its policy's, as recorded on it), from the policy-set version it is timed by.</summary>
    public async Task<BusinessCalendar> CalendarAsync(HandoffSla sla, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sla);
        var book = await policies.GetSlaAsync(sla.PolicyVersion, cancellationToken).ConfigureAwait(false);
        return book.CalendarFor(sla);
    }

    public IReadOnlyList<EscalationLevel> Levels => _options.Levels;

    public DateTimeOffset? StepTime(HandoffSla sla, ClockKind clock, int step, BusinessCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(sla);
        return sla.StepTime(clock, step, calendar, [.. _options.Levels.Select(l => l.After)], _options.OutsideHours == OutsideHoursMode.HoldUntilOpen);
    }

    /// <summary>Adds the next pending step of each running clock (upserts: a row's columns follow from its key, so writing it again changes nothing).</summary>
    public async Task ScheduleAsync(string handoffId, HandoffSla sla, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sla);
        var calendar = await CalendarAsync(sla, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Pending(handoffId, sla, calendar).Select(r => _schedule.AddAsync(r.PartitionKey, Entity(r), cancellationToken))).ConfigureAwait(false);
    }

    public async Task AddAsync(SlaDueRow row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(Entity(row), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    /// <summary>A due row as stored.</summary>
    public static TableEntity Entity(SlaDueRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.PartitionKey, row.RowKey)
    {
        ["HandoffId"] = row.HandoffId,
        ["Clock"] = HandoffSla.Key(row.Clock),
        ["Generation"] = row.Generation,
        ["Step"] = row.Step,
        ["At"] = row.At,
        };
    }

    private static async Task UpsertAllAsync(StorageClients clients, IReadOnlyList<TableEntity> rows)
    {
        var table = await clients.GetTableAsync(StorageNames.HandoffIndexTable, CancellationToken.None).ConfigureAwait(false);
        var distinct = rows.GroupBy(r => r.RowKey, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        if (distinct.Count == 1)
        {
            await table.UpsertEntityAsync(distinct[0], TableUpdateMode.Replace, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await table.SubmitTransactionAsync(distinct.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Every row due at <paramref name="asOf"/> (its minute included), team by team.</summary>
    public async IAsyncEnumerable<SlaDueRow> DueAsync(DateTimeOffset asOf, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {RowPrefix} and RowKey le {RowPrefix + Bucket(asOf) + "~"}");
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

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.HandoffIndexTable, cancellationToken);
}
