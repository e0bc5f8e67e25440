using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Incidents;

/// <summary>
/// The table <c>Incidents</c>, the one owner of its rows. A brand's incidents live in one partition
/// (<c>brand|&lt;brand&gt;</c>), so each step of grouping is one atomic transaction:
/// <list type="bullet">
/// <item><c>i|&lt;incident id&gt;</c>: the incident (count, reach, members listed, posting span, recent posting times, surge);</item>
/// <item><c>b|&lt;band key&gt;</c>: the signature index, each band of an incident's first text naming the incident (with that text, so a candidate is judged without reading it);</item>
/// <item><c>m|&lt;mention key&gt;</c>: membership, inserted with the incident's ETag update: a second delivery of a member fails the insert and counts nothing;
/// a copy that joins carries its ledger columns on it (MentionLedger: the mention's body, status, when it arrived), so joining costs no write of its own in <c>Handoffs</c>;</item>
/// <item><c>s|&lt;incident id&gt;</c>: the hand-over of an incident whose leader ended without a handoff, naming the member that leads it now.</item>
/// <item><c>r|&lt;opened, ticks&gt;|&lt;incident id&gt;</c>: the journal of opens (the bands an incident claimed), inserted with the open, so each instance learns what others opened with one range read (<see cref="IncidentCache"/>).</item>
/// </list>
/// The handoff that leads an incident names its partition (<see cref="Handoffs.HandoffRow.IncidentPartition"/>,
/// written with the handoff and copied to its queue index row), so the API reads an incident without a
/// look-up; handoffs made before that column have a pointer row instead (Incidents, PartitionKey the
/// handoff id, RowKey <c>incident</c>), which is still read.
/// </summary>
public sealed class IncidentStore
{
    private readonly StorageClients _clients;
    private readonly GroupCommit<Write> _writes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Partition, string Id, ETag Before), Stored> _written = new();

    public IncidentStore(StorageClients clients)
    {
        _clients = clients;
        _writes = new GroupCommit<Write>(FlushAsync, TableLimits.MaxTransactionEntities / 2);
    }

    /// <summary>Upper bound of <see cref="IncidentOptions.MaxMembersListed"/>: 50 entries of at most about 620 characters keep the column below a string property's 64 KiB.</summary>
    public const int MaxMembersListedLimit = 50;

    /// <summary>Upper bound of <see cref="IncidentOptions.SurgeCount"/>: the row keeps that many recent posting times.</summary>
    public const int MaxRecentPosted = 100;

    private const string IncidentPrefix = "i|";
    private const string BandPrefix = "b|";
    private const string MemberPrefix = "m|";
    private const string SuccessionPrefix = "s|";
    private const string LookupRowKey = "incident";
    private const string JournalPrefix = "r|";

    public static string BrandPartition(string? brand)
    {
        var name = string.IsNullOrWhiteSpace(brand) ? "-" : brand.Trim().ToLowerInvariant();
        return "brand|" + StorageNames.EscapeKey(name);
    }

    public static string MemberRowKey(string mentionKey) => MemberPrefix + StorageNames.EscapeKey(mentionKey);

    public static string BandRowKey(string band) => BandPrefix + band;

    /// <summary>A band row: which incident holds the band, that incident's first text, and the row's ETag (to take a stale band over).</summary>
    public sealed record Band(string RowKey, string IncidentId, string Representative, ETag ETag);

    /// <summary>An incident with the ETag its update must match.</summary>
    public sealed record Stored(Incident Incident, ETag ETag);

    /// <summary>A membership row: the member's own handoff id (the partition of its ledger row) and when it was posted.</summary>
    public sealed record Membership(string RowKey, string MemberHandoffId, DateTimeOffset PostedAt);

    /// <summary>The membership row of a mention (with the ledger columns a joined copy carries), or null when it is no member.</summary>
    public Task<TableEntity?> MemberRowAsync(string partition, string mentionKey, CancellationToken cancellationToken) =>
        MemberRowAtAsync(partition, MemberRowKey(mentionKey), cancellationToken);

    /// <summary>The membership row at <paramref name="rowKey"/> (a <see cref="Membership.RowKey"/>), or null when it is gone: one point read.</summary>
    public async Task<TableEntity?> MemberRowAtAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>The membership row of the member whose own handoff id is <paramref name="memberHandoffId"/> (a scan of the brand's members; run only at a hand-over).</summary>
    public async Task<TableEntity?> MemberRowByHandoffIdAsync(string partition, string memberHandoffId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = $"PartitionKey eq '{Quote(partition)}' and RowKey ge '{MemberPrefix}' and RowKey lt 'm}}' and HandoffId eq '{Quote(memberHandoffId)}'";
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return row;
        }

        return null;
    }

    /// <summary>The membership rows of copies that joined with their ledger columns and arrived since <paramref name="since"/> (a scan, for the rule dry run).</summary>
    public async IAsyncEnumerable<TableEntity> JoinedSinceAsync(DateTimeOffset since, IReadOnlyList<string> select, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {MemberPrefix} and RowKey lt {"m}"} and ReceivedAt ge {since}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>One query (a partition and at most 14 row keys: within the 15 comparisons a filter may hold): the mention's membership, if any, and the bands held.</summary>
    public async Task<(string? MemberOf, IReadOnlyList<Band> Bands)> LookUpAsync(string partition, string mentionKey, IReadOnlyList<string> bands, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var memberRow = MemberRowKey(mentionKey);
        var filter = $"PartitionKey eq '{Quote(partition)}' and (RowKey eq '{Quote(memberRow)}'"
            + string.Concat(bands.Select(b => $" or RowKey eq '{Quote(BandRowKey(b))}'")) + ")";
        string? memberOf = null;
        var held = new List<Band>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == memberRow)
            {
                memberOf = row.GetString("IncidentId");
            }
            else if (row.GetString("IncidentId") is { } incidentId)
            {
                held.Add(new Band(row.RowKey, incidentId, row.GetString("Representative") ?? "", row.ETag));
            }
        }

        return (memberOf, held);
    }

    public async Task<Stored?> GetAsync(string partition, string incidentId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, IncidentPrefix + incidentId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? new Stored(FromEntity(row.Value!), row.Value!.ETag) : null;
    }

    /// <summary>The incident a handoff leads (one read), or null when it leads none.</summary>
    public async Task<Incident?> ForHandoffAsync(Work.HandoffRecord handoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var partition = handoff.IncidentPartition ?? await LegacyPartitionAsync(handoff.Id, cancellationToken).ConfigureAwait(false);
        return partition is null ? null : (await GetAsync(partition, handoff.Id, cancellationToken).ConfigureAwait(false))?.Incident;
    }

    /// <summary>The incident a handoff leads, by its id (the handoff row is read for where it is), or null when it leads none.</summary>
    public async Task<Incident?> ForHandoffAsync(string handoffId, CancellationToken cancellationToken)
    {
        var handoffs = await _clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var row = await handoffs.GetEntityIfExistsAsync<TableEntity>(handoffId, Handoffs.HandoffRow.RowKey, [Handoffs.HandoffRow.IncidentPartition], cancellationToken).ConfigureAwait(false);
        var partition = (row.HasValue ? row.Value!.GetString(Handoffs.HandoffRow.IncidentPartition) : null) is { Length: > 0 } p
            ? p
            : await LegacyPartitionAsync(handoffId, cancellationToken).ConfigureAwait(false);
        return partition is null ? null : (await GetAsync(partition, handoffId, cancellationToken).ConfigureAwait(false))?.Incident;
    }

    /// <summary>
    /// The incidents of a queue page's handoffs: those that lead one are read together, one query per
    /// brand (at most 14 a query; a page is usually of one brand), so a page of 25 costs one or two
    /// requests whatever its incidents. Handoffs that lead none are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Incident>> ForHandoffsAsync(IEnumerable<Work.HandoffRecord> handoffs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var queries = handoffs
            .Where(h => h.IncidentPartition is not null)
            .GroupBy(h => h.IncidentPartition!, StringComparer.Ordinal)
            .SelectMany(g => g.Select(h => h.Id).Distinct(StringComparer.Ordinal).Chunk(14).Select(ids => (Partition: g.Key, Ids: ids)))
            .ToList();
        var found = await Task.WhenAll(queries.Select(async q =>
        {
            var filter = $"PartitionKey eq '{Quote(q.Partition)}' and ("
                + string.Join(" or ", q.Ids.Select(id => $"RowKey eq '{Quote(IncidentPrefix + id)}'")) + ")";
            var incidents = new List<Incident>();
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                incidents.Add(FromEntity(row));
            }

            return incidents;
        })).ConfigureAwait(false);
        return found.SelectMany(f => f).ToDictionary(i => i.Id, StringComparer.Ordinal);
    }

    /// <summary>Marks the incident closed (its handoff was resolved): a join that read it before fails on its ETag and reads it closed. None there: nothing to do.</summary>
    public async Task CloseAsync(string partition, string incidentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.UpdateEntityAsync(new TableEntity(partition, IncidentPrefix + incidentId) { ["ClosedAt"] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private async Task<string?> LegacyPartitionAsync(string handoffId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await table.GetEntityIfExistsAsync<TableEntity>(handoffId, LookupRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return lookup.HasValue ? lookup.Value!.GetString("Partition") : null;
    }

    /// <summary>What the incidents of two mentions or more add up to (a scan of the incident rows, for the local run's summary).</summary>
    public async Task<IncidentTotals> TotalsAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var totals = new IncidentTotals(0, 0, 0, 0, 0);
        var filter = $"RowKey ge '{IncidentPrefix}' and RowKey lt 'i}}'";
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Count", "Reach", "SurgeAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var count = row.GetInt32("Count") ?? 1;
            if (count < 2)
            {
                continue;
            }

            var reach = row.GetInt64("Reach") ?? 0;
            var largest = count > totals.LargestCount;
            totals = new IncidentTotals(
                totals.Incidents + 1,
                totals.Mentions + count,
                largest ? count : totals.LargestCount,
                largest ? reach : totals.LargestReach,
                totals.Surges + (row.GetDateTimeOffset("SurgeAt") is null ? 0 : 1));
        }

        return totals;
    }

    /// <summary>
    /// Opens an incident led by its first member, and indexes it under the bands given (each either free,
    /// inserted, or held by a stale incident, replaced if its ETag still matches). False when another
    /// writer got there first (a band or the membership taken meanwhile): look again. When written, the
    /// incident row's new ETag (default when the service did not say). Group-committed per brand with
    /// the brand's other opens and joins in flight (<see cref="FlushAsync"/>).
    /// </summary>
    public async Task<(bool Written, ETag ETag)> TryOpenAsync(
        string partition, Incident incident, IncidentMember leader, IReadOnlyList<(string Band, Band? Stale)> bands, DateTimeOffset openedAt, CancellationToken cancellationToken, GroupCommitTicket? expected = null)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(bands);
        var open = new OpenWrite(incident, leader, bands, openedAt);
        await _writes.AddAsync(partition, open, cancellationToken, expected).ConfigureAwait(false);
        return (open.Written, open.ETag);
    }

    /// <summary>An incident opened, as its journal row tells it: its id, first text and the bands it claimed.</summary>
    public sealed record Opened(string IncidentId, string Representative, IReadOnlyList<string> Bands);

    /// <summary>The incidents opened in <paramref name="partition"/> since <paramref name="since"/> (by the opener's clock), one range read (a page per 1,000).</summary>
    public async Task<IReadOnlyList<Opened>> OpenedSinceAsync(string partition, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var from = JournalPrefix + Math.Max(0, since.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        var filter = $"PartitionKey eq '{Quote(partition)}' and RowKey ge '{from}' and RowKey lt 'r}}'";
        var opened = new List<Opened>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["IncidentId", "Representative", "Bands"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.GetString("IncidentId") is { } id)
            {
                opened.Add(new Opened(id, row.GetString("Representative") ?? "", (row.GetString("Bands") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)));
            }
        }

        return opened;
    }

    private static string JournalRowKey(DateTimeOffset at, string incidentId) =>
        JournalPrefix + Math.Max(0, at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "|" + incidentId;

    /// <summary>
    /// Adds a member to the incident as <paramref name="based"/> read it (<paramref name="add"/> makes the
    /// updated incident and says whether this member made it surge), if the incident is unchanged since
    /// (its ETag) and the mention is not a member yet; not written otherwise (look again). Copies of one
    /// incident in flight together join in one write, each one's <paramref name="add"/> applied in turn,
    /// so the count stays exact. <paramref name="ledger"/>: columns stored on the membership row (the
    /// mention's ledger, recorded in the same transaction). When written, the incident as stored and its new ETag.
    /// </summary>
    public async Task<(bool Written, Incident Updated, ETag ETag, bool Surged)> TryJoinAsync(
        string partition, Stored based, IncidentMember member, Func<Incident, (Incident Updated, bool Surged)> add, CancellationToken cancellationToken, GroupCommitTicket? expected = null,
        IReadOnlyDictionary<string, object?>? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(based);
        var join = new JoinWrite(based, member, add, ledger);
        await _writes.AddAsync(partition, join, cancellationToken, expected).ConfigureAwait(false);
        return (join.Written, join.Updated ?? based.Incident, join.ETag, join.Surged);
    }

    /// <summary>A delivery of a mention of this brand partition may open or join an incident soon: the brand's group commit waits for it (briefly).</summary>
    public GroupCommitTicket Expect(string partition) => _writes.Expect(partition);

    /// <summary>
    /// One brand's opens and joins that arrived together, in as few transactions as fit (100 entities
    /// each): every open's rows, each member's row, and each joined incident's update once, with the
    /// joins of one incident applied in turn. A write that cannot go with the others (a band or a
    /// membership another of them writes, an incident read at another ETag) is not written and looks
    /// again, as after a lost race; a transaction that fails on one write's row (409, 412, 404: the
    /// service names the action) leaves that write out, and the rest are sent again. Each write stays
    /// whole in one transaction, so a crash leaves every mention either in its incident or not at all.
    /// </summary>
    private async Task FlushAsync(string partition, IReadOnlyList<Write> writes)
    {
        var table = await TableAsync(CancellationToken.None).ConfigureAwait(false);
        var todo = writes.ToList();
        while (todo.Count > 0)
        {
            var batch = Compose(partition, todo);
            if (batch.Actions.Count > 0)
            {
                try
                {
                    var response = await table.SubmitTransactionAsync(batch.Actions, CancellationToken.None).ConfigureAwait(false);
                    batch.Commit(response.Value);
                    Remember(partition, batch);
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
                {
                    // 404: an incident was handed over meanwhile (its row deleted). Without the failed action's index, none of them is sent again.
                    var index = (ex as TableTransactionFailedException)?.FailedTransactionActionIndex;
                    foreach (var failed in index is { } i && i >= 0 && i < batch.Owners.Count ? batch.Owners[i] : batch.Included)
                    {
                        failed.Settle();
                    }
                }
            }

            todo.RemoveAll(w => w.Settled);
        }
    }

    /// <summary>
    /// What the joins just committed made of each incident, by the ETag they replaced: a join that read the
    /// incident while that commit was in flight is based on the version it wrote instead (the same as a
    /// read would give, unless another writer moved it since: then its ETag fails as before).
    /// </summary>
    private void Remember(string partition, Batch batch)
    {
        if (_written.Count > 10_000)
        {
            _written.Clear();
        }

        foreach (var join in batch.Included.OfType<JoinWrite>().Where(j => j.Written && j.ETag != default))
        {
            _written[(partition, join.Based.Incident.Id, join.Based.ETag)] = new Stored(join.Updated!, join.ETag);
        }
    }

    private Batch Compose(string partition, List<Write> todo)
    {
        var batch = new Batch();
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var joins = new Dictionary<string, List<JoinWrite>>(StringComparer.Ordinal);
        var (taken, entities, bytes) = (0, 0, 0L);

        // Whether a write goes in this transaction: within its entity and payload limits, or the first (a write alone always goes).
        bool Take(int size, long cost)
        {
            if (taken > 0 && (entities + size > TableLimits.MaxTransactionEntities || bytes + cost > TableLimits.MaxTransactionBytes))
            {
                return false;
            }

            (taken, entities, bytes) = (taken + 1, entities + size, bytes + cost);
            return true;
        }

        foreach (var write in todo)
        {
            switch (write)
            {
                case OpenWrite open:
                    var openRows = OpenActions(partition, open);
                    if (openRows.Any(a => rows.Contains(a.Entity.RowKey)))
                    {
                        // Another write of this flush claims one of its rows: it looks again and finds that one's incident.
                        open.Settle();
                    }
                    else if (Take(openRows.Count, openRows.Sum(a => TableLimits.WorstCaseBytes(a.Entity))))
                    {
                        rows.UnionWith(openRows.Select(a => a.Entity.RowKey));
                        batch.Add(open, openRows);
                    }

                    break;
                case JoinWrite join:
                    // Followed through every commit of this instance since it was read (each wrote the next version).
                    for (var hops = 0; hops < 100 && _written.TryGetValue((partition, join.Based.Incident.Id, join.Based.ETag), out var after); hops++)
                    {
                        join.Based = after;
                    }

                    var memberRow = MemberRowKey(join.Member.MentionKey);
                    var group = joins.GetValueOrDefault(join.Based.Incident.Id);
                    if (rows.Contains(memberRow) || (group is not null && group[0].Based.ETag != join.Based.ETag))
                    {
                        // The same mention twice, or the incident read at another ETag than the others joining it: look again.
                        join.Settle();
                    }
                    else if (Take(group is null ? 2 : 1, JoinBytes(partition, join, group is null)))
                    {
                        rows.Add(memberRow);
                        if (group is null)
                        {
                            joins[join.Based.Incident.Id] = group = [];
                        }

                        group.Add(join);
                    }

                    break;
            }
        }

        foreach (var group in joins.Values)
        {
            var incident = group[0].Based.Incident;
            foreach (var join in group)
            {
                (incident, join.Surged) = join.Add(incident);
                batch.Add(join, [new TableTransactionAction(TableTransactionActionType.Add, MemberEntity(partition, incident.Id, join.Member, join.Ledger))]);
            }

            // One update of the incident for all its joins: it fails them all when the incident moved.
            batch.AddShared(group, new TableTransactionAction(TableTransactionActionType.UpdateMerge, ToEntity(partition, incident), group[0].Based.ETag), incident);
        }

        return batch;
    }

    /// <summary>A join's member row, and the first join of an incident its update too (the listing can grow by a member each).</summary>
    private static long JoinBytes(string partition, JoinWrite join, bool first) =>
        TableLimits.WorstCaseBytes(MemberEntity(partition, join.Based.Incident.Id, join.Member, join.Ledger))
        + (first ? TableLimits.WorstCaseBytes(ToEntity(partition, join.Based.Incident)) : 0)
        + (6L * 620);

    private static List<TableTransactionAction> OpenActions(string partition, OpenWrite open)
    {
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, ToEntity(partition, open.Incident)),
            new(TableTransactionActionType.Add, MemberEntity(partition, open.Incident.Id, open.Leader)),
            new(TableTransactionActionType.Add, new TableEntity(partition, JournalRowKey(open.OpenedAt, open.Incident.Id))
            {
                ["IncidentId"] = open.Incident.Id,
                ["Representative"] = open.Incident.Representative,
                ["Bands"] = string.Join(",", open.Bands.Select(b => b.Band)),
            }),
        };
        foreach (var (band, stale) in open.Bands)
        {
            var row = new TableEntity(partition, BandRowKey(band)) { ["IncidentId"] = open.Incident.Id, ["Representative"] = open.Incident.Representative };
            actions.Add(stale is null
                ? new TableTransactionAction(TableTransactionActionType.Add, row)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, stale.ETag));
        }

        return actions;
    }

    /// <summary>One transaction being composed: its actions, whose write(s) each action is, and where each write's incident row is.</summary>
    private sealed class Batch
    {
        private readonly Dictionary<Write, int> _incidentAt = [];

        public List<TableTransactionAction> Actions { get; } = [];

        public List<IReadOnlyList<Write>> Owners { get; } = [];

        public List<Write> Included { get; } = [];

        /// <summary>A write's own rows; an open's incident row is its first.</summary>
        public void Add(Write write, IReadOnlyList<TableTransactionAction> actions)
        {
            if (write is OpenWrite)
            {
                _incidentAt[write] = Actions.Count;
            }

            foreach (var action in actions)
            {
                Actions.Add(action);
                Owners.Add([write]);
            }

            Included.Add(write);
        }

        public void AddShared(IReadOnlyList<JoinWrite> joins, TableTransactionAction update, Incident updated)
        {
            foreach (var join in joins)
            {
                _incidentAt[join] = Actions.Count;
                join.Updated = updated;
            }

            Actions.Add(update);
            Owners.Add(joins);
        }

        public void Commit(IReadOnlyList<Response> responses)
        {
            foreach (var write in Included)
            {
                var at = _incidentAt[write];
                write.Settle(written: true, responses.Count > at && responses[at].Headers.ETag is { } etag ? etag : default);
            }
        }
    }

    /// <summary>A write of a brand's group commit and what became of it.</summary>
    private abstract class Write
    {
        public bool Settled { get; private set; }

        public bool Written { get; private set; }

        public ETag ETag { get; private set; }

        public void Settle(bool written = false, ETag etag = default)
        {
            Settled = true;
            Written = written;
            ETag = etag;
        }
    }

    private sealed class OpenWrite(Incident incident, IncidentMember leader, IReadOnlyList<(string Band, Band? Stale)> bands, DateTimeOffset openedAt) : Write
    {
        public Incident Incident { get; } = incident;

        public IncidentMember Leader { get; } = leader;

        public IReadOnlyList<(string Band, Band? Stale)> Bands { get; } = bands;

        public DateTimeOffset OpenedAt { get; } = openedAt;
    }

    private sealed class JoinWrite(Stored based, IncidentMember member, Func<Incident, (Incident Updated, bool Surged)> add, IReadOnlyDictionary<string, object?>? ledger) : Write
    {
        public IReadOnlyDictionary<string, object?>? Ledger { get; } = ledger;

        /// <summary>The incident as read (or, read while a commit of this instance moved it, as that commit wrote it).</summary>
        public Stored Based { get; set; } = based;

        public IncidentMember Member { get; } = member;

        public Func<Incident, (Incident Updated, bool Surged)> Add { get; } = add;

        public Incident? Updated { get; set; }

        public bool Surged { get; set; }
    }

    /// <summary>Writes the surge's state if the incident is unchanged since read; false when it moved (read again).</summary>
    public async Task<bool> TrySetSurgeAsync(string partition, string incidentId, IncidentSurge surge, ETag etag, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(partition, IncidentPrefix + incidentId);
        WriteSurge(row, surge);
        try
        {
            await table.UpdateEntityAsync(row, etag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>The members of an incident (a scan of the brand's membership rows; run only at a hand-over).</summary>
    public async Task<IReadOnlyList<Membership>> MembersAsync(string partition, string incidentId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = $"PartitionKey eq '{Quote(partition)}' and RowKey ge '{MemberPrefix}' and RowKey lt 'm}}' and IncidentId eq '{Quote(incidentId)}'";
        var members = new List<Membership>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "HandoffId", "PostedAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            // Rows written before the column: the key is the escaped mention key, readable unless it was shortened with a hash.
            var handoffId = row.GetString("HandoffId") ?? HandoffIds.For(Uri.UnescapeDataString(row.RowKey[MemberPrefix.Length..]));
            members.Add(new Membership(row.RowKey, handoffId, row.GetDateTimeOffset("PostedAt") ?? default));
        }

        return members;
    }

    /// <summary>One query: the incident, if it is open, and the member it was handed over to, if it was (null and null: no such incident, or it was closed).</summary>
    public async Task<(Stored? Open, string? SuccessorId)> GetOrSuccessorAsync(string partition, string incidentId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = $"PartitionKey eq '{Quote(partition)}' and (RowKey eq '{Quote(IncidentPrefix + incidentId)}' or RowKey eq '{Quote(SuccessionPrefix + incidentId)}')";
        (Stored? open, string? successor) = (null, null);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey.StartsWith(IncidentPrefix, StringComparison.Ordinal))
            {
                open = new Stored(FromEntity(row), row.ETag);
            }
            else
            {
                successor = Empty(row.GetString("SuccessorId"));
            }
        }

        return (open, successor);
    }

    /// <summary>
    /// Ends an incident whose leader ended without a handoff, in one transaction that fails when anything
    /// moved since <paramref name="ended"/> was read (its ETag; a copy joining meanwhile): its row and the
    /// leader's membership are deleted and, when a member can lead it, the hand-over is recorded, the
    /// successor's incident inserted under its own id, the bands pointed at it and the first members
    /// moved (the rest by <see cref="MoveMembersAsync"/>). With no successor the bands are left stale, so
    /// the next copy opens an incident of its own. False when it lost a race: read again.
    /// </summary>
    public async Task<bool> TryHandOverAsync(
        string partition, Stored ended, string? leaderRowKey, Incident? successor, IReadOnlyList<Band> bands, IReadOnlyList<Membership> members, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Delete, new TableEntity(partition, IncidentPrefix + ended.Incident.Id), ended.ETag),
        };
        if (leaderRowKey is not null)
        {
            // A leader that comes back (restored from the filtered view) then joins like any copy.
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(partition, leaderRowKey), ETag.All));
        }

        if (successor is not null)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(partition, SuccessionPrefix + ended.Incident.Id)
            {
                ["SuccessorId"] = successor.Id,
                ["Reason"] = StoredText.Cap(reason, 2000),
            }));
            actions.Add(new(TableTransactionActionType.Add, ToEntity(partition, successor)));
            actions.AddRange(bands.Select(b => new TableTransactionAction(
                TableTransactionActionType.UpdateReplace,
                new TableEntity(partition, b.RowKey) { ["IncidentId"] = successor.Id, ["Representative"] = successor.Representative },
                b.ETag)));
            actions.AddRange(members.Take(TableLimits.MaxTransactionEntities - actions.Count).Select(m => Moved(partition, m, successor.Id)));
        }

        return (await SubmitAsync(table, actions, 0, cancellationToken).ConfigureAwait(false)).Written;
    }

    /// <summary>Points membership rows at the incident <paramref name="incidentId"/> (merges: a repeat writes the same), a transaction per hundred.</summary>
    public async Task MoveMembersAsync(string partition, IReadOnlyList<Membership> members, string incidentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in members.Chunk(TableLimits.MaxTransactionEntities))
        {
            await table.SubmitTransactionAsync(chunk.Select(m => Moved(partition, m, incidentId)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The band rows that name an incident (a scan of the brand's bands; run only at a hand-over).</summary>
    public async Task<IReadOnlyList<Band>> BandsOfAsync(string partition, string incidentId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = $"PartitionKey eq '{Quote(partition)}' and RowKey ge '{BandPrefix}' and RowKey lt 'b}}' and IncidentId eq '{Quote(incidentId)}'";
        var bands = new List<Band>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            bands.Add(new Band(row.RowKey, incidentId, row.GetString("Representative") ?? "", row.ETag));
        }

        return bands;
    }

    private static TableTransactionAction Moved(string partition, Membership member, string incidentId) =>
        new(TableTransactionActionType.UpdateMerge, new TableEntity(partition, member.RowKey) { ["IncidentId"] = incidentId, ["HandoffId"] = member.MemberHandoffId }, ETag.All);

    /// <summary>Submits the transaction; the ETag is the one the service gave the entity at <paramref name="etagOf"/> (default when it gave none).</summary>
    private static async Task<(bool Written, ETag ETag)> SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, int etagOf, CancellationToken cancellationToken)
    {
        try
        {
            var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return (true, response.Value.Count > etagOf && response.Value[etagOf].Headers.ETag is { } etag ? etag : default);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            // 404: the incident was handed over meanwhile (its row deleted).
            return (false, default);
        }
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => _clients.GetTableAsync(StorageNames.IncidentsTable, cancellationToken);

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    private static TableEntity MemberEntity(string partition, string incidentId, IncidentMember member, IReadOnlyDictionary<string, object?>? ledger = null)
    {
        var row = new TableEntity(partition, MemberRowKey(member.MentionKey));
        foreach (var (name, value) in ledger ?? new Dictionary<string, object?>())
        {
            if (value is not null)
            {
                row[name] = value;
            }
        }

        row["IncidentId"] = incidentId;
        row["PostedAt"] = member.PostedAt;
        row["HandoffId"] = HandoffIds.For(member.MentionKey);
        return row;
    }

    private static TableEntity ToEntity(string partition, Incident incident)
    {
        var row = new TableEntity(partition, IncidentPrefix + incident.Id)
        {
            ["Brand"] = StoredText.Cap(incident.Brand, 400),
            ["Count"] = incident.Count,
            ["Reach"] = incident.Reach,
            ["Members"] = JsonSerializer.Serialize(incident.Members.Select(ToJson).ToList(), IncidentJsonContext.Default.ListMemberJson),
            ["FirstPostedAt"] = incident.FirstPostedAt,
            ["LastPostedAt"] = incident.LastPostedAt,
            ["RecentPostedAt"] = JsonSerializer.Serialize(incident.RecentPostedAt.ToList(), IncidentJsonContext.Default.ListDateTimeOffset),
            ["Representative"] = incident.Representative,
        };
        if (incident.Surge is { } surge)
        {
            WriteSurge(row, surge);
        }

        return row;
    }

    private static void WriteSurge(TableEntity row, IncidentSurge surge)
    {
        row["SurgeAt"] = surge.At;
        row["SurgeReason"] = surge.Reason;
        row["SurgeFrom"] = surge.From ?? "";
        row["SurgeTo"] = surge.To ?? "";
        row["SurgeApplied"] = surge.Applied;
    }

    private static Incident FromEntity(TableEntity row)
    {
        var members = Read(row.GetString("Members"), IncidentJsonContext.Default.ListMemberJson)?.Select(m => new IncidentMember(m.Key, m.Author, m.Url, m.PostedAt)).ToList() ?? [];
        var recent = Read(row.GetString("RecentPostedAt"), IncidentJsonContext.Default.ListDateTimeOffset) ?? [];
        IncidentSurge? surge = row.GetDateTimeOffset("SurgeAt") is { } at
            ? new IncidentSurge(at, row.GetString("SurgeReason") ?? "", Empty(row.GetString("SurgeFrom")), Empty(row.GetString("SurgeTo")), row.GetBoolean("SurgeApplied") ?? false)
            : null;
        return new Incident(
            row.RowKey[IncidentPrefix.Length..],
            row.GetString("Brand") ?? "",
            row.GetInt32("Count") ?? 0,
            row.GetInt64("Reach") ?? 0,
            members,
            row.GetDateTimeOffset("FirstPostedAt") ?? default,
            row.GetDateTimeOffset("LastPostedAt") ?? default,
            recent,
            surge,
            row.GetString("Representative") ?? "",
            row.GetDateTimeOffset("ClosedAt"));
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static T? Read<T>(string? json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // 50 entries of at most 200 + 100 + 240 characters and their JSON stay under the 32,768 characters a string property holds.
    private static MemberJson ToJson(IncidentMember m) =>
        new(StoredText.Cap(m.MentionKey, 200), StoredText.CapOrNull(m.Author, 100), StoredText.CapOrNull(m.Url, 240), m.PostedAt);
}

/// <summary>Incidents of two mentions or more: how many, their mentions, the largest one's count and reach, and how many surged.</summary>
public sealed record IncidentTotals(int Incidents, int Mentions, int LargestCount, long LargestReach, int Surges);

internal sealed record MemberJson(string Key, string? Author, string? Url, DateTimeOffset PostedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<MemberJson>))]
[JsonSerializable(typeof(List<DateTimeOffset>))]
internal sealed partial class IncidentJsonContext : JsonSerializerContext
{
}
