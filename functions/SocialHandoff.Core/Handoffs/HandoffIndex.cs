using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Handoffs;

/// <summary>Where a handoff sits in <c>HandoffIndex</c>.</summary>
public sealed record IndexKey(string Partition, string Row);

/// <summary>A new handoff's index row and the rows that go in the same transaction with it (its SLA due rows and breach rows, upserted).</summary>
internal sealed record IndexWrite(TableEntity Row, IReadOnlyList<TableEntity> With);

/// <summary>
/// The table <c>HandoffIndex</c>: each team's queue, kept per team and status (PartitionKey
/// "team|open" or "team|resolved") in priority then due order (RowKey "p-dueseconds-id": P1 first, then
/// the earliest running due time), each row a copy of its handoff's columns plus the filter columns
/// (Source, Waiting, NextDueAt, AtRiskFrom, Late, and each clock's at-risk window). A queue page is a range read of one partition and
/// the partition's count row (<see cref="CountRowKey"/>, changed in the same transaction as every
/// insert and delete), so it costs the same at 50,000 open as at 1,000. Beside the count row, a
/// <see cref="DayTally"/> per UTC day of creation (in shards of bounded size, so a viral day never passes
/// an entity's limits) sums the SLA standing of the rows created that day for the date-range reports; every write that adds, replaces or deletes a row changes its day's tally by
/// the new row's share less the old row's in the same transaction (the old row read first and the write
/// made conditional on its ETag), so a tally stays exact through crashes and redeliveries. Beside them,
/// each clock that is or will be breached has a breach row (<see cref="SlaBreachRows"/>) for the breaches
/// report; a write deletes the replaced row's breach rows and writes the new row's in the same transaction.
/// New handoffs are added by group commit (concurrent deliveries share one transaction per
/// partition, with their SLA due rows, which live in the same partition: <see cref="SlaDueIndex"/>);
/// inserts treat an existing row as done, so redeliveries never count twice. The index
/// row of a new handoff is written after its team message is sent, which makes it the mark that the
/// mention was handed off. <see cref="RepairAsync"/> rebuilds a team's partitions from the Handoffs
/// rows (after a crash between a handoff's two partitions, or a message poisoned half way).
/// </summary>
public sealed class HandoffIndex
{
    public const string CountRowKey = "~count";
    public const string OpenStatus = "open";
    public const string ResolvedStatus = "resolved";
    private const string CountColumn = "Count";

    /// <summary>
    /// The layout a partition's count row vouches for: 3, every row carries its clocks' at-risk windows and
    /// outcomes (the day tallies sum them) and has its clocks' breach rows (<see cref="SlaBreachRows"/>). A count row
    /// without it was written by an earlier version; the partition's rows are in no tally (layout 1) or have no breach
    /// rows (layout 2) until <see cref="UpgradeLayoutAsync"/> (or <see cref="RepairAsync"/>) rewrites them.
    /// </summary>
    public const int CurrentLayout = 3;

    private const string LayoutColumn = "Layout";

    /// <summary>Index row columns of each clock's settled outcome: <see cref="MetOutcome"/>, <see cref="LateOutcome"/> (stopped late, or paused past its target), or "" (running, or paused in time).</summary>
    public const string FirstResponseOutcomeColumn = "FirstResponseOutcome";
    public const string ResolutionOutcomeColumn = "ResolutionOutcome";

    /// <summary>Index row column: business time to the first response, in ticks, once answered.</summary>
    public const string FirstResponseTicksColumn = "FirstResponseBusinessTicks";
    public const string MetOutcome = "met";
    public const string LateOutcome = "late";
    private const string AtRiskFromSuffix = "AtRiskFrom";
    private const string AtRiskUntilSuffix = "AtRiskUntil";

    // Columns worked out with the calendar: a row written before one of them existed is rewritten by the repair.
    private static readonly string[] ClockWindowColumns =
        ["FirstResponse" + AtRiskFromSuffix, "FirstResponse" + AtRiskUntilSuffix, "Resolution" + AtRiskFromSuffix, "Resolution" + AtRiskUntilSuffix,
         FirstResponseOutcomeColumn, ResolutionOutcomeColumn, FirstResponseTicksColumn];

    /// <summary>What <see cref="DayTally.Of"/> reads of a row (and what a write reads of the row it replaces)
    /// (and the breach rows it lists, which a write replaces with the new row's).</summary>
    private static readonly string[] TallyColumns = ["PartitionKey", "RowKey", HandoffRow.CreatedAt, SlaBreachRows.Column, .. ClockWindowColumns];
    private const int MaxAttempts = 10;

    // Up to 19 handoffs of 5 rows each (the row, two due rows, two breach rows), the count row and a few tally shards: within a transaction's 100 entities.
    private const int MaxHandoffsPerTransaction = 19;

    private readonly StorageClients _clients;
    private readonly TimeSpan _defaultWarn;
    private readonly GroupCommit<IndexWrite> _adds;
    private readonly ConcurrentDictionary<string, Head> _heads = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public HandoffIndex(StorageClients clients, IOptions<ApiOptions> apiOptions, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(apiOptions);
        _clients = clients;
        _time = timeProvider;
        _defaultWarn = apiOptions.Value.AtRiskWithin;
        // An index row carries the handoff's columns, its text up to 30,000 characters among them: cut by size too.
        _adds = new GroupCommit<IndexWrite>(FlushAddsAsync, MaxHandoffsPerTransaction, w => TableLimits.WorstCaseBytes(w.Row) + w.With.Sum(TableLimits.WorstCaseBytes));
    }

    /// <summary>An OData filter that leaves out the count row.</summary>
    public static string OnlyItems => TableClient.CreateQueryFilter($"RowKey lt {CountRowKey}");

    public static string Partition(string team, bool resolved) => $"{team}|{(resolved ? ResolvedStatus : OpenStatus)}";

    /// <summary>
    /// Every team with a partition in the index, from the partitions' count rows: teams only an earlier rule set or
    /// configuration named too (one query of the count rows' keys; on Azure a scan of the table's keys).
    /// </summary>
    public async Task<IReadOnlyList<string>> IndexedTeamsAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var teams = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {CountRowKey}"), select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.PartitionKey.LastIndexOf('|') is var bar and > 0)
            {
                teams.Add(row.PartitionKey[..bar]);
            }
        }

        return [.. teams];
    }

    /// <summary>A team's two partitions, open then resolved.</summary>
    public static string[] Partitions(string team) => [Partition(team, false), Partition(team, true)];

    public static IndexKey KeyOf(HandoffRecord h)
    {
        ArgumentNullException.ThrowIfNull(h);
        var priority = h.Priority is ['P', >= '1' and <= '4'] ? h.Priority[1] : '9';
        // Whole seconds: a time read back from the table has the same key as the one written.
        var due = (NextDue(h) ?? DateTimeOffset.MaxValue).ToUnixTimeSeconds();
        return new IndexKey(Partition(h.Team, h.IsResolved), string.Create(CultureInfo.InvariantCulture, $"{priority}-{due:D12}-{h.Id}"));
    }

    /// <summary>
    /// Rows whose standing is "at risk" at <paramref name="now"/>: a running clock past its warning time and
    /// none past its target (the earliest running due time is later) or late when it stopped. Exact, so a
    /// backlog of breached handoffs is never read to find the few at risk.
    /// </summary>
    public static string AtRiskFilter(DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"AtRiskFrom le {now} and NextDueAt gt {now} and Late eq false");

    /// <summary>Rows with a clock at risk at <paramref name="now"/> (inside its window from the warning time to its target), whatever the other clock's standing.</summary>
    public static string ClockAtRiskFilter(DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"(FirstResponseAtRiskFrom le {now} and FirstResponseAtRiskUntil gt {now}) or (ResolutionAtRiskFrom le {now} and ResolutionAtRiskUntil gt {now})");

    /// <summary>Rows whose standing is "breached" at <paramref name="now"/>: a running clock past its target, or one that stopped late.</summary>
    public static string BreachedFilter(DateTimeOffset now) =>
        TableClient.CreateQueryFilter($"(NextDueAt le {now} or Late eq true)");

    /// <summary>The RowKey range of one priority ("P1".."P4").</summary>
    public static (string From, string Before) PriorityRange(string priority) =>
        priority is ['P', >= '1' and <= '4'] ? ($"{priority[1]}-", $"{priority[1]}.") : ("9-", "9.");

    /// <summary>The earliest due time of a running clock, the queue's second sort key.</summary>
    public static DateTimeOffset? NextDue(HandoffRecord h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return h.FirstResponseDueAt is { } first && (h.ResolutionDueAt is not { } res || first <= res) ? first : h.ResolutionDueAt;
    }

    /// <summary>The index row of <paramref name="h"/>: its columns, and the filter columns worked out with its calendar.</summary>
    public TableEntity Row(HandoffRecord h, BusinessCalendar? calendar) => Row(h, calendar, _defaultWarn);

    /// <summary>As <see cref="Row(HandoffRecord, BusinessCalendar?)"/>, a handoff without a warning time of its own at risk <paramref name="defaultWarn"/> before a due time (the API's at-risk window).</summary>
    public static TableEntity Row(HandoffRecord h, BusinessCalendar? calendar, TimeSpan defaultWarn)
    {
        ArgumentNullException.ThrowIfNull(h);
        var key = KeyOf(h);
        var row = new TableEntity(HandoffRow.Columns(h)) { PartitionKey = key.Partition, RowKey = key.Row };
        row["Source"] = h.Source.ToLowerInvariant();
        row["AssigneeKey"] = h.Assignee?.ToLowerInvariant() ?? "";
        row["Waiting"] = h.IsWaiting;
        row["NextDueAt"] = NextDue(h);
        DateTimeOffset? atRiskFrom = null;
        var late = false;
        if (h.Sla is { } sla && calendar is not null)
        {
            foreach (var (prefix, clock) in new[] { ("FirstResponse", sla.FirstResponse), ("Resolution", sla.Resolution) })
            {
                var warn = sla.WarnBefore > TimeSpan.Zero ? sla.WarnBefore : defaultWarn;
                DateTimeOffset? from = null;
                if (clock.IsRunning && clock.WithTarget(clock.Target - warn > TimeSpan.Zero ? clock.Target - warn : TimeSpan.Zero).DueAt(calendar) is { } warnAt)
                {
                    from = warnAt;
                    atRiskFrom = atRiskFrom is { } a && a <= warnAt ? a : warnAt;
                }

                // Each clock's window [from, until): the at-risk report asks for rows inside one, not every row past its warning.
                row[prefix + AtRiskFromSuffix] = from;
                row[prefix + AtRiskUntilSuffix] = from is null ? null : clock.DueAt(calendar);

                // A stopped or paused clock's standing does not move: record whether it is late now.
                var settled = clock.IsRunning ? SlaStatus.OnTrack : clock.Status(calendar, clock.StoppedAt ?? DateTimeOffset.MaxValue, TimeSpan.Zero);
                late |= settled is SlaStatus.MissedButDone or SlaStatus.Breached;
                row[prefix + "Outcome"] = settled switch
                {
                    SlaStatus.Met => MetOutcome,
                    SlaStatus.MissedButDone or SlaStatus.Breached => LateOutcome,
                    _ => "",
                };
            }

            row[FirstResponseTicksColumn] = sla.FirstResponse.StoppedAt is { } stopped && h.FirstResponse is not null
                ? sla.FirstResponse.Elapsed(calendar, stopped).Ticks
                : null;
        }

        row["AtRiskFrom"] = atRiskFrom;
        row["Late"] = late;
        row[SlaBreachRows.Column] = string.Join(' ', SlaBreachRows.Keys(h, calendar));
        return row;
    }

    /// <summary>
    /// Adds a new handoff with its SLA <paramref name="due"/> rows (group commit; a row already there is
    /// left as it is and not counted again). Due rows of another partition (none, unless the handoff
    /// moved meanwhile) are upserted on their own.
    /// </summary>
    public async Task AddAsync(HandoffRecord h, BusinessCalendar? calendar, IReadOnlyList<SlaDueRow> due, CancellationToken cancellationToken, GroupCommitTicket? expected = null)
    {
        ArgumentNullException.ThrowIfNull(due);
        var row = Row(h, calendar);
        List<TableEntity> together = [.. due.Where(d => d.PartitionKey == row.PartitionKey).Select(SlaDueIndex.Entity), .. SlaBreachRows.Of(row)];
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        foreach (var other in due.Where(d => d.PartitionKey != row.PartitionKey))
        {
            await table.UpsertEntityAsync(SlaDueIndex.Entity(other), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }

        await _adds.AddAsync(row.PartitionKey, new IndexWrite(row, together), cancellationToken, expected).ConfigureAwait(false);
    }

    /// <summary>Says that a new handoff of <paramref name="team"/> is on its way to <see cref="AddAsync"/> (pass the ticket, dispose of it after): the team's group commit waits for it briefly.</summary>
    public GroupCommitTicket Expect(string team) => _adds.Expect(Partition(team, false));

    /// <summary>
    /// Loads many new handoffs of one team and status at once (an import, or the API benchmark's seeding):
    /// their rows and due rows in transactions of up to 100 entities, then the count row raised by how
    /// many were added and their days' tallies by their shares, in one transaction. Inserts: a handoff indexed already fails its transaction (use the group-committed
    /// <see cref="AddAsync"/> for deliveries that may repeat).
    /// </summary>
    public async Task<int> BulkAddAsync(IReadOnlyList<(HandoffRecord Handoff, BusinessCalendar? Calendar, IReadOnlyList<SlaDueRow> Due)> handoffs, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = handoffs.Select(h => Row(h.Handoff, h.Calendar)).ToList();
        if (rows.Select(r => r.PartitionKey).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new ArgumentException("Every handoff of a bulk load must sort into one partition (one team and status).", nameof(handoffs));
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        var partition = rows[0].PartitionKey;
        var chunks = new List<List<TableTransactionAction>>();
        var current = new List<TableTransactionAction>();
        foreach (var (row, (_, _, due)) in rows.Zip(handoffs))
        {
            var together = due.Where(d => d.PartitionKey == partition).Select(SlaDueIndex.Entity).Concat(SlaBreachRows.Of(row))
                .Select(d => new TableTransactionAction(TableTransactionActionType.UpsertReplace, d)).ToList();
            List<TableTransactionAction> grown = [.. current, new TableTransactionAction(TableTransactionActionType.Add, row), .. together];
            if (current.Count > 0 && !TableLimits.FitsOneTransaction(grown))
            {
                chunks.Add(current);
                grown = [new TableTransactionAction(TableTransactionActionType.Add, row), .. together];
            }

            current = grown;
        }

        chunks.Add(current);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (chunk, ct) =>
            await table.SubmitTransactionAsync(chunk, ct).ConfigureAwait(false)).ConfigureAwait(false);

        // The count and the tallies follow (not with the inserts: a crash between leaves them short until a repair, as for a count).
        await BulkHeadAsync(table, partition, rows, cancellationToken).ConfigureAwait(false);
        return rows.Count;
    }

    /// <summary>Raises the count and the tallies by <paramref name="rows"/> in one transaction, or in halves when their shards would not fit one.</summary>
    private async Task BulkHeadAsync(TableClient table, string partition, IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = await HeadAsync(table, partition, rows, cancellationToken, fresh: true).ConfigureAwait(false);
            var (actions, _, _) = HeadActions(partition, head, rows.Count, rows, []);
            if (rows.Count > 1 && !TableLimits.FitsOneTransaction(actions))
            {
                await BulkHeadAsync(table, partition, rows.Take(rows.Count / 2).ToList(), cancellationToken).ConfigureAwait(false);
                await BulkHeadAsync(table, partition, rows.Skip(rows.Count / 2).ToList(), cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                _heads.TryRemove(partition, out _);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < MaxAttempts)
            {
                _heads.TryRemove(partition, out _);
            }
        }
    }

    /// <summary>Whether the handoff is in the index at <paramref name="key"/>.</summary>
    public async Task<bool> ContainsAsync(IndexKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return (await table.GetEntityIfExistsAsync<TableEntity>(key.Partition, key.Row, ["RowKey"], cancellationToken).ConfigureAwait(false)).HasValue;
    }

    /// <summary>
    /// Moves a handoff's row after an action from <paramref name="before"/> (null when unknown) to where
    /// <paramref name="after"/> sorts now, with its new columns. Repeating it is harmless.
    /// </summary>
    public async Task MoveAsync(IndexKey? before, HandoffRecord after, BusinessCalendar? calendar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = Row(after, calendar);
        if (before is null || before.Partition == row.PartitionKey)
        {
            await PutAsync(table, row, before?.Row, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RemoveAsync(table, before, cancellationToken).ConfigureAwait(false);
        await _adds.AddAsync(row.PartitionKey, new IndexWrite(row, SlaBreachRows.Of(row)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a partition of <paramref name="team"/> was written by an earlier version (its count row names an older layout, or none).</summary>
    public async Task<bool> NeedsLayoutUpgradeAsync(string team, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        foreach (var partition in Partitions(team))
        {
            if (!await IsCurrentLayoutAsync(table, partition, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Brings <paramref name="team"/>'s partitions an earlier version wrote to the current layout while deliveries
    /// and actions go on: each row without its breach rows listed (or, before layout 2, the clocks' outcomes) is rewritten in place
    /// through the same conditional transaction as a move, with its breach rows, its day's tally changed by its share, so the
    /// tallies stay exact whatever writes beside it (a row moved or rewritten meanwhile is left to its writer);
    /// then the partition's count row names the current layout. Stops at <paramref name="until"/> and
    /// carries on at the next call (rows done are skipped): true when both partitions are current.
    /// </summary>
    public async Task<bool> UpgradeLayoutAsync(
        string team, Func<HandoffRecord, CancellationToken, Task<BusinessCalendar?>> calendarOf, DateTimeOffset until, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calendarOf);
        ArgumentNullException.ThrowIfNull(clock);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var handoffs = await _clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        foreach (var partition in Partitions(team))
        {
            if (await IsCurrentLayoutAsync(table, partition, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var old = new List<(string RowKey, string HandoffId)>();
            var items = $"{TableClient.CreateQueryFilter($"PartitionKey eq {partition}")} and {OnlyItems}";
            await foreach (var e in table.QueryAsync<TableEntity>(items, select: ["RowKey", HandoffRow.HandoffId, FirstResponseOutcomeColumn, SlaBreachRows.Column], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!IsCurrentRow(e) && e.GetString(HandoffRow.HandoffId) is { } id)
                {
                    old.Add((e.RowKey, id));
                }
            }

            foreach (var (rowKey, id) in old)
            {
                if (clock.GetUtcNow() >= until)
                {
                    return false;
                }

                var found = await handoffs.GetEntityIfExistsAsync<TableEntity>(id, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                var h = found.HasValue ? HandoffRow.ToRecord(found.Value!) : null;

                // Only a row still where its handoff sorts; a stray one is the repair's.
                if (h is not null && KeyOf(h) == new IndexKey(partition, rowKey))
                {
                    await RewriteInPlaceAsync(table, Row(h, await calendarOf(h, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
                }
            }

            await table.UpdateEntityAsync(new TableEntity(partition, CountRowKey) { [LayoutColumn] = CurrentLayout }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Whether a row was written in the current layout: its clocks' outcomes and its breach rows listed (a row without SLA state has no outcomes and is rewritten alike).</summary>
    private static bool IsCurrentRow(TableEntity row) => row.GetString(FirstResponseOutcomeColumn) is not null && row.GetString(SlaBreachRows.Column) is not null;

    /// <summary>Whether <paramref name="partition"/> is in the current layout (or holds nothing yet).</summary>
    public async Task<bool> HasCurrentLayoutAsync(string partition, CancellationToken cancellationToken) =>
        await IsCurrentLayoutAsync(await TableAsync(cancellationToken).ConfigureAwait(false), partition, cancellationToken).ConfigureAwait(false);

    private static async Task<bool> IsCurrentLayoutAsync(TableClient table, string partition, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, CountRowKey, [LayoutColumn], cancellationToken).ConfigureAwait(false);
        return !row.HasValue || (row.Value!.GetInt32(LayoutColumn) ?? 1) >= CurrentLayout;
    }

    /// <summary>
    /// Replaces a row of an earlier layout (no breach rows listed; no share either, before layout 2) with <paramref name="row"/>,
    /// its breach rows and its day's tally changed by its share less the old one's, conditional on all; nothing when the row is
    /// gone or was rewritten meanwhile.
    /// </summary>
    private async Task RewriteInPlaceAsync(TableClient table, TableEntity row, CancellationToken cancellationToken)
    {
        var partition = row.PartitionKey;
        var breaches = SlaBreachRows.Of(row);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            var old = await ReadRowAsync(table, partition, row.RowKey, cancellationToken).ConfigureAwait(false);
            if (old is null || IsCurrentRow(old))
            {
                return;
            }

            if (await TryWriteAsync(table, partition, [new(TableTransactionActionType.UpdateReplace, row, old.ETag)], [row], [old], 0, breaches, gone, attempt, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>How many handoffs a partition holds.</summary>
    public async Task<int> CountAsync(string partition, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, CountRowKey, [CountColumn], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? Math.Max(0, row.Value!.GetInt32(CountColumn) ?? 0) : 0;
    }

    /// <summary>
    /// The day tallies of the handoffs created from <paramref name="from"/> to <paramref name="to"/>, a
    /// team's open and resolved partitions summed (a range read of each: 2 requests, however long the
    /// backlog), or every team's when <paramref name="team"/> is null: a query on the tallies' RowKeys
    /// across partitions, which Azure answers by scanning the table's keys (its cost follows the table's size).
    /// </summary>
    public async Task<IReadOnlyList<(string Team, DayTally Tally)>> TalliesAsync(string? team, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var range = TableClient.CreateQueryFilter($"RowKey ge {DayTally.Key(to)} and RowKey lt {DayTally.KeyAfter(from)}");
        var filters = team is null
            ? [range]
            : Partitions(team).Select(p => $"{TableClient.CreateQueryFilter($"PartitionKey eq {p}")} and {range}").ToArray();
        // A day is the sum of its shards and of the team's two partitions.
        var shards = new List<(string Team, DayTally Tally)>();
        foreach (var filter in filters)
        {
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                shards.Add((row.PartitionKey[..row.PartitionKey.LastIndexOf('|')], DayTally.FromEntity(row)));
            }
        }

        return shards.GroupBy(s => (s.Team, s.Tally.Day)).Select(g => (g.Key.Team, DayTally.Sum(g.Key.Day, g.Select(s => s.Tally)))).ToList();
    }

    /// <summary>
    /// Rebuilds a team's partitions from its Handoffs rows: adds what is missing (and rewrites rows
    /// written before the clocks' at-risk windows and outcomes were kept), deletes rows of handoffs that sort elsewhere now (read again first, so a row an action moved meanwhile stays),
    /// and sets the counts and the day tallies from the rows; returns how many rows it added or deleted. Reads every handoff of the
    /// team: a repair for after a crash between a handoff's two partitions or a message poisoned half
    /// way, not a page. Writes that race it may leave a count or a tally off by their share until the next repair.
    /// </summary>
    public async Task<int> RepairAsync(string team, Func<HandoffRecord, CancellationToken, Task<BusinessCalendar?>> calendarOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calendarOf);
        var handoffs = await _clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var expected = new Dictionary<(string, string), TableEntity>();
        var filter = TableClient.CreateQueryFilter($"RowKey eq {HandoffRow.RowKey} and Team eq {team}");
        await foreach (var entity in handoffs.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var h = HandoffRow.ToRecord(entity);
            var row = Row(h, await calendarOf(h, cancellationToken).ConfigureAwait(false));
            expected[(row.PartitionKey, row.RowKey)] = row;
        }

        var changed = 0;
        foreach (var partition in Partitions(team))
        {
            var present = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            var differing = new Dictionary<string, ETag>(StringComparer.Ordinal);
            var items = $"{TableClient.CreateQueryFilter($"PartitionKey eq {partition}")} and {OnlyItems}";
            await foreach (var e in table.QueryAsync<TableEntity>(items, select: [.. TallyColumns, HandoffRow.HandoffId], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (expected.TryGetValue((partition, e.RowKey), out var should))
                {
                    if (!Current(e, should))
                    {
                        // The handoff as it is now: an action since the scan above changed the row, not the repair's business.
                        var latest = e.GetString(HandoffRow.HandoffId) is { } changedId
                            ? await handoffs.GetEntityIfExistsAsync<TableEntity>(changedId, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)
                            : null;
                        if (latest is { HasValue: true } && HandoffRow.ToRecord(latest.Value!) is var h && KeyOf(h) == new IndexKey(partition, e.RowKey))
                        {
                            should = expected[(partition, e.RowKey)] = Row(h, await calendarOf(h, cancellationToken).ConfigureAwait(false));
                        }
                    }

                    if (Current(e, should))
                    {
                        present[e.RowKey] = e;
                    }
                    else
                    {
                        differing[e.RowKey] = e.ETag;
                    }

                    continue;
                }

                // Not where the handoffs read above sort: unless an action moved it here since, it is stale.
                var now = e.GetString(HandoffRow.HandoffId) is { } id
                    ? await handoffs.GetEntityIfExistsAsync<TableEntity>(id, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)
                    : null;
                if (now is { HasValue: true } && KeyOf(HandoffRow.ToRecord(now.Value!)) == new IndexKey(partition, e.RowKey))
                {
                    present[e.RowKey] = e;
                    continue;
                }

                await table.DeleteEntityAsync(partition, e.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
                changed++;
            }

            // Each write conditional on what was read (a row that differed, on its ETag; one absent, as an insert): a row
            // an action wrote since is newer than the handoffs read above, so it is kept as it is now, not overwritten.
            var missing = new List<TableEntity>();
            var skipped = new HashSet<string>(StringComparer.Ordinal);
            var writes = new List<TableTransactionAction>();
            foreach (var (key, row) in expected.Where(kv => kv.Key.Item1 == partition && !present.ContainsKey(kv.Key.Item2)).Select(kv => (kv.Key.Item2, kv.Value)))
            {
                if (differing.TryGetValue(key, out var etag))
                {
                    writes.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, etag));
                    continue;
                }

                // Absent: unless an action moved the handoff since the scan above (its row is then where it put it).
                var latest = await handoffs.GetEntityIfExistsAsync<TableEntity>(row.GetString(HandoffRow.HandoffId), HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (latest is { HasValue: true } && KeyOf(HandoffRow.ToRecord(latest.Value!)) != new IndexKey(partition, key))
                {
                    skipped.Add(key);
                    continue;
                }

                writes.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
            }

            foreach (var chunk in Batches(writes))
            {
                try
                {
                    await table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
                    missing.AddRange(chunk.Select(a => (TableEntity)a.Entity));
                }
                catch (TableTransactionFailedException)
                {
                    await RepairOneByOneAsync(table, chunk, missing, skipped, present, cancellationToken).ConfigureAwait(false);
                }
            }

            changed += missing.Count;
            await RepairBreachRowsAsync(table, partition, [.. expected.Where(kv => kv.Key.Item1 == partition && !skipped.Contains(kv.Key.Item2)).Select(kv => kv.Value)], cancellationToken).ConfigureAwait(false);

            // The tallies from the rows now there; a day's tally no row counts in any more is deleted.
            var shards = Sum([.. present.Values, .. missing]).Values.SelectMany(t => DayTally.Split(t)).ToList();
            var stale = new List<string>();
            await foreach (var t in table.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {DayTally.KeyPrefix} and RowKey lt {DayTally.KeyPrefix + "~"}"), select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (!shards.Any(x => DayTally.Key(x.Day, x.Shard) == t.RowKey))
                {
                    stale.Add(t.RowKey);
                }
            }

            // One by one: a busy day's shards are large, many of them could pass a transaction's payload.
            foreach (var shard in shards)
            {
                await table.UpsertEntityAsync(shard.ToEntity(partition), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            foreach (var key in stale)
            {
                await table.DeleteEntityAsync(partition, key, ETag.All, cancellationToken).ConfigureAwait(false);
            }

            await table.UpsertEntityAsync(
                new TableEntity(partition, CountRowKey) { [CountColumn] = present.Count + missing.Count, [LayoutColumn] = CurrentLayout }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

            _heads.TryRemove(partition, out _);
        }

        return changed;
    }

    /// <summary>
    /// Whether the index row <paramref name="e"/> is as the handoff gives it (<paramref name="should"/>) for what the repair
    /// rewrites: the clocks' at-risk windows (a row written before they existed is never found by the at-risk report)
    /// and the breach rows it lists.
    /// </summary>
    private static bool Current(TableEntity e, TableEntity should) =>
        ClockWindowColumns.All(c => !should.TryGetValue(c, out var value) || value is null || e.ContainsKey(c))
        && e.GetString(SlaBreachRows.Column) == should.GetString(SlaBreachRows.Column);

    internal Task<TableClient> TableAsync(CancellationToken cancellationToken) => _clients.GetTableAsync(StorageNames.HandoffIndexTable, cancellationToken);

    /// <summary>The repair's writes of a transaction that failed, one at a time: a row an action changed or wrote since it was read is read as it is now and kept.</summary>
    private static async Task RepairOneByOneAsync(TableClient table, List<TableTransactionAction> chunk, List<TableEntity> written, HashSet<string> skipped, Dictionary<string, TableEntity> present, CancellationToken cancellationToken)
    {
        foreach (var action in chunk)
        {
            var row = (TableEntity)action.Entity;
            try
            {
                await table.SubmitTransactionAsync([action], cancellationToken).ConfigureAwait(false);
                written.Add(row);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                skipped.Add(row.RowKey);
                if (await ReadRowAsync(table, row.PartitionKey, row.RowKey, cancellationToken).ConfigureAwait(false) is { } now)
                {
                    present[row.RowKey] = now;
                }
            }
        }
    }

    /// <summary>
    /// The repair's breach rows: the partition's rows are read as they are after its writes, so those that an action
    /// wrote since are kept; each breach row they list is written from <paramref name="rows"/> (the rows the repair
    /// wrote or found as the handoffs say) where it has it; every breach row no row lists is deleted.
    /// </summary>
    private static async Task RepairBreachRowsAsync(TableClient table, string partition, IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var items = $"{TableClient.CreateQueryFilter($"PartitionKey eq {partition}")} and {OnlyItems}";
        await foreach (var e in table.QueryAsync<TableEntity>(items, select: [SlaBreachRows.Column], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keep.UnionWith(SlaBreachRows.KeysOf(e));
        }

        var breaches = rows.SelectMany(SlaBreachRows.Of).Where(b => keep.Contains(b.RowKey)).ToList();
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {SlaBreachRows.Prefix} and RowKey lt {SlaBreachRows.Prefix + "~"}");
        var stale = new List<string>();
        await foreach (var b in table.QueryAsync<TableEntity>(range, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!keep.Contains(b.RowKey))
            {
                stale.Add(b.RowKey);
            }
        }

        foreach (var chunk in Batches(BreachActions(partition, stale, breaches)))
        {
            await table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes <paramref name="row"/> at its key in its partition, deleting the handoff's row at <paramref name="fromRow"/>
    /// of the same partition if it is another: the rows replaced are read first and the write is conditional on
    /// them, so the count and the tallies change by exactly what changed. A repeat finds the move done and
    /// writes the same columns again (the tallies unchanged).
    /// </summary>
    private async Task PutAsync(TableClient table, TableEntity row, string? fromRow, CancellationToken cancellationToken)
    {
        var partition = row.PartitionKey;
        var source = fromRow is not null && fromRow != row.RowKey ? fromRow : null;

        // The usual move: its source is there and its target is not. Whatever else is found costs a read more.
        var readTarget = source is null;
        var breaches = SlaBreachRows.Of(row);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            var old = source is null ? null : await ReadRowAsync(table, partition, source, cancellationToken).ConfigureAwait(false);
            var target = readTarget || old is null ? await ReadRowAsync(table, partition, row.RowKey, cancellationToken).ConfigureAwait(false) : null;
            var removed = new[] { old, target }.OfType<TableEntity>().ToList();
            var countDelta = (target is null ? 1 : 0) - (old is null ? 0 : 1);
            var actions = new List<TableTransactionAction>();
            if (old is not null)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, old, old.ETag));
            }

            actions.Add(target is null
                ? new TableTransactionAction(TableTransactionActionType.Add, row)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, target.ETag));
            if (await TryWriteAsync(table, partition, actions, [row], removed, countDelta, breaches, gone, attempt, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            readTarget = true;
        }
    }

    /// <summary>The breach rows the <paramref name="removed"/> rows list that the new row's <paramref name="breaches"/> do not replace (less those known to be gone already).</summary>
    private static List<string> StaleBreachRows(IEnumerable<TableEntity> removed, IReadOnlyList<TableEntity> breaches, HashSet<string> gone) =>
        removed.SelectMany(SlaBreachRows.KeysOf).Distinct(StringComparer.Ordinal)
            .Where(k => !gone.Contains(k) && !breaches.Any(b => b.RowKey == k)).ToList();

    /// <summary>The stale breach rows deleted and the new ones written (upserts: a repeat writes the same).</summary>
    private static IEnumerable<TableTransactionAction> BreachActions(string partition, IEnumerable<string> stale, IEnumerable<TableEntity> breaches) =>
        stale.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All))
            .Concat(breaches.Select(b => new TableTransactionAction(TableTransactionActionType.UpsertReplace, b)));

    /// <summary>
    /// Which of <paramref name="keys"/> are not in the partition: a breach row to delete that is not there fails the whole
    /// transaction (one lost with a crash of the repair, which writes rows and breach rows apart), so the retry leaves it out.
    /// </summary>
    private static async Task<List<string>> MissingAsync(TableClient table, string partition, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var key in keys)
        {
            if (!(await table.GetEntityIfExistsAsync<TableEntity>(partition, key, ["RowKey"], cancellationToken).ConfigureAwait(false)).HasValue)
            {
                missing.Add(key);
            }
        }

        return missing;
    }

    /// <summary>Deletes a row and counts it out of its count and its day's tally in one transaction; a row already gone is done.</summary>
    private async Task RemoveAsync(TableClient table, IndexKey key, CancellationToken cancellationToken)
    {
        var gone = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            if (await ReadRowAsync(table, key.Partition, key.Row, cancellationToken).ConfigureAwait(false) is not { } old)
            {
                return;
            }

            if (await TryWriteAsync(table, key.Partition, [new(TableTransactionActionType.Delete, old, old.ETag)], [], [old], -1, [], gone, attempt, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// One attempt of an index write (a put, a move, a delete, a rewrite in place): <paramref name="rowActions"/>, then the
    /// breach rows <paramref name="removed"/> list that <paramref name="breaches"/> do not replace deleted and
    /// <paramref name="breaches"/> written, then the head (the count by <paramref name="countDelta"/>, the tallies by the
    /// shares of <paramref name="added"/> less those of <paramref name="removed"/>), all conditional, in one transaction.
    /// True when stored; false to read again and retry (a breach row found gone meanwhile is noted in <paramref name="gone"/>).
    /// </summary>
    private async Task<bool> TryWriteAsync(
        TableClient table, string partition, List<TableTransactionAction> rowActions, IReadOnlyList<TableEntity> added, IReadOnlyList<TableEntity> removed,
        int countDelta, IReadOnlyList<TableEntity> breaches, HashSet<string> gone, int attempt, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(table, partition, [.. added, .. removed], cancellationToken).ConfigureAwait(false);
        var (heads, after, complete) = HeadActions(partition, head, countDelta, added, removed);
        if (!complete && head.Cached)
        {
            // A share to take away is in no shard known here: another instance added one since. Read the head again.
            _heads.TryRemove(partition, out _);
            return false;
        }

        var stale = StaleBreachRows(removed, breaches, gone);
        var submitted = await TrySubmitAsync(table, partition, [.. rowActions, .. BreachActions(partition, stale, breaches), .. heads], after, attempt, cancellationToken).ConfigureAwait(false);
        if (submitted == Submitted.RowChanged)
        {
            gone.UnionWith(await MissingAsync(table, partition, stale, cancellationToken).ConfigureAwait(false));
        }

        return submitted == Submitted.Stored;
    }

    /// <summary>
    /// Submits a transaction that ends with the partition's head rows: Stored, or (the head forgotten, to read
    /// again and retry) HeadMoved when only the count or a tally changed since it was read (another writer's
    /// share: the rows need no second look), or RowChanged.
    /// </summary>
    private async Task<Submitted> TrySubmitAsync(TableClient table, string partition, List<TableTransactionAction> actions, Head after, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            Remember(partition, after, actions, response.Value);
            return Submitted.Stored;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < MaxAttempts)
        {
            _heads.TryRemove(partition, out _);

            // Writers of one team share its head rows: a short pause, longer at each retry and jittered, spreads
            // those that collided instead of having them collide again at once.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 5 * attempt)), cancellationToken).ConfigureAwait(false);
            return ex is TableTransactionFailedException { FailedTransactionActionIndex: { } failed } && failed < actions.Count
                && ((ITableEntity)actions[failed].Entity).RowKey.StartsWith(CountRowKey, StringComparison.Ordinal)
                ? Submitted.HeadMoved
                : Submitted.RowChanged;
        }
    }

    /// <summary>One group's inserts, their due rows, the count row and their days' tallies, in one transaction; handoffs indexed already are dropped and the rest retried.</summary>
    private async Task FlushAddsAsync(string partition, IReadOnlyList<IndexWrite> writes)
    {
        var table = await TableAsync(CancellationToken.None).ConfigureAwait(false);
        var todo = writes.GroupBy(w => w.Row.RowKey, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var head = await HeadAsync(table, partition, todo.Select(w => w.Row), CancellationToken.None).ConfigureAwait(false);
            var actions = todo.Select(w => new TableTransactionAction(TableTransactionActionType.Add, w.Row)).ToList();
            actions.AddRange(todo.SelectMany(w => w.With).GroupBy(d => d.RowKey, StringComparer.Ordinal)
                .Select(g => new TableTransactionAction(TableTransactionActionType.UpsertReplace, g.Last())));
            var (heads, after, _) = HeadActions(partition, head, todo.Count, todo.Select(w => w.Row), []);
            actions.AddRange(heads);
            if (todo.Count > 1 && !TableLimits.FitsOneTransaction(actions))
            {
                // Handoffs of several days (tally shards) past a transaction's entities or bytes: two transactions.
                await FlushAddsAsync(partition, todo[..(todo.Count / 2)]).ConfigureAwait(false);
                await FlushAddsAsync(partition, todo[(todo.Count / 2)..]).ConfigureAwait(false);
                return;
            }

            var submitted = await TrySubmitAsync(table, partition, actions, after, attempt, CancellationToken.None).ConfigureAwait(false);
            if (submitted == Submitted.Stored)
            {
                return;
            }

            if (submitted == Submitted.HeadMoved)
            {
                continue;
            }

            // A row was there already (a redelivery, or a repair): keep only what is missing.
            var missing = new List<IndexWrite>();
            foreach (var write in todo)
            {
                if (!(await table.GetEntityIfExistsAsync<TableEntity>(partition, write.Row.RowKey, ["RowKey"], CancellationToken.None).ConfigureAwait(false)).HasValue)
                {
                    missing.Add(write);
                }
            }

            todo = missing;
            if (todo.Count == 0)
            {
                return;
            }
        }
    }

    private static async Task<TableEntity?> ReadRowAsync(TableClient table, string partition, string rowKey, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, TallyColumns, cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// A partition's count row and its tallies of the days of <paramref name="rows"/>, cached after each write (ETags
    /// included). Read when not in hand as <see cref="PlanHeadRead"/> says: one range from the count row down to the
    /// oldest recent day needed, and each older day's shards on their own, so an action on an old handoff reads its
    /// own day's tally, not every day's since.
    /// </summary>
    private async Task<Head> HeadAsync(TableClient table, string partition, IEnumerable<TableEntity> rows, CancellationToken cancellationToken, bool fresh = false)
    {
        var needed = rows.Select(DayOf).OfType<DateOnly>().Distinct().ToList();
        var (from, apart) = PlanHeadRead(needed, Today());
        if (!fresh && _heads.TryGetValue(partition, out var cached))
        {
            if (needed.All(cached.Covers))
            {
                return cached;
            }

            if (needed.Where(d => !cached.Covers(d)).All(apart.Contains))
            {
                // Only older days are missing: read them beside the count and recent days in hand (a stale count is
                // caught by its ETag at the write, which then reads afresh).
                var missing = apart.Where(d => !cached.Covers(d)).ToList();
                var extra = await Task.WhenAll(missing.Select(day => RangeAsync(table, partition, DayTally.Key(day), DayTally.KeyAfter(day), cancellationToken))).ConfigureAwait(false);
                var tallies = new Dictionary<string, (DayTally, ETag)>(cached.Tallies, StringComparer.Ordinal);
                foreach (var row in extra.SelectMany(r => r))
                {
                    tallies[row.RowKey] = (DayTally.FromEntity(row), row.ETag);
                }

                return cached with { Apart = cached.Apart.Union(missing).ToHashSet(), Tallies = tallies };
            }
        }

        var reads = new List<Task<List<TableEntity>>> { RangeAsync(table, partition, CountRowKey, DayTally.KeyAfter(from), cancellationToken) };
        reads.AddRange(apart.Select(day => RangeAsync(table, partition, DayTally.Key(day), DayTally.KeyAfter(day), cancellationToken)));
        var head = new Head(0, default, from, apart.ToHashSet(), new Dictionary<string, (DayTally, ETag)>(StringComparer.Ordinal), Cached: false);
        foreach (var row in (await Task.WhenAll(reads).ConfigureAwait(false)).SelectMany(r => r))
        {
            if (row.RowKey == CountRowKey)
            {
                head = head with { Count = row.GetInt32(CountColumn) ?? 0, CountETag = row.ETag };
            }
            else
            {
                head.Tallies[row.RowKey] = (DayTally.FromEntity(row), row.ETag);
            }
        }

        return head;
    }

    /// <summary>Days within this many of today are read (and kept in the cache) as one range from the count row.</summary>
    internal const int RecentDays = 31;

    /// <summary>At most this many older days are read on their own; a write needing more (a bulk load, a repair) reads one range down to the oldest.</summary>
    internal const int MaxDaysApart = 4;

    /// <summary>
    /// How a head read covers <paramref name="needed"/>: <c>From</c>, the oldest recent day needed (or a day after
    /// all of them: the count row alone), read in one range with every day after it; <c>Apart</c>, the older days,
    /// each read on its own (none when there are more than <see cref="MaxDaysApart"/>: <c>From</c> goes down to them).
    /// </summary>
    internal static (DateOnly From, IReadOnlyList<DateOnly> Apart) PlanHeadRead(IReadOnlyCollection<DateOnly> needed, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(needed);
        var recent = today.AddDays(-RecentDays);
        var apart = needed.Where(d => d < recent).Distinct().Order().ToList();
        var from = needed.Where(d => d >= recent).DefaultIfEmpty(DateOnly.MaxValue).Min();
        return apart.Count > MaxDaysApart ? (needed.Min(), []) : (from, apart);
    }

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private static async Task<List<TableEntity>> RangeAsync(TableClient table, string partition, string from, string before, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {before}");
        await foreach (var row in table.QueryAsync<TableEntity>(range, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>How many day tally shards the cache holds for <paramref name="partition"/> (tests: it stays bounded).</summary>
    internal int CachedTallyShards(string partition) => _heads.TryGetValue(partition, out var head) ? head.Tallies.Count : 0;

    private static DateOnly? DayOf(TableEntity row) => DayTally.Of(row)?.Day;

    /// <summary>
    /// The writes of a partition's head for a change: the count by <paramref name="countDelta"/> (none when 0) and the
    /// shards of each day's tally that the shares of <paramref name="added"/> less those of <paramref name="removed"/>
    /// change (<see cref="DayTally.Change"/>), each conditional on the ETag read (an insert when there was none); the
    /// head they leave, ETags to be filled in; and whether every share to take away was found in a shard.
    /// </summary>
    private static (List<TableTransactionAction> Actions, Head After, bool Complete) HeadActions(string partition, Head head, int countDelta, IEnumerable<TableEntity> added, IEnumerable<TableEntity> removed)
    {
        var actions = new List<TableTransactionAction>();
        var tallies = new Dictionary<string, (DayTally, ETag)>(head.Tallies, StringComparer.Ordinal);
        var complete = true;
        foreach (var (day, (plus, minus)) in Changes(added, removed))
        {
            var (written, found) = DayTally.Change([.. head.Tallies.Values.Select(t => t.Tally).Where(t => t.Day == day)], plus, minus);
            complete &= found;
            foreach (var next in written)
            {
                var entity = next.ToEntity(partition);
                actions.Add(head.Tallies.TryGetValue(entity.RowKey, out var had)
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, had.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, entity));
                tallies[entity.RowKey] = (next, default);
            }
        }

        var count = head.Count;
        if (countDelta != 0)
        {
            count = Math.Max(0, head.Count + countDelta);
            // A new partition is in the current layout from its first row; a merge keeps the layout the row names.
            actions.Add(head.CountETag == default
                ? new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, CountRowKey) { [CountColumn] = count, [LayoutColumn] = CurrentLayout })
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(partition, CountRowKey) { [CountColumn] = count }, head.CountETag));
        }

        return (actions, head with { Count = count, Tallies = tallies }, complete);
    }

    private static IEnumerable<(DateOnly Day, (DayTally Plus, DayTally? Minus) Change)> Changes(IEnumerable<TableEntity> added, IEnumerable<TableEntity> removed)
    {
        var plus = Sum(added);
        var minus = Sum(removed);
        return plus.Keys.Union(minus.Keys).Select(d => (d, (plus.GetValueOrDefault(d) ?? DayTally.Empty(d), minus.GetValueOrDefault(d))));
    }

    private static Dictionary<DateOnly, DayTally> Sum(IEnumerable<TableEntity> rows) =>
        rows.Select(DayTally.Of).OfType<(DateOnly Day, DayTally Tally)>()
            .GroupBy(s => s.Day)
            .ToDictionary(g => g.Key, g => DayTally.Sum(g.Key, g.Select(s => s.Tally)));

    /// <summary>Caches the head a transaction left, with the ETags its head rows got (forgotten when they are not all known).</summary>
    private void Remember(string partition, Head after, List<TableTransactionAction> actions, IReadOnlyList<Response> responses)
    {
        if (responses.Count != actions.Count)
        {
            _heads.TryRemove(partition, out _);
            return;
        }

        var tallies = new Dictionary<string, (DayTally, ETag)>(after.Tallies, StringComparer.Ordinal);
        var countETag = after.CountETag;
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = (ITableEntity)actions[i].Entity;
            if (entity.PartitionKey != partition || !entity.RowKey.StartsWith(CountRowKey, StringComparison.Ordinal))
            {
                continue;
            }

            if (responses[i].Headers.ETag is not { } etag)
            {
                _heads.TryRemove(partition, out _);
                return;
            }

            if (entity.RowKey == CountRowKey)
            {
                countETag = etag;
            }
            else
            {
                tallies[entity.RowKey] = (tallies[entity.RowKey].Item1, etag);
            }
        }

        // The cache keeps the recent days only, so a long-running instance does not hold every day an old handoff's action read.
        var keepFrom = after.From > Today().AddDays(-RecentDays) ? after.From : Today().AddDays(-RecentDays);
        foreach (var old in tallies.Where(t => t.Value.Item1.Day < keepFrom).Select(t => t.Key).ToList())
        {
            tallies.Remove(old);
        }

        _heads[partition] = after with { CountETag = countETag, From = keepFrom, Apart = EmptyDays, Tallies = tallies, Cached = true };
    }

    private enum Submitted
    {
        Stored,
        HeadMoved,
        RowChanged,
    }

    /// <summary>A partition's count row and day tally shards by RowKey, of the days from <see cref="From"/> on and of <see cref="Apart"/> (a day held with no shard has no tally row yet), with their ETags; <see cref="Cached"/> when kept from an earlier write rather than just read.</summary>
    private sealed record Head(int Count, ETag CountETag, DateOnly From, IReadOnlySet<DateOnly> Apart, Dictionary<string, (DayTally Tally, ETag ETag)> Tallies, bool Cached)
    {
        /// <summary>Whether this head holds <paramref name="day"/>'s tally shards (every one it has: none means none exist).</summary>
        public bool Covers(DateOnly day) => day >= From || Apart.Contains(day);
    }

    private static readonly IReadOnlySet<DateOnly> EmptyDays = new HashSet<DateOnly>();

    /// <summary>Actions cut into transactions that each fit (<see cref="TableLimits.FitsOneTransaction"/>).</summary>
    private static IEnumerable<List<TableTransactionAction>> Batches(IEnumerable<TableTransactionAction> actions)
    {
        var batch = new List<TableTransactionAction>();
        foreach (var action in actions)
        {
            if (batch.Count > 0 && !TableLimits.FitsOneTransaction([.. batch, action]))
            {
                yield return batch;
                batch = [];
            }

            batch.Add(action);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
