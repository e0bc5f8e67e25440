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
/// The table <c>MentionVolume</c>: PartitionKey the hour (yyyyMMddHH, UTC, of posting), one row per
/// mention and series (brand:, rule:, tag:). A mention's rows share the hour, so they are written in
/// one transaction; a redelivery's transaction meets the rows already there (409) and writes nothing,
/// so each mention counts once per series. Owns the row's columns.
/// </summary>
public sealed class VolumeLog(StorageClients clients, IOptions<SpikeOptions> options, TimeProvider timeProvider)
{
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

    public async Task RecordAsync(MentionMessage mention, string team, string rule, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        if (!options.Value.Enabled)
        {
            return;
        }

        var series = SeriesOf(mention.Query, rule, tags);
        if (series.Count == 0)
        {
            return;
        }

        // A post dated ahead of our clock counts now, not in an hour no sweep has reached.
        var now = timeProvider.GetUtcNow();
        var hour = HourKey(SpikeDetector.HourStart(mention.PostedAt > now ? now : mention.PostedAt));
        var table = await clients.GetTableAsync(StorageNames.MentionVolumeTable, cancellationToken).ConfigureAwait(false);
        var actions = series.Select(s => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(hour, StorageNames.EscapeKey(s + "|" + mention.Key))
        {
            ["Series"] = StoredText.Cap(s, 1000),
            ["Team"] = team,
            ["Text"] = StoredText.Cap(mention.Text, 500),
            ["Url"] = StoredText.CapOrNull(mention.Url, 1000),
            ["MentionKey"] = StoredText.Cap(mention.Key),
        })).ToList();
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Written by an earlier delivery (the transaction is all or nothing).
        }
    }

    /// <summary>The hour's rows, by series.</summary>
    public async Task<IReadOnlyDictionary<string, List<VolumeRow>>> ReadHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.MentionVolumeTable, cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<string, List<VolumeRow>>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {HourKey(hour)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var row = new VolumeRow(e.GetString("Series") ?? "", e.GetString("Team") ?? "", e.GetString("Text") ?? "", e.GetString("Url"), e.GetString("MentionKey") ?? e.RowKey);
            (rows.TryGetValue(row.Series, out var list) ? list : rows[row.Series] = []).Add(row);
        }

        return rows;
    }
}
