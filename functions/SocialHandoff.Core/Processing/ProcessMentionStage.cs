using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Assignment;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Spam;
using SocialHandoff.Core.Spikes;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Processing;

public enum ProcessOutcome
{
    /// <summary>This delivery created (or finished creating) the handoff.</summary>
    HandedOff,

    /// <summary>The mention was handed off before; nothing was written.</summary>
    Duplicate,

    /// <summary>The mention was dead-lettered before (its message was poisoned); nothing was written.</summary>
    AlreadyDeadLettered,

    /// <summary>The body could not be read; it is in <c>DeadLetters</c> with the reason.</summary>
    DeadLettered,

    /// <summary>This delivery added the mention to an incident: the incident's handoff carries it; it has none of its own.</summary>
    JoinedIncident,
    /// <summary>Held out of the team queues as spam, with its reasons (the filtered view); an agent can restore it.</summary>
    Filtered,
}

/// <param name="Outcome">What this delivery did.</param>
/// <param name="MentionKey">The mention's key; null when the body could not be read.</param>
public sealed record ProcessResult(ProcessOutcome Outcome, string? MentionKey);

/// <summary>
/// The ProcessMention stage. Every write has a key fixed by the mention and is idempotent, in this
/// order: one transaction in the handoff's partition of Handoffs (the handoff with its route, SLA
/// clocks and due times, its created event, the mention's ledger row: the dedupe, 409 = seen
/// before), the team queue, then one transaction in the team's partition of the queue index: the
/// handoff's index row (the mark that the mention was handed off) and its SLA clocks' first due rows,
/// shared with concurrent deliveries to the same team (group commit). A crash anywhere leaves a redelivery able to finish the missing
/// writes and nothing else. Concurrent deliveries of one mention send one team message: the send is
/// claimed on the handoff row (HandoffStore); it can repeat only if a crash falls between sending it
/// and writing the index row, which is why it carries the handoff id.
/// A body that cannot be read goes to DeadLetters at once (retrying cannot fix it); any other error
/// is recorded on the mention and thrown, so the queue retries and finally poisons the message.
/// </summary>
public sealed partial class ProcessMentionStage(
    MentionScorer scorer,
    IRouter router,
    LivePolicies policies,
    TeamDirectory directory,
    MentionLedger ledger,
    HandoffStore handoffs,
    IncidentGrouping incidents,
    IncidentHandover handover,
    DeadLetterStore deadLetters,
    AutoAssignment assignment,
    SpamFilter spam,
    VolumeLog volume,
    TimeProvider timeProvider,
    ILogger<ProcessMentionStage> logger)
{
    public async Task<ProcessOutcome> ProcessAsync(string body, long? dequeueCount, CancellationToken cancellationToken) =>
        (await ProcessMessageAsync(body, dequeueCount, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary>As <see cref="ProcessAsync"/>, with the mention's key (null when the body could not be read), so a host can count each mention once however often it is delivered.</summary>
    public async Task<ProcessResult> ProcessMessageAsync(string body, long? dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!MentionJson.TryParse(body, out var mention, out var reason))
        {
            await deadLetters.RecordAsync(StorageNames.MentionsIncomingQueue, body, null, reason, DeadLetterReasons.Unreadable, dequeueCount, cancellationToken).ConfigureAwait(false);
            return new ProcessResult(ProcessOutcome.DeadLettered, null);
        }

        // Continues the trace the ingest span began (traceparent in the body), linked to the delivering invocation.
        using var activity = SocialHandoffTelemetry.StartContinued("ProcessMention", ActivityKind.Consumer, mention.TraceParent);
        activity?.SetTag(SocialHandoffTelemetry.Tags.Source, mention.Source);
        activity?.SetTag("socialhandoff.mention.key", mention.Key);
        activity?.SetTag("messaging.message.delivery_count", dequeueCount);
        try
        {
            var outcome = await HandOffAsync(mention, activity, cancellationToken, firstDelivery: dequeueCount == 1).ConfigureAwait(false);
            activity?.SetTag("socialhandoff.outcome", outcome.ToString());
            return new ProcessResult(outcome, mention.Key);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            activity.Fail(ex);
            LogFailed(ex, mention.Key, dequeueCount);
            try
            {
                await ledger.RecordErrorAsync(mention, $"{ex.GetType().Name}: {ex.Message}", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception recordError) when (!cancellationToken.IsCancellationRequested)
            {
                LogRecordErrorFailed(recordError, mention.Key);
            }

            throw;
        }
    }

    /// <summary>Hands off a mention an agent restored from the filtered view: the same steps, without the spam step.</summary>
    public async Task<ProcessOutcome> HandOffRestoredAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        using var activity = SocialHandoffTelemetry.ActivitySource.StartActivity("RestoreMention");
        activity?.SetTag("socialhandoff.mention.key", mention.Key);
        return await HandOffAsync(mention, activity, cancellationToken, screen: false).ConfigureAwait(false);
    }

    /// <summary>
    /// A mention ended without a handoff in its team's queue (dead-lettered, or filtered as spam): if it
    /// opened an incident, the copies that joined it would be counted as handed off yet seen nowhere, so
    /// the incident passes to its first surviving member, which is handed off now as its own delivery
    /// would have been, and the members' ledger rows point at that handoff. Idempotent: a repeat finds
    /// the hand-over recorded and the handoff there. Nothing for a mention that opened no incident.
    /// </summary>
    public async Task HandOverIncidentAsync(MentionMessage mention, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mention);
        var succession = await handover.HandOverAsync(
            mention,
            reason,
            async (member, ct) => await ledger.ReadSuccessorAsync(member.MemberHandoffId, ct, IncidentStore.BrandPartition(mention.Query), member.RowKey).ConfigureAwait(false) is not null,
            cancellationToken).ConfigureAwait(false);
        if (succession?.SuccessorHandoffId is not { } successorId)
        {
            return;
        }

        var successor = await ledger.ReadSuccessorAsync(successorId, cancellationToken, IncidentStore.BrandPartition(mention.Query)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Incident of {mention.Key}: its successor {successorId} has no readable mention in its ledger row.");
        using var activity = SocialHandoffTelemetry.ActivitySource.StartActivity("HandOverIncident");
        activity?.SetTag("socialhandoff.mention.key", successor.Key);
        // It leads the incident now: decided here, not by memory of bands that may still name the ended incident.
        var leads = new IncidentDecision(IncidentRole.Leads, successorId, IncidentStore.BrandPartition(successor.Query));
        await HandOffAsync(successor, activity, cancellationToken, screen: false, decided: leads).ConfigureAwait(false);
        foreach (var member in succession.MemberHandoffIds)
        {
            await ledger.PointToIncidentAsync(member, successorId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ProcessOutcome> HandOffAsync(
        MentionMessage mention, Activity? activity, CancellationToken cancellationToken, bool screen = true, IncidentDecision? decided = null, bool firstDelivery = false)
    {
        // The writes below are group-committed (a brand's incidents, the hour's volume rows, the team's index): each is
        // said as soon as it is known to be coming, so a flush waits briefly for the deliveries in flight with this
        // one, never for a lone one. A ticket not used is withdrawn as soon as its write turns out not to be needed.
        using var toIncident = decided is null ? incidents.Expect(mention) : GroupCommitTicket.None;
        using var toVolume = volume.Expect();
        using var toRepeats = screen ? spam.Expect(mention) : null;
        var score = scorer.Score(new ScoringInput(
            mention.Text, mention.Language, mention.Author.Followers, mention.Author.Verified, mention.Metrics.Likes, mention.Metrics.Reposts));
        if (screen && await spam.ScreenAsync(mention, score, cancellationToken, toRepeats).ConfigureAwait(false) is not null)
        {
            toIncident.Dispose();
            toVolume.Dispose();
            // A redelivery can be filtered after the first delivery opened an incident (identical posts counted meanwhile);
            // a first delivery is screened before it can open one, so it costs no look. (Another message of the same
            // mention that opened one and died before its handoff is redelivered, filtered too, and hands it over then.)
            if (!firstDelivery)
            {
                await HandOverIncidentAsync(mention, "its leader was filtered as spam", cancellationToken).ConfigureAwait(false);
            }

            return ProcessOutcome.Filtered;
        }

        var route = await router.RouteAsync(mention, score, cancellationToken).ConfigureAwait(false);
        var ruled = route.Priority is "P1" or "P2" or "P3" or "P4";
        var priority = ruled ? route.Priority : score.Severity.Priority;
        var why = ruled ? route.Why : [.. route.Why, $"{score.Severity.Priority} from severity: {score.Severity.Reason}"];
        var book = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);

        // The team's directory entry (default policy, calendar) as read at most TeamDirectory.CacheFor ago: a manager's change applies without a redeploy.
        var team = (await directory.GetAsync(cancellationToken).ConfigureAwait(false)).SlaDefaults(route.Team);
        var policy = book.Resolve(route.Team, priority, route.SlaPolicy, team);
        var handoffId = HandoffIds.For(mention.Key);

        using var toIndex = handoffs.ExpectIndexed(route.Team); // known once routed

        // A near-duplicate of an open incident's mentions joins that incident's handoff (the same answer on every delivery).
        var incident = decided ?? await incidents.JoinAsync(mention, score.Severity.Tier, handoffId, cancellationToken, toIncident, () => ledger.JoinedColumns(mention)).ConfigureAwait(false);
        toIncident.Dispose();
        if (incident.HandoffId != handoffId)
        {
            toVolume.Dispose();
            toIndex.Dispose();
            // Part of an incident's handoff: the join that counted it also recorded it (its membership row carries its ledger
            // columns). A redelivery, or a restore (whose ledger row says Filtered), settles its ledger row here.
            var status = incident.JoinedNow && screen ? null : await ledger.JoinIncidentAsync(mention, incident.HandoffId, cancellationToken).ConfigureAwait(false);
            if (status is not null)
            {
                LogDuplicate(mention.Key, status);
                return status == MentionLedger.DeadLettered ? ProcessOutcome.AlreadyDeadLettered : ProcessOutcome.Duplicate;
            }

            activity?.SetTag("socialhandoff.handoff.id", incident.HandoffId);
            LogJoinedIncident(mention.Key, incident.HandoffId);
            return ProcessOutcome.JoinedIncident;
        }

        var now = timeProvider.GetUtcNow();
        var sla = HandoffSla.Start(route.Team, priority, policy, policy.ClockStartFor(mention.PostedAt, now));

        // One transaction: the handoff, its created event and the mention's ledger row. When they are there
        // already, the stored handoff wins (its route, clocks and due times were fixed when it was created).
        var created = await handoffs.CreateAsync(
            new NewHandoff(
                handoffId, mention.Key, mention.CorrelationId, route.Team, route.Rule, priority, score.Urgency,
                score.Sentiment.Label.ToString(), score.Sentiment.Compound, score.Reasons, mention.Text, mention.Language, mention.Url,
                mention.Author.Handle, mention.Author.Followers, mention.PostedAt, now,
                sla.FirstResponse.DueAt(policy.Calendar)!.Value, sla.Resolution.DueAt(policy.Calendar)!.Value,
                sla, route.RuleSetVersion, why, route.Tags, IncidentPartition: incident.Role == IncidentRole.Leads ? incident.Partition : null),
            ledger.NewEntry(mention),
            cancellationToken).ConfigureAwait(false);
        if (created.DeadLettered)
        {
            LogDuplicate(mention.Key, MentionLedger.DeadLettered);
            return ProcessOutcome.AlreadyDeadLettered;
        }

        var handoff = created.Handoff;
        if (!created.IsNew && await handoffs.IsHandedOffAsync(handoff.HandoffId, cancellationToken).ConfigureAwait(false))
        {
            LogDuplicate(mention.Key, MentionLedger.HandedOff);
            return ProcessOutcome.Duplicate;
        }

        await volume.RecordAsync(mention, handoff.Team, handoff.Rule, handoff.Tags ?? [], cancellationToken, toVolume).ConfigureAwait(false);
        activity?.SetTag(SocialHandoffTelemetry.Tags.Team, handoff.Team);
        activity?.SetTag(SocialHandoffTelemetry.Tags.Priority, handoff.Priority);
        activity?.SetTag("socialhandoff.handoff.id", handoff.HandoffId);
        using (var send = SocialHandoffTelemetry.ActivitySource.StartActivity("SendToTeamQueue", ActivityKind.Producer))
        {
            send?.SetTag("messaging.destination.name", StorageNames.TeamQueuePrefix + handoff.Team);
            await handoffs.SendToTeamAsync(handoff, cancellationToken, toIndex).ConfigureAwait(false);
        }

        // A surge a copy counted before this handoff existed left its mark (met by the create); a redelivery looks again.
        // An incident's successor (decided) may inherit a surge its ended leader never applied: it always looks.
        if (decided is not null || created.SurgePending || !created.IsNew)
        {
            await incidents.HandoffReadyAsync(incident, cancellationToken).ConfigureAwait(false);
        }

        // After the handoff is complete, so a redelivery re-runs it; a team without auto-assignment costs nothing here.
        await assignment.TryRunAsync(handoff.Team, cancellationToken).ConfigureAwait(false);
        LogHandedOff(mention.Key, handoff.HandoffId, handoff.Team, handoff.Priority, score.Urgency);
        RecordHandedOff(handoff.Team, handoff.Priority, mention.PostedAt, handoff.CreatedAt);
        return ProcessOutcome.HandedOff;
    }

    private static void RecordHandedOff(string team, string priority, DateTimeOffset postedAt, DateTimeOffset handedOffAt)
    {
        var tags = new TagList { { SocialHandoffTelemetry.Tags.Team, team }, { SocialHandoffTelemetry.Tags.Priority, priority } };
        SocialHandoffTelemetry.HandoffsCreated.Add(1, tags);
        // A source's clock can run ahead of ours by a little: a negative wait is recorded as none.
        SocialHandoffTelemetry.HandoffLatency.Record(Math.Max(0, (handedOffAt - postedAt).TotalSeconds), tags);
    }

    [LoggerMessage(EventId = 1200, EventName = "MentionHandedOff", Level = LogLevel.Information, Message = "Mention {Key} handed off as {HandoffId} to team {Team} at {Priority} (urgency {Urgency})")]
    private partial void LogHandedOff(string key, string handoffId, string team, string priority, int urgency);

    [LoggerMessage(EventId = 1201, EventName = "MentionAlreadyDone", Level = LogLevel.Information, Message = "Mention {Key} was already {Status}; nothing to do")]
    private partial void LogDuplicate(string key, string status);

    [LoggerMessage(EventId = 1202, EventName = "MentionProcessingFailed", Level = LogLevel.Warning, Message = "Processing mention {Key} failed (delivery {DequeueCount}); the queue will retry it")]
    private partial void LogFailed(Exception exception, string key, long? dequeueCount);

    [LoggerMessage(EventId = 1204, EventName = "MentionJoinedIncident", Level = LogLevel.Information, Message = "Mention {Key} is part of the incident of handoff {HandoffId}")]
    private partial void LogJoinedIncident(string key, string handoffId);

    [LoggerMessage(EventId = 1203, EventName = "MentionErrorNotRecorded", Level = LogLevel.Error, Message = "Could not record the processing error of mention {Key}")]
    private partial void LogRecordErrorFailed(Exception exception, string key);
}
