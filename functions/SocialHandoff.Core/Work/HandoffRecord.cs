using System.Text.Json;
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
/// SLA sweep writes, so it is used for the write and never shown.
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
    DateTimeOffset? PendingEventClaimedUntil = null)
{
    public bool IsResolved => Status == HandoffStore.StatusResolved;

    /// <summary>Waiting on the customer: the resolution clock is paused.</summary>
    public bool IsWaiting => Sla?.Resolution.IsPaused ?? false;

    /// <summary>The source of the mention ("x", "file", ...), the part of its key before the first colon.</summary>
    public string Source => MentionKey.IndexOf(':', StringComparison.Ordinal) is var i and > 0 ? MentionKey[..i] : MentionKey;

    public string ETag => $"\"r{Revision}\"";

    public static HandoffRecord FromEntity(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var slaJson = row.GetString(HandoffStore.SlaColumn);
        var sla = string.IsNullOrEmpty(slaJson) ? null : HandoffSla.FromJson(slaJson);
        var firstAt = row.GetDateTimeOffset("FirstRespondedAt");
        return new HandoffRecord(
            row.PartitionKey,
            row.GetString("Team") ?? "",
            row.GetString("Status") ?? HandoffStore.StatusOpen,
            NullIfEmpty(row.GetString("Assignee")),
            row.GetInt32("Revision") ?? 0,
            row.GetString("Priority") ?? "P4",
            row.GetInt32("Urgency") ?? 0,
            row.GetString("Sentiment") ?? "",
            row.GetDouble("SentimentCompound") ?? 0,
            ReadReasons(row.GetString("Reasons")),
            row.GetString("Text") ?? "",
            row.GetString("Language"),
            row.GetString("Url"),
            row.GetString("AuthorHandle"),
            row.GetInt64("AuthorFollowers"),
            row.GetString("MentionKey") ?? "",
            row.GetString("CorrelationId") ?? "",
            row.GetDateTimeOffset("PostedAt") ?? default,
            row.GetDateTimeOffset("CreatedAt") ?? default,
            sla is null || sla.FirstResponse.IsRunning ? row.GetDateTimeOffset("FirstResponseDueAt") : null,
            sla is null || sla.Resolution.IsRunning ? row.GetDateTimeOffset("ResolutionDueAt") : null,
            row.GetString("Rule") ?? "",
            Split(row.GetString("RuleWhy"), "; "),
            Split(row.GetString("Tags"), ","),
            row.GetInt32("RuleSetVersion") ?? 0,
            sla,
            firstAt is { } at ? new FirstResponseRecord(at, row.GetString("FirstResponseBy") ?? "", row.GetString("FirstResponseReply") ?? "") : null,
            row.GetDateTimeOffset("ResolvedAt"),
            NullIfEmpty(row.GetString("FirstResponseSla")),
            NullIfEmpty(row.GetString("ResolutionSla")),
            NullIfEmpty(row.GetString("PendingEvent")),
            row.GetBoolean("PendingEventApplied") ?? true,
            row.ETag,
            NullIfEmpty(row.GetString("PendingEventClaim")),
            row.GetDateTimeOffset("PendingEventClaimedUntil"));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string[] Split(string? value, string separator) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(separator);

    private static List<UrgencyReasonView> ReadReasons(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return (JsonSerializer.Deserialize(json, HandoffJsonContext.Default.ListReasonJson) ?? [])
                .Select(r => new UrgencyReasonView(r.Signal, r.Text, r.Points))
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

public sealed record UrgencyReasonView(string Signal, string Text, int Points);
