using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Work;

/// <summary>The first response an agent recorded: when, who, and the reply text or link.</summary>
public sealed record FirstResponseRecord(DateTimeOffset At, string By, string Reply);

/// <summary>
/// A handoff as the work API sees it, read from its row in <c>Handoffs</c>. <see cref="Revision"/>
/// counts the agent actions applied (the API's ETag); <see cref="StorageETag"/> also moves when the
/// SLA sweep writes, so it is used for the write and never shown. <see cref="IncidentPartition"/>: where
/// the incident it leads is in <c>Incidents</c> (null when it leads none), copied to its queue index row.
/// </summary>
public sealed record HandoffRecord(
    string Id,
    string Team,
    string Status,
    string? Assignee,
    int Revision,
    string Priority,
    int Urgency,
    string Sentiment,
    double SentimentCompound,
    IReadOnlyList<UrgencyReasonView> Reasons,
    string Text,
    string? Language,
    string? Url,
    string? AuthorHandle,
    long? AuthorFollowers,
    string MentionKey,
    string CorrelationId,
    DateTimeOffset PostedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FirstResponseDueAt,
    DateTimeOffset? ResolutionDueAt,
    string Rule,
    IReadOnlyList<string> RuleWhy,
    IReadOnlyList<string> Tags,
    int RuleSetVersion,
    HandoffSla? Sla,
    FirstResponseRecord? FirstResponse,
    DateTimeOffset? ResolvedAt,
    string? FirstResponseSlaFlag,
    string? ResolutionSlaFlag,
    string? PendingEvent,
    bool PendingEventApplied,
    ETag StorageETag,
    string? PendingEventClaim = null,
    DateTimeOffset? PendingEventClaimedUntil = null,
    string? IncidentPartition = null)
{
    public bool IsResolved => Status == HandoffStore.StatusResolved;

    /// <summary>Waiting on the customer: the resolution clock is paused.</summary>
    public bool IsWaiting => Sla?.Resolution.IsPaused ?? false;

    /// <summary>The source of the mention ("x", "file", ...), the part of its key before the first colon.</summary>
    public string Source => MentionKey.IndexOf(':', StringComparison.Ordinal) is var i and > 0 ? MentionKey[..i] : MentionKey;

    public string ETag => $"\"r{Revision}\"";

    /// <summary>Reads a handoff row (or the queue index's copy of one); the columns are <see cref="HandoffRow"/>'s.</summary>
    public static HandoffRecord FromEntity(TableEntity row) => HandoffRow.ToRecord(row);
}

public sealed record UrgencyReasonView(string Signal, string Text, int Points);
