using System.Diagnostics;
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
    IReadOnlyList<string>? Tags = null,
    string? TeamMessageClaim = null);

/// <summary>
/// Writes <c>Handoffs</c> (PartitionKey the handoff id, RowKey "handoff": a point read, and reassigning
/// later is an ETag update of one entity), <c>HandoffEvents</c> (PartitionKey the handoff id, RowKey a
/// deterministic event key) and the team queues. Inserts treat 409 as done.
/// </summary>
public sealed class HandoffStore(StorageClients clients, TimeProvider timeProvider)
{
    /// <summary>
    /// How long a delivery holds the right to send a new handoff's team message: 60 s. A claim still
    /// unsent after it is taken for a crash, and another delivery sends the message. Long enough that a
    /// slow but live holder (a loaded instance) is not mistaken for a crashed one; nobody waits on it
    /// but other deliveries of the same mention, and a crashed delivery's message comes back later anyway.
    /// </summary>
    public static readonly TimeSpan TeamMessageLease = TimeSpan.FromSeconds(60);

    private const string TeamMessageSentColumn = "TeamMessageSent";
    private const string TeamMessageClaimColumn = "TeamMessageClaim";
    private const string TeamMessageClaimedUntilColumn = "TeamMessageClaimedUntil";
    private static readonly TimeSpan MaxClaimPoll = TimeSpan.FromMilliseconds(200);

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
        var claim = Guid.NewGuid().ToString("N");
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

            // Whoever creates the row holds the right to send its team message (see SendToTeamAsync).
            [TeamMessageClaimColumn] = claim,
            [TeamMessageClaimedUntilColumn] = timeProvider.GetUtcNow() + TeamMessageLease,
        };
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return handoff with { TeamMessageClaim = claim };
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
                TeamMessageClaim = null,
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

    /// <summary>
    /// Puts a new handoff on its team's queue once, however many deliveries of its mention get here at
    /// the same time. The delivery that created the row holds the claim to send (<see cref="NewHandoff.TeamMessageClaim"/>);
    /// any other claims an unclaimed or expired send with the row's ETag (its holder crashed). The
    /// holder sends and marks the row sent; the others wait for the mark. Only a crash between the send
    /// and the mark repeats the message, which is why it carries the handoff id.
    /// </summary>
    public async Task SendToTeamAsync(NewHandoff handoff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var message = TeamMessage(
            handoff.CorrelationId, handoff.HandoffId, handoff.MentionKey, handoff.Team, handoff.Priority, handoff.Urgency, handoff.Sentiment,
            handoff.Text, handoff.Url, handoff.FirstResponseDueAt, handoff.ResolutionDueAt);
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        if (handoff.TeamMessageClaim is not null)
        {
            await SendClaimedAsync(table, message, cancellationToken).ConfigureAwait(false);
            return;
        }

        var pause = TimeSpan.FromMilliseconds(10);
        string? watchedClaim = null;
        var watched = Stopwatch.StartNew();
        while (true)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(
                handoff.HandoffId, HandoffRowKey, [TeamMessageSentColumn, TeamMessageClaimColumn, TeamMessageClaimedUntilColumn], cancellationToken).ConfigureAwait(false);
            if (!read.HasValue)
            {
                // No row to claim on (created elsewhere than CreateAsync): send as before.
                await SendAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }

            var row = read.Value!;
            if (row.GetBoolean(TeamMessageSentColumn) == true)
            {
                return;
            }

            if (row.GetString(TeamMessageClaimColumn) is { Length: > 0 } claim)
            {
                if (claim != watchedClaim)
                {
                    watchedClaim = claim;
                    watched.Restart();
                }

                // Live by the row's clock and not yet watched for a whole lease on ours (two instances' clocks may differ).
                var live = row.GetDateTimeOffset(TeamMessageClaimedUntilColumn) is { } until && until > timeProvider.GetUtcNow() && watched.Elapsed < TeamMessageLease;
                if (live)
                {
                    // A real wait for another delivery's send, whatever clock the SLA arithmetic runs on.
                    await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxClaimPoll.Ticks));
                    continue;
                }
            }

            try
            {
                await table.UpdateEntityAsync(
                    new TableEntity(handoff.HandoffId, HandoffRowKey)
                    {
                        [TeamMessageClaimColumn] = Guid.NewGuid().ToString("N"),
                        [TeamMessageClaimedUntilColumn] = timeProvider.GetUtcNow() + TeamMessageLease,
                    },
                    row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                continue;
            }

            await SendClaimedAsync(table, message, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    private async Task SendClaimedAsync(TableClient table, HandoffMessage message, CancellationToken cancellationToken)
    {
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
        await table.UpdateEntityAsync(
            new TableEntity(message.HandoffId, HandoffRowKey) { [TeamMessageSentColumn] = true, [TeamMessageClaimColumn] = "" },
            ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
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
