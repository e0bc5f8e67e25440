using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Spikes;

/// <summary>A spike under way: the series, its hour, the count against the threshold, and what it is about.</summary>
public sealed record ActiveSpike(
    string SpikeId, string Series, string Team, DateTimeOffset Hour, int Count, int Threshold, string Why,
    IReadOnlyList<string> TopWords, IReadOnlyList<string> Examples, DateTimeOffset RaisedAt);

/// <summary>What one run did; <see cref="VolumeRowsPruned"/>: rows of folded hours deleted from <c>MentionVolume</c>.</summary>
public sealed record SpikeRunResult(int HoursFolded, int Raised, int Recovered, int Active, int VolumeRowsPruned = 0)
{
    public static readonly SpikeRunResult Skipped = new(0, 0, 0, 0);
}

/// <summary>
/// The spike detector's run (from the SLA sweep's timer). First it folds every finished hour since the
/// last run into the baselines (<c>VolumeBaselines</c>: one row per series and hour of the week, each
/// remembering the last hour folded, so a repeated run folds nothing twice; a series with no mention
/// in an hour folds a zero). Then it compares the running hour's count of each series with its
/// threshold (<see cref="SpikeDetector.Threshold"/>). A spike is raised once: the "active" row is
/// inserted (409 = raised before), then the team is told through the notification outbox (one notice
/// id per spike), an audit event is written (fixed key) and the dashboard shows a banner while the row
/// lives. When a later hour has ended below its threshold and the running one is below too, the row
/// is deleted (ETag) and a recovery notice and event follow, again once each. Last, the volume rows of
/// hours folded long enough ago are pruned, a bounded number a run. Hours are those of Spikes:TimeZone.
/// </summary>
public sealed partial class SpikeSweepStage(
    VolumeLog volume, StorageClients clients, NotificationOutbox outbox, IOptions<SpikeOptions> options, IOptions<SlaOptions> sla,
    TimeProvider timeProvider, ILogger<SpikeSweepStage> logger)
{
    private const string StatePartition = "state";
    private const string FoldRow = "fold";
    private const string SeriesPartition = "series";
    private const string ActivePartition = "active";
    private const int MaxHoursPerRun = 7 * 24;

    /// <summary>
    /// Hours of volume rows kept behind the last hour folded: a run reads only the running and the
    /// previous hour once folded, so two days is for a person to look back at, not for the baselines.
    /// </summary>
    public const int KeepFoldedHours = 48;

    /// <summary>Rows pruned at most a run: a backlog (the first run after this came in) drains over runs without holding the SLA timer.</summary>
    public const int MaxPrunedRowsPerRun = 2000;

    private readonly SpikeOptions _options = options.Value;
    private readonly TimeZoneInfo _zone = options.Value.Zone() ?? TimeZoneInfo.Utc;

    /// <summary>Runs when the minute of <paramref name="asOf"/> is a multiple of Spikes:CheckEveryMinutes (the SLA timer ticks every minute).</summary>
    public Task<SpikeRunResult> RunIfDueAsync(DateTimeOffset asOf, CancellationToken cancellationToken) =>
        _options.Enabled && asOf.UtcDateTime.Minute % _options.CheckEveryMinutes == 0 ? RunAsync(asOf, cancellationToken) : Task.FromResult(SpikeRunResult.Skipped);

    public async Task<SpikeRunResult> RunAsync(DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return SpikeRunResult.Skipped;
        }

        var table = await clients.GetTableAsync(StorageNames.VolumeBaselinesTable, cancellationToken).ConfigureAwait(false);
        var hour = SpikeDetector.HourStart(asOf, _zone);
        var known = await KnownSeriesAsync(table, cancellationToken).ConfigureAwait(false);
        var folded = await FoldFinishedHoursAsync(table, hour, known, cancellationToken).ConfigureAwait(false);

        var now = await volume.ReadHourAsync(hour, cancellationToken).ConfigureAwait(false);
        await RegisterAsync(table, known, now.Keys, cancellationToken).ConfigureAwait(false);
        var active = await ActiveRowsAsync(table, cancellationToken).ConfigureAwait(false);
        int raised = 0, recovered = 0;
        foreach (var (series, rows) in now)
        {
            if (active.ContainsKey(series))
            {
                continue;
            }

            var threshold = SpikeDetector.Threshold(await BaselineAsync(table, series, hour, cancellationToken).ConfigureAwait(false), _options);
            if (rows.Count >= threshold.Count && await RaiseAsync(table, series, hour, rows, threshold, cancellationToken).ConfigureAwait(false))
            {
                raised++;
            }
        }

        IReadOnlyDictionary<string, List<VolumeRow>>? previous = null;
        foreach (var (series, row) in active.Where(a => a.Value.GetDateTimeOffset("Hour") < hour))
        {
            previous ??= await volume.ReadHourAsync(hour.AddHours(-1), cancellationToken).ConfigureAwait(false);
            var before = SpikeDetector.Threshold(await BaselineAsync(table, series, hour.AddHours(-1), cancellationToken).ConfigureAwait(false), _options);
            var current = SpikeDetector.Threshold(await BaselineAsync(table, series, hour, cancellationToken).ConfigureAwait(false), _options);
            var countBefore = previous.TryGetValue(series, out var p) ? p.Count : 0;
            var countNow = now.TryGetValue(series, out var c) ? c.Count : 0;
            if (countBefore < before.Count && countNow < current.Count && await RecoverAsync(table, row, countBefore, cancellationToken).ConfigureAwait(false))
            {
                recovered++;
            }
        }

        var pruned = await PruneAsync(table, hour, cancellationToken).ConfigureAwait(false);
        var result = new SpikeRunResult(folded, raised, recovered, active.Count + raised - recovered, pruned);
        LogRun(asOf, folded, raised, recovered);
        return result;
    }

    /// <summary>The spikes under way, for the dashboard's banner and the API.</summary>
    public async Task<IReadOnlyList<ActiveSpike>> ActiveAsync(CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.VolumeBaselinesTable, cancellationToken).ConfigureAwait(false);
        return [.. (await ActiveRowsAsync(table, cancellationToken).ConfigureAwait(false)).Values.Select(ToSpike).OrderByDescending(s => s.RaisedAt)];
    }

    /// <summary>Deletes volume rows older than <see cref="KeepFoldedHours"/> before the last hour folded (never an hour not folded yet).</summary>
    private async Task<int> PruneAsync(TableClient table, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var state = await table.GetEntityIfExistsAsync<TableEntity>(StatePartition, FoldRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        var foldedThrough = state.HasValue ? state.Value!.GetDateTimeOffset("FoldedThrough") : null;
        if (foldedThrough is not { } through)
        {
            return 0;
        }

        var before = (through < hour ? through : hour).AddHours(-KeepFoldedHours);
        return await volume.PruneAsync(before, MaxPrunedRowsPerRun, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> FoldFinishedHoursAsync(TableClient table, DateTimeOffset hour, HashSet<string> known, CancellationToken cancellationToken)
    {
        var state = await table.GetEntityIfExistsAsync<TableEntity>(StatePartition, FoldRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!state.HasValue)
        {
            // Cold start: history begins now; nothing before the first run is folded (there is none).
            await AddOnceAsync(table, new TableEntity(StatePartition, FoldRow) { ["FoldedThrough"] = hour.AddHours(-1) }, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        var through = state.Value!.GetDateTimeOffset("FoldedThrough") ?? hour.AddHours(-1);
        var next = through.AddHours(1) < hour.AddHours(-MaxHoursPerRun) ? hour.AddHours(-MaxHoursPerRun) : through.AddHours(1);
        var folded = 0;
        for (var h = next; h < hour; h = h.AddHours(1))
        {
            var rows = await volume.ReadHourAsync(h, cancellationToken).ConfigureAwait(false);
            await RegisterAsync(table, known, rows.Keys, cancellationToken).ConfigureAwait(false);
            foreach (var series in known)
            {
                await FoldAsync(table, series, h, rows.TryGetValue(series, out var list) ? list.Count : 0, cancellationToken).ConfigureAwait(false);
            }

            await table.UpsertEntityAsync(new TableEntity(StatePartition, FoldRow) { ["FoldedThrough"] = h }, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            folded++;
        }

        return folded;
    }

    private async Task FoldAsync(TableClient table, string series, DateTimeOffset hour, int count, CancellationToken cancellationToken)
    {
        var (partition, row) = BaselineKey(series, hour);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.HasValue && existing.Value!.GetDateTimeOffset("LastHour") >= hour)
        {
            return;
        }

        var baseline = existing.HasValue ? Read(existing.Value!) : HourBaseline.Empty;
        var next = SpikeDetector.Fold(baseline, count, _options.Alpha);
        var entity = new TableEntity(partition, row) { ["Mean"] = next.Mean, ["Variance"] = next.Variance, ["Weeks"] = next.Weeks, ["LastHour"] = hour, ["LastCount"] = count };
        if (existing.HasValue)
        {
            await table.UpdateEntityAsync(entity, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HourBaseline> BaselineAsync(TableClient table, string series, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var (partition, row) = BaselineKey(series, hour);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return existing.HasValue ? Read(existing.Value!) : HourBaseline.Empty;
    }

    private static HourBaseline Read(TableEntity e) => new(e.GetDouble("Mean") ?? 0, e.GetDouble("Variance") ?? 0, e.GetInt32("Weeks") ?? 0);

    private (string Partition, string Row) BaselineKey(string series, DateTimeOffset hour) =>
        ("b|" + StorageNames.EscapeKey(series), SpikeDetector.HourOfWeek(hour, _zone).ToString("000", CultureInfo.InvariantCulture));

    /// <summary>Every series seen so far (the registry): each folds a zero for an hour without mentions.</summary>
    private static async Task<HashSet<string>> KnownSeriesAsync(TableClient table, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {SeriesPartition}"), select: ["Series"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            known.Add(e.GetString("Series") ?? "");
        }

        return known;
    }

    private static async Task RegisterAsync(TableClient table, HashSet<string> known, IEnumerable<string> seen, CancellationToken cancellationToken)
    {
        foreach (var series in seen.Where(s => !known.Contains(s)).ToList())
        {
            await AddOnceAsync(table, new TableEntity(SeriesPartition, StorageNames.EscapeKey(series)) { ["Series"] = series }, cancellationToken).ConfigureAwait(false);
            known.Add(series);
        }
    }

    private static async Task<Dictionary<string, TableEntity>> ActiveRowsAsync(TableClient table, CancellationToken cancellationToken)
    {
        var active = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ActivePartition}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            active[e.GetString("Series") ?? e.RowKey] = e;
        }

        return active;
    }

    private async Task<bool> RaiseAsync(TableClient table, string series, DateTimeOffset hour, List<VolumeRow> rows, SpikeThreshold threshold, CancellationToken cancellationToken)
    {
        var spikeId = "s-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(series + "|" + VolumeLog.HourKey(hour))), 0, 16);
        var team = rows.GroupBy(r => r.Team).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var words = SpikeDetector.TopWords(rows.Select(r => r.Text), 5);
        var examples = rows.Select(r => r.Text).Distinct(StringComparer.Ordinal).Take(3).ToList();
        var entity = new TableEntity(ActivePartition, StorageNames.EscapeKey(series))
        {
            ["SpikeId"] = spikeId,
            ["Series"] = series,
            ["Team"] = team,
            ["Hour"] = hour,
            ["Count"] = rows.Count,
            ["Threshold"] = threshold.Count,
            ["Why"] = threshold.Why,
            ["TopWords"] = string.Join("\n", words),
            ["Examples"] = StoredText.Cap(string.Join("\n", examples.Select(e => e.ReplaceLineEndings(" "))), 4000),
            ["RaisedAt"] = timeProvider.GetUtcNow(),
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }

        var spike = ToSpike(entity);
        await NotifyAsync(spike, "alert", $"{series}: {spike.Count} mentions this hour (spike at {spike.Threshold}; {spike.Why})", cancellationToken).ConfigureAwait(false);
        LogRaised(series, spike.Count, spike.Threshold, team);
        Telemetry.SocialHandoffTelemetry.VolumeSpikes.Add(1, Telemetry.SocialHandoffTelemetry.Tag(Telemetry.SocialHandoffTelemetry.Tags.Team, team));
        return true;
    }

    private async Task<bool> RecoverAsync(TableClient table, TableEntity row, int lastHourCount, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }

        var spike = ToSpike(row);
        await NotifyAsync(spike, "recovered", $"{spike.Series}: back below its usual level ({lastHourCount} mentions in the last full hour)", cancellationToken).ConfigureAwait(false);
        LogRecovered(spike.Series, lastHourCount);
        return true;
    }

    private async Task NotifyAsync(ActiveSpike spike, string level, string summary, CancellationToken cancellationToken)
    {
        var reasons = new List<string> { "top words: " + string.Join(", ", spike.TopWords) };
        reasons.AddRange(spike.Examples.Select(e => "example: " + e));
        var events = await clients.GetTableAsync(StorageNames.HandoffEventsTable, cancellationToken).ConfigureAwait(false);
        await AddOnceAsync(events, new TableEntity(spike.SpikeId, level == "alert" ? "000000-spike" : "000001-recovered")
        {
            ["Type"] = level == "alert" ? "SpikeAlert" : "SpikeRecovered",
            ["At"] = timeProvider.GetUtcNow(),
            ["Actor"] = "spike detector",
            ["Team"] = spike.Team,
            ["Series"] = spike.Series,
            ["Note"] = StoredText.Cap(summary + "; " + string.Join("; ", reasons), 8000),
        }, cancellationToken).ConfigureAwait(false);
        await outbox.DeliverAsync(
            new EscalationNotice(
                spike.SpikeId + ":" + level, spike.SpikeId, spike.Team, "Volume spike", level, summary, null, "P2", 0, 0, reasons,
                spike.Hour.AddHours(1), new Uri(sla.Value.LinkBaseUrl, "../?spike=" + Uri.EscapeDataString(spike.SpikeId))),
            cancellationToken).ConfigureAwait(false);
    }

    private static ActiveSpike ToSpike(TableEntity e) => new(
        e.GetString("SpikeId") ?? "", e.GetString("Series") ?? "", e.GetString("Team") ?? "", e.GetDateTimeOffset("Hour") ?? DateTimeOffset.MinValue,
        e.GetInt32("Count") ?? 0, e.GetInt32("Threshold") ?? 0, e.GetString("Why") ?? "",
        (e.GetString("TopWords") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries), (e.GetString("Examples") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries),
        e.GetDateTimeOffset("RaisedAt") ?? DateTimeOffset.MinValue);

    private static async Task AddOnceAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    [LoggerMessage(EventId = 1270, EventName = "VolumeSpikeRaised", Level = LogLevel.Warning, Message = "Volume spike in {Series}: {Count} mentions this hour (threshold {Threshold}); team {Team} told")]
    private partial void LogRaised(string series, int count, int threshold, string team);

    [LoggerMessage(EventId = 1271, EventName = "VolumeSpikeRecovered", Level = LogLevel.Information, Message = "Volume spike in {Series} is over ({Count} mentions in the last full hour)")]
    private partial void LogRecovered(string series, int count);

    [LoggerMessage(EventId = 1272, EventName = "SpikeSweepRan", Level = LogLevel.Debug, Message = "Spike sweep as of {AsOf}: {Folded} hours folded, {Raised} raised, {Recovered} recovered")]
    private partial void LogRun(DateTimeOffset asOf, int folded, int raised, int recovered);
}
