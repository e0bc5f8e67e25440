using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Handoffs;

/// <summary>A handoff as created by the pipeline (the row in <c>Handoffs</c>).</summary>
public sealed record NewHandoff(
    string HandoffId,
    string MentionKey,
    string CorrelationId,
    string Team,
    string Rule,
    string Priority,
    int Urgency,
    string Sentiment,
    double SentimentCompound,
    IReadOnlyList<Scoring.Urgency.UrgencyReason> Reasons,
    string Text,
    string? Language,
    string? Url,
    string? AuthorHandle,
    long? AuthorFollowers,
    DateTimeOffset PostedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset FirstResponseDueAt,
    DateTimeOffset ResolutionDueAt,
    Sla.HandoffSla? Sla = null,
    int RuleSetVersion = 0,
    IReadOnlyList<string>? RuleWhy = null,
    IReadOnlyList<string>? Tags = null);

/// <summary>
/// Writes <c>Handoffs</c> (PartitionKey the handoff id, RowKey "handoff": a point read, and reassigning
/// later is an ETag update of one entity), <c>HandoffEvents</c> (PartitionKey the handoff id, RowKey a
/// deterministic event key) and the team queues. Inserts treat 409 as done.
/// </summary>
public sealed class HandoffStore(StorageClients clients)
{
    public const string HandoffRowKey = "handoff";
    public const string CreatedEventRowKey = "000000-created";
    public const string StatusOpen = "Open";
    public const string StatusResolved = "Resolved";

    /// <summary>The column holding the serialized <see cref="Sla.HandoffSla"/>.</summary>
    public const string SlaColumn = "Sla";

    /// <summary>The most characters of a mention's text a team message carries (the handoff row keeps up to <see cref="StoredText.MaxPropertyChars"/>).</summary>
    internal const int TeamMessageTextChars = 2000;

    /// <summary>The most characters of an outside value (mention key, link) a team message carries, so the message stays far below the queue's 64 KiB.</summary>
    internal const int TeamMessageFieldChars = 1000;

    /// <summary>Inserts the handoff; when it exists already, returns the stored one (its due times were fixed when it was created).</summary>
    public async Task<NewHandoff> CreateAsync(NewHandoff handoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var reasons = JsonSerializer.Serialize(
            handoff.Reasons.Select(r => new ReasonJson(r.Signal, r.Text, r.Points)).ToList(),
            HandoffJsonContext.Default.ListReasonJson);
        var entity = new TableEntity(handoff.HandoffId, HandoffRowKey)
        {
            ["MentionKey"] = StoredText.Cap(handoff.MentionKey),
            ["CorrelationId"] = StoredText.Cap(handoff.CorrelationId, 200),
            ["Team"] = handoff.Team,
            ["Rule"] = handoff.Rule,
            ["Priority"] = handoff.Priority,
            ["Urgency"] = handoff.Urgency,
            ["Sentiment"] = handoff.Sentiment,
            ["SentimentCompound"] = handoff.SentimentCompound,
            ["Reasons"] = reasons,
            ["Status"] = StatusOpen,
            ["Text"] = StoredText.Cap(handoff.Text, StoredText.MaxPropertyChars, out var textTruncated),
            ["TextTruncated"] = textTruncated ? true : null,
            ["TextLength"] = handoff.Text.Length,
            ["Language"] = StoredText.CapOrNull(handoff.Language, 100),
            ["Url"] = StoredText.CapOrNull(handoff.Url, 4000),
            ["AuthorHandle"] = StoredText.CapOrNull(handoff.AuthorHandle, 1000),
            ["AuthorFollowers"] = handoff.AuthorFollowers,
            ["PostedAt"] = handoff.PostedAt,
            ["CreatedAt"] = handoff.CreatedAt,
            ["FirstResponseDueAt"] = handoff.FirstResponseDueAt,
            ["ResolutionDueAt"] = handoff.ResolutionDueAt,
            ["RuleSetVersion"] = handoff.RuleSetVersion,
            ["RuleWhy"] = handoff.RuleWhy is null ? null : string.Join("; ", handoff.RuleWhy),
            ["Tags"] = handoff.Tags is null ? null : string.Join(",", handoff.Tags),
            ["SlaPolicy"] = handoff.Sla?.PolicyName,
            ["SlaPolicyVersion"] = handoff.Sla?.PolicyVersion,
            [SlaColumn] = handoff.Sla?.ToJson(),
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return handoff;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var stored = (await table.GetEntityAsync<TableEntity>(handoff.HandoffId, HandoffRowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return handoff with
            {
                Team = stored.GetString("Team") ?? handoff.Team,
                Priority = stored.GetString("Priority") ?? handoff.Priority,
                CreatedAt = stored.GetDateTimeOffset("CreatedAt") ?? handoff.CreatedAt,
                FirstResponseDueAt = stored.GetDateTimeOffset("FirstResponseDueAt") ?? handoff.FirstResponseDueAt,
                ResolutionDueAt = stored.GetDateTimeOffset("ResolutionDueAt") ?? handoff.ResolutionDueAt,
                Sla = stored.GetString(SlaColumn) is { } sla ? Sla.HandoffSla.FromJson(sla) : null,
            };
        }
    }

    /// <summary>Appends the "Created" audit event; its RowKey is fixed, so a retry finds it and stops.</summary>
    public async Task AppendCreatedEventAsync(NewHandoff handoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var table = await clients.GetTableAsync(StorageNames.HandoffEventsTable, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(handoff.HandoffId, CreatedEventRowKey)
        {
            ["Type"] = "Created",
            ["At"] = handoff.CreatedAt,
            ["Actor"] = "pipeline",
            ["Team"] = handoff.Team,
            ["Priority"] = handoff.Priority,
            ["Rule"] = handoff.Rule,
            ["RuleSetVersion"] = handoff.RuleSetVersion,
            ["SlaPolicy"] = handoff.Sla?.PolicyName,
            ["SlaPolicyVersion"] = handoff.Sla?.PolicyVersion,
            ["MentionKey"] = StoredText.Cap(handoff.MentionKey),
            ["CorrelationId"] = StoredText.Cap(handoff.CorrelationId, 200),
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    public async Task SendToTeamAsync(NewHandoff handoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        await SendAsync(
            TeamMessage(
                handoff.CorrelationId, handoff.HandoffId, handoff.MentionKey, handoff.Team, handoff.Priority, handoff.Urgency, handoff.Sentiment,
                handoff.Text, handoff.Url, handoff.FirstResponseDueAt, handoff.ResolutionDueAt),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A team message with the outside values cut to their limits, so any mention that fitted the incoming queue fits a team queue.</summary>
    public static HandoffMessage TeamMessage(
        string correlationId, string handoffId, string mentionKey, string team, string priority, int urgency, string sentiment,
        string text, string? url, DateTimeOffset firstResponseDueAt, DateTimeOffset resolutionDueAt) =>
        new(
            HandoffMessage.CurrentSchemaVersion, StoredText.Cap(correlationId, 200), handoffId, StoredText.Cap(mentionKey, TeamMessageFieldChars), team,
            priority, urgency, sentiment, StoredText.Cap(text, TeamMessageTextChars), StoredText.CapOrNull(url, TeamMessageFieldChars),
            firstResponseDueAt, resolutionDueAt);

    /// <summary>Puts a message on its team's queue (a new handoff, or one moved to that team).</summary>
    public async Task SendAsync(HandoffMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var queue = await clients.GetQueueAsync(StorageNames.TeamQueue(message.Team), cancellationToken).ConfigureAwait(false);
        var traced = message.TraceParent is null && System.Diagnostics.Activity.Current is { } span ? message with { TraceParent = span.Id } : message;
        await queue.SendMessageAsync(HandoffIds.Serialize(traced), cancellationToken).ConfigureAwait(false);
    }
}
