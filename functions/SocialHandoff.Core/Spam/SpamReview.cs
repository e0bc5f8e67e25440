using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Spam;

/// <summary>A mention in the filtered view.</summary>
public sealed record FilteredMention(
    string Key, string Source, string? Handle, long? Followers, string Text, string? Url, DateTimeOffset? PostedAt, DateTimeOffset? FilteredAt,
    IReadOnlyList<string> Reasons, string Status, string? RestoredBy, DateTimeOffset? RestoredAt, string HandoffId);

/// <summary>What a restore did: the handoff the mention now has, and whether this call was the one that restored it.</summary>
public sealed record RestoreResult(FilteredMention Mention, bool Restored);

/// <summary>
/// The filtered view: what the spam filter held out, and restoring one. A restore marks the row
/// Restored (ETag), appends a "Restored" audit event naming the agent (fixed RowKey), and hands the
/// mention off as ProcessMention would have, skipping only the spam step; every step is idempotent, so a
/// restore repeated, or interrupted and retried, ends with one handoff and one team message.
/// </summary>
public sealed partial class SpamReview(StorageClients clients, ProcessMentionStage process, TimeProvider timeProvider, ILogger<SpamReview> logger)
{
    /// <summary>The filtered mentions, newest first; <paramref name="includeRestored"/> keeps the restored ones too.</summary>
    public async Task<IReadOnlyList<FilteredMention>> ListAsync(int limit, bool includeRestored, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = await clients.GetTableAsync(StorageNames.FilteredMentionsTable, cancellationToken).ConfigureAwait(false);
        var filter = includeRestored
            ? TableClient.CreateQueryFilter($"PartitionKey eq {SpamFilter.FilteredPartition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {SpamFilter.FilteredPartition} and Status eq {SpamFilter.StatusFiltered}");
        var rows = new List<FilteredMention>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: Columns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(From(row));
        }

        return [.. rows.OrderByDescending(r => r.FilteredAt).ThenBy(r => r.Key, StringComparer.Ordinal).Take(limit)];
    }

    /// <summary>The filtered mention of <paramref name="mentionKey"/>, or null when the filter never held it.</summary>
    public async Task<FilteredMention?> GetAsync(string mentionKey, CancellationToken cancellationToken)
    {
        var row = await ReadAsync(mentionKey, cancellationToken).ConfigureAwait(false);
        return row is null ? null : From(row);
    }

    /// <summary>Restores a filtered mention for <paramref name="agent"/>; null when the filter never held it.</summary>
    public async Task<RestoreResult?> RestoreAsync(string mentionKey, string agent, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agent);
        var table = await clients.GetTableAsync(StorageNames.FilteredMentionsTable, cancellationToken).ConfigureAwait(false);
        var restoredNow = false;
        TableEntity? row;
        while (true)
        {
            row = await ReadAsync(mentionKey, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            if (row.GetString("Status") == SpamFilter.StatusRestored)
            {
                break;
            }

            row["Status"] = SpamFilter.StatusRestored;
            row["RestoredBy"] = StoredText.Cap(agent, 200);
            row["RestoredAt"] = timeProvider.GetUtcNow();
            try
            {
                await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                restoredNow = true;
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Another restore got there first: read what it wrote.
            }
        }

        var key = row.GetString("MentionKey") ?? mentionKey;
        var events = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        await SpamFilter.AddOnceAsync(events, new TableEntity(HandoffIds.For(key), SpamFilter.RestoredEventRowKey)
        {
            ["Type"] = "Restored",
            ["At"] = row.GetDateTimeOffset("RestoredAt") ?? timeProvider.GetUtcNow(),
            ["Actor"] = row.GetString("RestoredBy") ?? agent,
            ["Note"] = "restored from the filtered view (was: " + (row.GetString("Reasons") ?? "spam") + ")",
            ["MentionKey"] = StoredText.Cap(key),
        }, cancellationToken).ConfigureAwait(false);

        if (!MentionJson.TryParse(row.GetString("Body"), out var mention, out var reason))
        {
            throw new InvalidOperationException($"The filtered mention {key} has no readable body: {reason}");
        }

        await process.HandOffRestoredAsync(mention, cancellationToken).ConfigureAwait(false);
        if (restoredNow)
        {
            LogRestored(key, agent);
        }

        return new RestoreResult(From(row), restoredNow);
    }

    private static readonly string[] Columns =
        ["MentionKey", "Source", "Handle", "Followers", "Text", "Url", "PostedAt", "FilteredAt", "Reasons", "Status", "RestoredBy", "RestoredAt"];

    private async Task<TableEntity?> ReadAsync(string mentionKey, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.FilteredMentionsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(SpamFilter.FilteredPartition, StorageNames.EscapeKey(mentionKey), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }

    private static FilteredMention From(TableEntity row)
    {
        var key = row.GetString("MentionKey") ?? row.RowKey;
        return new FilteredMention(
            key, row.GetString("Source") ?? "", row.GetString("Handle"), row.GetInt64("Followers"), row.GetString("Text") ?? "", row.GetString("Url"),
            row.GetDateTimeOffset("PostedAt"), row.GetDateTimeOffset("FilteredAt"),
            (row.GetString("Reasons") ?? "").Split("; ", StringSplitOptions.RemoveEmptyEntries), row.GetString("Status") ?? SpamFilter.StatusFiltered,
            row.GetString("RestoredBy"), row.GetDateTimeOffset("RestoredAt"), HandoffIds.For(key));
    }

    [LoggerMessage(EventId = 1251, EventName = "FilteredMentionRestored", Level = LogLevel.Information, Message = "Filtered mention {Key} restored by {Agent} and handed off")]
    private partial void LogRestored(string key, string agent);
}
