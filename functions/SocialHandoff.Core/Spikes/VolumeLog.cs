using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Spikes;

/// <summary>One mention counted in a series in an hour (a row of <c>MentionVolume</c>).</summary>
public sealed record VolumeRow(string Series, string Team, string Text, string? Url, string MentionKey);

/// <summary>
/// The table <c>MentionVolume</c>: one row per mention and series (brand:, rule:, tag:), RowKey the hour
/// of posting (yyyyMMddHH, UTC, of the instant the local hour of Spikes:TimeZone began) then the series
/// and the mention; PartitionKey the hour it was processed in (same form). Every mention processed in
/// an hour shares its partition whenever it was posted, so the rows of concurrent mentions go in one
/// transaction (group commit, as the queue index does): most mentions cost a share of one request, not
/// one each, also when a backlog of older posts arrives. A post is processed in its posting hour or
/// later, so an hour's rows are in its partition and the ones after it (<see cref="ReadHourAsync"/>).
/// Rows are upserted with values fixed by the mention and its stored route, and read once per series
/// and mention, so a redelivery (in the same hour or a later one) counts once. Hours the baselines have
/// folded are pruned (<see cref="PruneAsync"/>). Owns the row's columns.
/// </summary>
public sealed class VolumeLog
{
    private readonly StorageClients _clients;
    private readonly IOptions<SpikeOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly TimeZoneInfo _zone;
    private readonly GroupCommit<IReadOnlyList<TableEntity>> _writes;

    public VolumeLog(StorageClients clients, IOptions<SpikeOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _options = options;
        _timeProvider = timeProvider;
        _zone = options.Value.Zone() ?? TimeZoneInfo.Utc;
        _writes = new GroupCommit<IReadOnlyList<TableEntity>>(FlushAsync, maxBatch: 30);
    }

    public static string HourKey(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>The series a mention counts in: its brand (the source's query), its routing rule, each of its tags.</summary>
    public static IReadOnlyList<string> SeriesOf(string? brand, string rule, IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var series = new List<string>();
        if (!string.IsNullOrWhiteSpace(brand))
        {
            series.Add("brand:" + brand.Trim());
        }

        if (!string.IsNullOrWhiteSpace(rule))
        {
            series.Add("rule:" + rule);
        }

        series.AddRange(tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => "tag:" + t.Trim()));
        return [.. series.Distinct(StringComparer.Ordinal).Take(90)];
    }

    /// <summary>Says that a mention's rows are on their way (pass the ticket to <see cref="RecordAsync"/>, dispose of it after): the hour's group commit waits for them briefly.</summary>
    public GroupCommitTicket Expect() =>
        _options.Value.Enabled ? _writes.Expect(HourKey(SpikeDetector.HourStart(_timeProvider.GetUtcNow(), _zone))) : GroupCommitTicket.None;

    public async Task RecordAsync(MentionMessage mention, string team, string rule, IReadOnlyList<string> tags, CancellationToken cancellationToken, GroupCommitTicket? expected = null)
    {
        ArgumentNullException.ThrowIfNull(mention);
        if (!_options.Value.Enabled)
        {
            return;
        }

        var series = SeriesOf(mention.Query, rule, tags);
        if (series.Count == 0)
        {
            return;
        }

        // A post dated ahead of our clock counts now, not in an hour no sweep has reached.
        var now = _timeProvider.GetUtcNow();
        var posted = HourKey(SpikeDetector.HourStart(mention.PostedAt > now ? now : mention.PostedAt, _zone));
        var processed = HourKey(SpikeDetector.HourStart(now, _zone));
        var rows = series.Select(s => new TableEntity(processed, posted + "|" + StorageNames.EscapeKey(s + "|" + mention.Key))
        {
            ["Series"] = StoredText.Cap(s, 1000),
            ["Team"] = team,
            ["Text"] = StoredText.Cap(mention.Text, 500),
            ["Url"] = StoredText.CapOrNull(mention.Url, 1000),
            ["MentionKey"] = StoredText.Cap(mention.Key),
        }).ToList();
        await _writes.AddAsync(processed, rows, cancellationToken, expected).ConfigureAwait(false);
    }

    /// <summary>One hour's rows of the mentions that arrived together, upserted (a row twice in the group: the last copy).</summary>
    private async Task FlushAsync(string hour, IReadOnlyList<IReadOnlyList<TableEntity>> writes)
    {
        var table = await _clients.GetTableAsync(StorageNames.MentionVolumeTable, CancellationToken.None).ConfigureAwait(false);
        var rows = writes.SelectMany(w => w).GroupBy(r => r.RowKey, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        foreach (var chunk in rows.Chunk(TableLimits.MaxTransactionEntities))
        {
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the rows processed in hours before <paramref name="before"/> (so posted before it too), at
    /// most <paramref name="maxRows"/> a call (the oldest first), so one run's work is bounded and the next one goes on. Idempotent: a
    /// row already gone counts for nothing. Returns how many rows it deleted.
    /// </summary>
    public async Task<int> PruneAsync(DateTimeOffset before, int maxRows, CancellationToken cancellationToken)
    {
        var table = await _clients.GetTableAsync(StorageNames.MentionVolumeTable, cancellationToken).ConfigureAwait(false);
        var old = new List<(string Partition, string Row)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {HourKey(before)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(maxRows, 1000), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            old.Add((e.PartitionKey, e.RowKey));
            if (old.Count >= maxRows)
            {
                break;
            }
        }

        var deleted = 0;
        foreach (var chunk in old.GroupBy(r => r.Partition, StringComparer.Ordinal).SelectMany(p => p.Chunk(TableLimits.MaxTransactionEntities)))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.Partition, r.Row), ETag.All)), cancellationToken).ConfigureAwait(false);
                deleted += chunk.Length;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // One of them went meanwhile (an overlapping run): delete the rest one by one.
                foreach (var (partition, row) in chunk)
                {
                    var response = await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken).ConfigureAwait(false);
                    deleted += response.Status == 404 ? 0 : 1;
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// The rows of the mentions posted in <paramref name="hour"/>, by series, each mention once per series:
    /// one query over the partitions of that hour and after (rows written before processing hours
    /// partitioned them, keyed by series alone in their posting hour's partition, are read too).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, List<VolumeRow>>> ReadHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var table = await _clients.GetTableAsync(StorageNames.MentionVolumeTable, cancellationToken).ConfigureAwait(false);
        var key = HourKey(hour);
        // ':' sorts after the digits an hour key starts with and before the letters a series starts with.
        var filter = TableClient.CreateQueryFilter(
            $"(PartitionKey eq {key} and RowKey ge {":"}) or (PartitionKey ge {key} and RowKey ge {key + "|"} and RowKey lt {key + "}"})");
        var rows = new Dictionary<string, List<VolumeRow>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var row = new VolumeRow(e.GetString("Series") ?? "", e.GetString("Team") ?? "", e.GetString("Text") ?? "", e.GetString("Url"), e.GetString("MentionKey") ?? e.RowKey);
            if (seen.Add((row.Series, row.MentionKey)))
            {
                (rows.TryGetValue(row.Series, out var list) ? list : rows[row.Series] = []).Add(row);
            }
        }

        return rows;
    }
}
