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

/// <summary>A new handoff's index row and the rows that go in the same transaction with it (its SLA due rows, upserted).</summary>
internal sealed record IndexWrite(TableEntity Row, IReadOnlyList<TableEntity> With);

/// <summary>
/// The table <c>HandoffIndex</c>: each team's queue, kept per team and status (PartitionKey
/// "team|open" or "team|resolved") in priority then due order (RowKey "p-dueseconds-id": P1 first, then
/// the earliest running due time), each row a copy of its handoff's columns plus the filter columns
/// (Source, Waiting, NextDueAt, AtRiskFrom, Late, and each clock's at-risk window). A queue page is a range read of one partition and
/// the partition's count row (<see cref="CountRowKey"/>, changed in the same transaction as every
/// insert and delete), so it costs the same at 50,000 open as at 1,000.
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
    private const string AtRiskFromSuffix = "AtRiskFrom";
    private const string AtRiskUntilSuffix = "AtRiskUntil";

    private static readonly string[] ClockWindowColumns =
        ["FirstResponse" + AtRiskFromSuffix, "FirstResponse" + AtRiskUntilSuffix, "Resolution" + AtRiskFromSuffix, "Resolution" + AtRiskUntilSuffix];
    private const int MaxAttempts = 10;

    // Up to 30 handoffs of 3 rows each and the count row: within a transaction's 100 entities.
    private const int MaxHandoffsPerTransaction = 30;

    private readonly StorageClients _clients;
    private readonly TimeSpan _defaultWarn;
    private readonly GroupCommit<IndexWrite> _adds;
    private readonly ConcurrentDictionary<string, (int Count, ETag ETag)> _counts = new(StringComparer.Ordinal);

    public HandoffIndex(StorageClients clients, IOptions<ApiOptions> apiOptions)
    {
        ArgumentNullException.ThrowIfNull(apiOptions);
        _clients = clients;
        _defaultWarn = apiOptions.Value.AtRiskWithin;
        // An index row carries the handoff's columns, its text up to 30,000 characters among them: cut by size too.
        _adds = new GroupCommit<IndexWrite>(FlushAddsAsync, MaxHandoffsPerTransaction, w => TableLimits.WorstCaseBytes(w.Row) + w.With.Sum(TableLimits.WorstCaseBytes));
    }

    /// <summary>An OData filter that leaves out the count row.</summary>
    public static string OnlyItems => TableClient.CreateQueryFilter($"RowKey lt {CountRowKey}");

    public static string Partition(string team, bool resolved) => $"{team}|{(resolved ? ResolvedStatus : OpenStatus)}";

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
                if (!clock.IsRunning && clock.Status(calendar, clock.StoppedAt ?? DateTimeOffset.MaxValue, TimeSpan.Zero) is SlaStatus.MissedButDone or SlaStatus.Breached)
                {
                    late = true;
                }
            }
        }

        row["AtRiskFrom"] = atRiskFrom;
        row["Late"] = late;
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
        var together = due.Where(d => d.PartitionKey == row.PartitionKey).Select(SlaDueIndex.Entity).ToList();
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
    /// many were added. Inserts: a handoff indexed already fails its transaction (use the group-committed
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
            var together = due.Where(d => d.PartitionKey == partition).Select(d => new TableTransactionAction(TableTransactionActionType.UpsertReplace, SlaDueIndex.Entity(d))).ToList();
            if (current.Count + 1 + together.Count > 100)
            {
                chunks.Add(current);
                current = [];
            }

            current.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
            current.AddRange(together);
        }

        chunks.Add(current);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (chunk, ct) =>
            await table.SubmitTransactionAsync(chunk, ct).ConfigureAwait(false)).ConfigureAwait(false);

        for (var attempt = 1; ; attempt++)
        {
            var (count, etag) = await ReadCountAsync(table, partition, cancellationToken).ConfigureAwait(false);
            var counter = new TableEntity(partition, CountRowKey) { [CountColumn] = count + rows.Count };
            try
            {
                await (etag == default
                    ? table.AddEntityAsync(counter, cancellationToken)
                    : table.UpdateEntityAsync(counter, etag, TableUpdateMode.Merge, cancellationToken)).ConfigureAwait(false);
                _counts.TryRemove(partition, out _);
                return rows.Count;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
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
        if (before is null || (before.Partition == row.PartitionKey && before.Row == row.RowKey))
        {
            await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (before.Partition == row.PartitionKey)
        {
            try
            {
                await table.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(before.Partition, before.Row), ETag.All),
                     new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)],
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Moved already (a repeat after a crash): make sure the new row holds the latest columns.
                await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await RemoveAsync(table, before, cancellationToken).ConfigureAwait(false);
        await _adds.AddAsync(row.PartitionKey, new IndexWrite(row, []), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many handoffs a partition holds.</summary>
    public async Task<int> CountAsync(string partition, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, CountRowKey, [CountColumn], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? Math.Max(0, row.Value!.GetInt32(CountColumn) ?? 0) : 0;
    }

    /// <summary>
    /// Rebuilds a team's partitions from its Handoffs rows: adds what is missing (and rewrites rows
    /// written before the clocks' at-risk windows were kept), deletes rows of handoffs that sort elsewhere now (read again first, so a row an action moved meanwhile stays),
    /// and sets the counts; returns how many rows it added or deleted. Reads every handoff of the
    /// team: a repair for after a crash between a handoff's two partitions or a message poisoned half
    /// way, not a page. Adds that race it may leave a count off by their number until the next repair.
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
        foreach (var partition in new[] { Partition(team, false), Partition(team, true) })
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            var items = $"{TableClient.CreateQueryFilter($"PartitionKey eq {partition}")} and {OnlyItems}";
            await foreach (var e in table.QueryAsync<TableEntity>(items, select: ["RowKey", HandoffRow.HandoffId, .. ClockWindowColumns], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (expected.TryGetValue((partition, e.RowKey), out var should))
                {
                    // A row written before the clocks' at-risk windows existed is rewritten, or the at-risk report never finds it.
                    if (ClockWindowColumns.All(c => !should.TryGetValue(c, out var value) || value is null || e.ContainsKey(c)))
                    {
                        present.Add(e.RowKey);
                    }

                    continue;
                }

                // Not where the handoffs read above sort: unless an action moved it here since, it is stale.
                var now = e.GetString(HandoffRow.HandoffId) is { } id
                    ? await handoffs.GetEntityIfExistsAsync<TableEntity>(id, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)
                    : null;
                if (now is { HasValue: true } && KeyOf(HandoffRow.ToRecord(now.Value!)) == new IndexKey(partition, e.RowKey))
                {
                    present.Add(e.RowKey);
                    continue;
                }

                await table.DeleteEntityAsync(partition, e.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
                changed++;
            }

            var missing = expected.Where(kv => kv.Key.Item1 == partition && !present.Contains(kv.Key.Item2)).Select(kv => kv.Value).ToList();
            changed += missing.Count;
            foreach (var chunk in missing.Chunk(99))
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken).ConfigureAwait(false);
            }

            await table.UpsertEntityAsync(new TableEntity(partition, CountRowKey) { [CountColumn] = present.Count + missing.Count }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            _counts.TryRemove(partition, out _);
        }

        return changed;
    }

    internal Task<TableClient> TableAsync(CancellationToken cancellationToken) => _clients.GetTableAsync(StorageNames.HandoffIndexTable, cancellationToken);

    /// <summary>Deletes a row and counts it out in one transaction; a row already gone is done.</summary>
    private async Task RemoveAsync(TableClient table, IndexKey key, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (count, etag) = await ReadCountAsync(table, key.Partition, cancellationToken).ConfigureAwait(false);
            TableTransactionAction counter = etag == default
                ? new(TableTransactionActionType.Add, new TableEntity(key.Partition, CountRowKey) { [CountColumn] = 0 })
                : new(TableTransactionActionType.UpdateMerge, new TableEntity(key.Partition, CountRowKey) { [CountColumn] = Math.Max(0, count - 1) }, etag);
            try
            {
                await table.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(key.Partition, key.Row), ETag.All), counter], cancellationToken).ConfigureAwait(false);
                _counts.TryRemove(key.Partition, out _);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                _counts.TryRemove(key.Partition, out _);
            }
        }
    }

    /// <summary>One group's inserts, their due rows and the count row, in one transaction; handoffs indexed already are dropped and the rest retried.</summary>
    private async Task FlushAddsAsync(string partition, IReadOnlyList<IndexWrite> writes)
    {
        var table = await TableAsync(CancellationToken.None).ConfigureAwait(false);
        var todo = writes.GroupBy(w => w.Row.RowKey, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var (count, etag) = _counts.TryGetValue(partition, out var cached) ? cached : await ReadCountAsync(table, partition, CancellationToken.None).ConfigureAwait(false);
            var counterRow = new TableEntity(partition, CountRowKey) { [CountColumn] = count + todo.Count };
            var actions = todo.Select(w => new TableTransactionAction(TableTransactionActionType.Add, w.Row)).ToList();
            actions.AddRange(todo.SelectMany(w => w.With).GroupBy(d => d.RowKey, StringComparer.Ordinal)
                .Select(g => new TableTransactionAction(TableTransactionActionType.UpsertReplace, g.Last())));
            actions.Add(etag == default
                ? new TableTransactionAction(TableTransactionActionType.Add, counterRow)
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, counterRow, etag));
            try
            {
                var response = await table.SubmitTransactionAsync(actions, CancellationToken.None).ConfigureAwait(false);
                if (response.Value.Count == actions.Count && response.Value[^1].Headers.ETag is { } written)
                {
                    _counts[partition] = (count + todo.Count, written);
                }
                else
                {
                    _counts.TryRemove(partition, out _);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404 && attempt < MaxAttempts)
            {
                // A row was there already (a redelivery, or a repair) or the count moved: keep only what is missing.
                _counts.TryRemove(partition, out _);
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
    }

    private static async Task<(int Count, ETag ETag)> ReadCountAsync(TableClient table, string partition, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, CountRowKey, [CountColumn], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? (row.Value!.GetInt32(CountColumn) ?? 0, row.Value.ETag) : (0, default);
    }
}
