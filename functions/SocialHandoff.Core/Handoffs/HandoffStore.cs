using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Handoffs;

/// <summary>A handoff as created by the pipeline (the row in <c>Handoffs</c>); <see cref="IncidentPartition"/> when it leads an incident (where in <c>Incidents</c> it is).</summary>
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
    string? TeamMessageClaim = null,
    string? IncidentPartition = null);

/// <summary>
/// What <see cref="HandoffStore.CreateAsync(NewHandoff, TableEntity?, CancellationToken)"/> found: the handoff as stored, whether this call
/// created it, whether the mention was dead-lettered instead, and whether a copy marked its incident's surge before the handoff existed.
/// </summary>
public sealed record HandoffCreation(NewHandoff Handoff, bool IsNew, bool DeadLettered, bool SurgePending = false);

/// <summary>
/// Writes a handoff's partition of <c>Handoffs</c> (<see cref="HandoffRow"/>: the handoff row, the
/// mention's ledger row and the audit events; a point read by id, and reassigning later is an ETag
/// update of one entity), the team queues and, as the last step of a new handoff, its row in the
/// team's queue index with its SLA due rows. The handoff, its ledger row and its created event go in
/// one transaction; the index row and the due rows in another (shared with concurrent handoffs).
/// </summary>
public sealed class HandoffStore(StorageClients clients, HandoffIndex index, SlaDueIndex dueIndex, TimeProvider timeProvider)
{
    /// <summary>
    /// How long a delivery holds the right to send a new handoff's team message: 60 s. A claim still
    /// unsent after it is taken for a crash, and another delivery sends the message. Long enough that a
    /// slow but live holder (a loaded instance) is not mistaken for a crashed one; nobody waits on it
    /// but other deliveries of the same mention, and a crashed delivery's message comes back later anyway.
    /// </summary>
    public static readonly TimeSpan TeamMessageLease = TimeSpan.FromSeconds(60);


    public const string HandoffRowKey = HandoffRow.RowKey;
    public const string CreatedEventRowKey = HandoffRow.CreatedEventRowKey;
    public const string StatusOpen = "Open";
    public const string StatusResolved = "Resolved";

    /// <summary>The column holding the serialized <see cref="Sla.HandoffSla"/>.</summary>
    public const string SlaColumn = HandoffRow.Sla;

    /// <summary>The most characters of a mention's text a team message carries (the handoff row keeps up to <see cref="StoredText.MaxPropertyChars"/>).</summary>
    internal const int TeamMessageTextChars = 2000;

    /// <summary>The most characters of an outside value (mention key, link) a team message carries, so the message stays far below the queue's 64 KiB.</summary>
    internal const int TeamMessageFieldChars = 1000;

    /// <summary>Inserts the handoff; when it exists already, returns the stored one (its due times were fixed when it was created).</summary>
    public async Task<NewHandoff> CreateAsync(NewHandoff handoff, CancellationToken cancellationToken) =>
        (await CreateAsync(handoff, null, cancellationToken).ConfigureAwait(false)).Handoff;

    /// <summary>
    /// Inserts the handoff, its created event and the mention's <paramref name="ledger"/> row in one
    /// transaction (the insert is the dedupe: any of them there already fails it whole). Then: a
    /// dead-lettered ledger row means the mention is done with; a stored handoff is returned as
    /// stored; a ledger row alone (an earlier delivery recorded an error) is claimed with its ETag
    /// together with the handoff's inserts.
    /// </summary>
    public async Task<HandoffCreation> CreateAsync(NewHandoff handoff, TableEntity? ledger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var claim = Guid.NewGuid().ToString("N");
        var ledgerAction = ledger is null ? null : new TableTransactionAction(TableTransactionActionType.Add, ledger);

        // A leader's handoff carries its incident mark; a mark there already is a surging copy's, found below.
        var markAction = handoff.IncidentPartition is null ? null : new TableTransactionAction(TableTransactionActionType.Add, HandoffRow.IncidentMark(handoff.HandoffId, false));
        var surgePending = false;
        for (var attempt = 1; ; attempt++)
        {
            List<TableTransactionAction> actions =
            [
                new(TableTransactionActionType.Add, HandoffRow.New(handoff, claim, timeProvider.GetUtcNow() + TeamMessageLease)),
                new(TableTransactionActionType.Add, HandoffRow.CreatedEvent(handoff)),
            ];
            if (ledgerAction is not null)
            {
                actions.Add(ledgerAction);
            }

            if (markAction is not null)
            {
                actions.Add(markAction);
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return new HandoffCreation(handoff with { TeamMessageClaim = claim }, true, false, surgePending);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
            }

            TableEntity? storedLedger = null;
            TableEntity? stored = null;
            TableEntity? storedMark = null;
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {handoff.HandoffId} and (RowKey eq {HandoffRow.RowKey} or RowKey eq {HandoffRow.LedgerRowKey} or RowKey eq {HandoffRow.IncidentMarkRowKey})");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (row.RowKey == HandoffRow.RowKey)
                {
                    stored = row;
                }
                else if (row.RowKey == HandoffRow.IncidentMarkRowKey)
                {
                    storedMark = row;
                }
                else
                {
                    storedLedger = row;
                }
            }

            if (storedLedger?.GetString(HandoffRow.Status) == Processing.MentionLedger.DeadLettered)
            {
                return new HandoffCreation(handoff, false, true);
            }

            if (stored is not null)
            {
                return new HandoffCreation(HandoffRow.ToNewHandoff(stored, handoff), false, false, storedMark?.GetBoolean(HandoffRow.SurgePending) == true);
            }

            if (storedMark is not null && markAction is not null)
            {
                // A copy's join made the incident surge before this handoff existed: the mark is its; apply the surge once created.
                surgePending = storedMark.GetBoolean(HandoffRow.SurgePending) == true;
                markAction = null;
                continue;
            }

            if (attempt >= 3)
            {
                // No handoff row, yet the insert keeps conflicting (with the ledger row claimed too): a stray event row without its handoff. Retrying cannot fix that.
                throw new InvalidOperationException($"Handoff {handoff.HandoffId}: its partition holds rows that conflict with the handoff's but not the handoff itself; repair the partition by hand.");
            }

            // Only the ledger row is there (an error was recorded before anything was handed off): claim it with its ETag.
            ledgerAction = storedLedger is null
                ? ledgerAction
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, Processing.MentionLedger.KeepingArrival(ledger ?? new TableEntity(handoff.HandoffId, HandoffRow.LedgerRowKey), storedLedger), storedLedger.ETag);
        }
    }

    /// <summary>
    /// Marks a surge counted before the leader's handoff <paramref name="handoffId"/> existed (insert of its
    /// incident mark). True when the mark says so now (the leader's create meets it and applies the
    /// surge); false when the leader's mark was there first: the handoff exists, apply the surge now.
    /// </summary>
    public async Task<bool> MarkSurgePendingAsync(string handoffId, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(HandoffRow.IncidentMark(handoffId, true), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var mark = await table.GetEntityIfExistsAsync<TableEntity>(handoffId, HandoffRow.IncidentMarkRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return mark.HasValue && mark.Value!.GetBoolean(HandoffRow.SurgePending) == true;
        }
    }

    /// <summary>
    /// Whether the mention of <paramref name="handoffId"/> was handed off whole: its handoff is in its
    /// team's queue index (written after the team message), or an agent has acted on it.
    /// </summary>
    public async Task<bool> IsHandedOffAsync(string handoffId, CancellationToken cancellationToken)
    {
        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(handoffId, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return false;
        }

        var stored = HandoffRow.ToRecord(row.Value!);
        return stored.Revision > 0 || await index.ContainsAsync(HandoffIndex.KeyOf(stored), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Says that a new handoff of <paramref name="team"/> is on its way to <see cref="SendToTeamAsync"/> (pass the ticket, dispose of it after).</summary>
    public GroupCommitTicket ExpectIndexed(string team) => index.Expect(team);

    /// <summary>
    /// Puts a new handoff on its team's queue once, however many deliveries of its mention get here at
    /// the same time, then adds it to the team's queue index (the mark that it was sent). The delivery
    /// that created the row holds the claim to send (<see cref="NewHandoff.TeamMessageClaim"/>); any
    /// other one finds the index row and stops, or waits while the claim is live, or claims an expired
    /// one with the row's ETag (its holder crashed). Only a crash between the send and the index row
    /// repeats the message, which is why it carries the handoff id.
    /// </summary>
    public async Task SendToTeamAsync(NewHandoff handoff, CancellationToken cancellationToken, GroupCommitTicket? expected = null)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var message = TeamMessage(
            handoff.CorrelationId, handoff.HandoffId, handoff.MentionKey, handoff.Team, handoff.Priority, handoff.Urgency, handoff.Sentiment,
            handoff.Text, handoff.Url, handoff.FirstResponseDueAt, handoff.ResolutionDueAt);
        if (handoff.TeamMessageClaim is not null)
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            await IndexAsync(HandoffRow.ToRecord(HandoffRow.New(handoff, "", default)), cancellationToken, expected).ConfigureAwait(false);
            return;
        }

        var table = await clients.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var watch = new ClaimWatch(TeamMessageLease, timeProvider);
        while (true)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(handoff.HandoffId, HandoffRow.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!read.HasValue)
            {
                // No row to claim on (created elsewhere than CreateAsync): send as before.
                await SendAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }

            var row = read.Value!;
            var stored = HandoffRow.ToRecord(row);
            if (stored.Revision > 0 || await index.ContainsAsync(HandoffIndex.KeyOf(stored), cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (watch.IsLive(row.GetString(HandoffRow.TeamMessageClaim), row.GetDateTimeOffset(HandoffRow.TeamMessageClaimedUntil)))
            {
                // The holder writes the index row: this delivery no longer holds its team's index commit back.
                expected?.Dispose();
                await watch.PauseAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await table.UpdateEntityAsync(
                    new TableEntity(handoff.HandoffId, HandoffRow.RowKey)
                    {
                        [HandoffRow.TeamMessageClaim] = Guid.NewGuid().ToString("N"),
                        [HandoffRow.TeamMessageClaimedUntil] = timeProvider.GetUtcNow() + TeamMessageLease,
                    },
                    row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                continue;
            }

            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            await IndexAsync(stored, cancellationToken, expected).ConfigureAwait(false);
            return;
        }
    }

    private async Task IndexAsync(Work.HandoffRecord handoff, CancellationToken cancellationToken, GroupCommitTicket? expected)
    {
        if (handoff.Sla is not { } sla)
        {
            await index.AddAsync(handoff, null, [], cancellationToken, expected).ConfigureAwait(false);
            return;
        }

        var calendar = await dueIndex.CalendarAsync(sla, cancellationToken).ConfigureAwait(false);
        await index.AddAsync(handoff, calendar, dueIndex.Pending(handoff.Id, sla, calendar), cancellationToken, expected).ConfigureAwait(false);
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
