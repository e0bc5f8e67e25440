using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Processing;

/// <summary>
/// The routing decision fixed at the first claim: team, rule, priority, the rule-set version and its
/// explanation and tags, and the SLA policy (name and policy-set version) the handoff is timed by.
/// </summary>
public sealed record ClaimedRoute(
    string Team, string Rule, string Priority, int RuleSetVersion = 0, string Why = "", string Tags = "", string SlaPolicy = "", int SlaPolicyVersion = 0);

/// <summary>How far a mention got, from the table <c>Mentions</c>. <c>IsNew</c> is true when this delivery inserted the row.</summary>
public sealed record MentionEntry(bool IsNew, string Status, ClaimedRoute Route, string HandoffId, bool TeamNotified);

/// <summary>
/// The table <c>Mentions</c>: PartitionKey the escaped source, RowKey the escaped id. Inserting the
/// row is the dedupe (409 = seen before); it also fixes the routing decision, so a redelivery that
/// finds the row finishes the same handoff even if the rules changed in between.
/// </summary>
public sealed class MentionLedger(StorageClients clients, TimeProvider timeProvider)
{
    public const string Received = "Received";
    public const string HandedOff = "HandedOff";
    public const string DeadLettered = "DeadLettered";

    /// <summary>Held out of the team queues as spam (no team, no handoff id): a restore claims the row as a first delivery would.</summary>
    public const string Filtered = "Filtered";

    /// <summary>
    /// Records the mention as filtered (insert; 409 = seen before). True when it is filtered (now or by
    /// an earlier delivery); false when an earlier delivery or a restore already claimed it for a team,
    /// which then stands: the caller goes on as for any redelivery.
    /// </summary>
    public async Task<bool> FilterAsync(MentionMessage mention, IReadOnlyList<string> reasons, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        ArgumentNullException.ThrowIfNull(reasons);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition(mention), Row(mention))
        {
            ["Status"] = Filtered,
            ["SpamReasons"] = StoredText.Cap(string.Join("; ", reasons), 4000),
            ["CorrelationId"] = StoredText.Cap(mention.CorrelationId, 200),
            ["ReceivedAt"] = timeProvider.GetUtcNow(),
            ["Body"] = MentionJson.SerializeCapped(mention, StoredText.MaxPropertyChars, out var bodyTruncated),
            ["BodyTruncated"] = bodyTruncated ? true : null,
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (existing.GetString("Team") is not null || existing.GetString("Status") is HandedOff or DeadLettered)
            {
                return false;
            }

            if (existing.GetString("Status") != Filtered)
            {
                // Only an error was recorded so far (the first delivery failed before deciding): filter it now.
                entity["LastError"] = existing.GetString("LastError");
                await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
    }

    public async Task<MentionEntry> ClaimAsync(MentionMessage mention, ClaimedRoute route, string handoffId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        ArgumentNullException.ThrowIfNull(route);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition(mention), Row(mention))
        {
            ["Status"] = Received,
            ["Team"] = route.Team,
            ["Rule"] = route.Rule,
            ["Priority"] = route.Priority,
            ["RuleSetVersion"] = route.RuleSetVersion,
            ["RuleWhy"] = route.Why,
            ["Tags"] = route.Tags,
            ["SlaPolicy"] = route.SlaPolicy,
            ["SlaPolicyVersion"] = route.SlaPolicyVersion,
            ["HandoffId"] = handoffId,
            ["TeamNotified"] = false,
            ["CorrelationId"] = StoredText.Cap(mention.CorrelationId, 200),
            ["ReceivedAt"] = timeProvider.GetUtcNow(),

            // The mention itself, so a proposed rule set can be dry-run on what really arrived (cut to fit a property, flagged).
            ["Body"] = MentionJson.SerializeCapped(mention, StoredText.MaxPropertyChars, out var bodyTruncated),
            ["BodyTruncated"] = bodyTruncated ? true : null,
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return new MentionEntry(true, Received, route, handoffId, false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (existing.GetString("Team") is not { } existingTeam || existing.GetString("HandoffId") is not { } existingHandoff)
            {
                // Only an error was recorded so far (the first delivery failed before claiming): claim it now.
                entity["LastError"] = existing.GetString("LastError");
                await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return new MentionEntry(true, Received, route, handoffId, false);
            }

            return new MentionEntry(
                false,
                existing.GetString("Status") ?? Received,
                new ClaimedRoute(
                    existingTeam,
                    existing.GetString("Rule") ?? route.Rule,
                    existing.GetString("Priority") ?? route.Priority,
                    existing.GetInt32("RuleSetVersion") ?? 0,
                    existing.GetString("RuleWhy") ?? "",
                    existing.GetString("Tags") ?? "",
                    existing.GetString("SlaPolicy") ?? "",
                    existing.GetInt32("SlaPolicyVersion") ?? 0),
                existingHandoff,
                existing.GetBoolean("TeamNotified") ?? false);
        }
    }

    public Task MarkHandedOffAsync(MentionMessage mention, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["Status"] = HandedOff, ["TeamNotified"] = true, ["HandedOffAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    public Task MarkDeadLetteredAsync(MentionMessage mention, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["Status"] = DeadLettered, ["DeadLetteredAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    public Task RecordErrorAsync(MentionMessage mention, string error, CancellationToken cancellationToken) =>
        MergeAsync(mention, new Dictionary<string, object?> { ["LastError"] = StoredText.Cap(error, 8000), ["LastErrorAt"] = timeProvider.GetUtcNow() }, cancellationToken);

    /// <summary>The mention's status (null when it has no row) and the last processing error recorded on it.</summary>
    public async Task<(string? Status, string? LastError)> GetStateAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(Partition(mention), Row(mention), ["Status", "LastError"], cancellationToken).ConfigureAwait(false);
        return entity.HasValue ? (entity.Value!.GetString("Status"), entity.Value.GetString("LastError")) : (null, null);
    }

    private static string Partition(MentionMessage mention) => StorageNames.EscapeKey(mention.Source);

    private static string Row(MentionMessage mention) => StorageNames.EscapeKey(mention.Id);

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.MentionsTable, cancellationToken);

    private async Task MergeAsync(MentionMessage mention, Dictionary<string, object?> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(values) { PartitionKey = Partition(mention), RowKey = Row(mention) };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }
}
