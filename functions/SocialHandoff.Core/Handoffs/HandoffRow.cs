using System.Text.Json;
using Azure.Data.Tables;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Handoffs;

/// <summary>
/// The one owner of a handoff's partition in <c>Handoffs</c> (PartitionKey the handoff id): the handoff
/// row (RowKey <see cref="RowKey"/>), the mention's ledger row (<see cref="LedgerRowKey"/>: dedupe, the
/// stored body, errors, dead-lettering) and the audit events (every other RowKey). The handoff row,
/// its ledger row and its created event are inserted in one entity-group transaction, so a mention is
/// either not there at all or there whole. Every column name of the handoff row is spelt here only.
/// </summary>
public static class HandoffRow
{
    public const string RowKey = "handoff";
    public const string LedgerRowKey = "mention";

    /// <summary>
    /// The incident mark of a handoff that leads an incident: inserted with the handoff by its leader, or
    /// before it by the copy whose join made a surge while the handoff did not exist yet (<see cref="SurgePending"/>).
    /// Whichever insert comes second fails, so exactly one of the two applies the surge, and the leader
    /// reads its incident only when the mark was there first.
    /// </summary>
    public const string IncidentMarkRowKey = "incident";

    /// <summary>On the incident mark: a surge was counted before the handoff existed.</summary>
    public const string SurgePending = "SurgePending";
    public const string CreatedEventRowKey = "000000-created";

    // Handoff row columns.
    public const string Team = "Team";
    public const string Status = "Status";
    public const string Priority = "Priority";
    public const string Assignee = "Assignee";
    public const string Revision = "Revision";
    public const string CreatedAt = "CreatedAt";
    public const string Sla = "Sla";
    public const string Text = "Text";
    public const string Url = "Url";
    public const string Urgency = "Urgency";
    public const string SentimentCompound = "SentimentCompound";
    public const string Reasons = "Reasons";
    public const string PendingEvent = "PendingEvent";
    public const string PendingEventApplied = "PendingEventApplied";
    public const string PendingEventClaim = "PendingEventClaim";
    public const string PendingEventClaimedUntil = "PendingEventClaimedUntil";
    public const string TeamMessageClaim = "TeamMessageClaim";
    public const string TeamMessageClaimedUntil = "TeamMessageClaimedUntil";

    /// <summary>The partition of <c>Incidents</c> holding the incident the handoff leads (set when it is created; absent when it leads none).</summary>
    public const string IncidentPartition = "IncidentPartition";

    /// <summary>The index row's copy names its handoff here (its own keys are the index's).</summary>
    public const string HandoffId = "HandoffId";

    /// <summary>An OData filter that selects handoff rows only (not ledger or event rows).</summary>
    public static string OnlyHandoffs => TableClient.CreateQueryFilter($"RowKey eq {RowKey}");

    public static bool IsEvent(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.RowKey is not (RowKey or LedgerRowKey or IncidentMarkRowKey);
    }

    /// <summary>The incident mark as the leader inserts it with its handoff, or as a surging copy inserts it before (<paramref name="surgePending"/>).</summary>
    public static TableEntity IncidentMark(string handoffId, bool surgePending) =>
        new(handoffId, IncidentMarkRowKey) { [SurgePending] = surgePending };

    /// <summary>The handoff row of a new handoff; whoever inserts it holds the claim to send its team message.</summary>
    public static TableEntity New(NewHandoff handoff, string teamMessageClaim, DateTimeOffset claimedUntil)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var entity = new TableEntity(handoff.HandoffId, RowKey)
        {
            ["MentionKey"] = StoredText.Cap(handoff.MentionKey),
            ["CorrelationId"] = StoredText.Cap(handoff.CorrelationId, 200),
            [Team] = handoff.Team,
            ["Rule"] = handoff.Rule,
            [Priority] = handoff.Priority,
            [Urgency] = handoff.Urgency,
            ["Sentiment"] = handoff.Sentiment,
            [SentimentCompound] = handoff.SentimentCompound,
            [Reasons] = SerializeReasons(handoff.Reasons.Select(r => new ReasonJson(r.Signal, r.Text, r.Points))),
            [Status] = HandoffStore.StatusOpen,
            [Text] = StoredText.Cap(handoff.Text, StoredText.MaxPropertyChars, out var textTruncated),
            ["TextTruncated"] = textTruncated ? true : null,
            ["TextLength"] = handoff.Text.Length,
            ["Language"] = StoredText.CapOrNull(handoff.Language, 100),
            [Url] = StoredText.CapOrNull(handoff.Url, 4000),
            ["AuthorHandle"] = StoredText.CapOrNull(handoff.AuthorHandle, 1000),
            ["AuthorFollowers"] = handoff.AuthorFollowers,
            ["PostedAt"] = handoff.PostedAt,
            [CreatedAt] = handoff.CreatedAt,
            ["FirstResponseDueAt"] = handoff.FirstResponseDueAt,
            ["ResolutionDueAt"] = handoff.ResolutionDueAt,
            ["RuleSetVersion"] = handoff.RuleSetVersion,
            ["RuleWhy"] = handoff.RuleWhy is null ? null : string.Join("; ", handoff.RuleWhy),
            ["Tags"] = handoff.Tags is null ? null : string.Join(",", handoff.Tags),
            ["SlaPolicy"] = handoff.Sla?.PolicyName,
            ["SlaPolicyVersion"] = handoff.Sla?.PolicyVersion,
            [Sla] = handoff.Sla?.ToJson(),
            [TeamMessageClaim] = teamMessageClaim,
            [TeamMessageClaimedUntil] = claimedUntil,
            [IncidentPartition] = handoff.IncidentPartition,
        };
        return entity;
    }

    /// <summary>The "Created" audit event, in the handoff's partition (its RowKey is fixed, so it is written once).</summary>
    public static TableEntity CreatedEvent(NewHandoff handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        return new TableEntity(handoff.HandoffId, CreatedEventRowKey)
        {
            ["Type"] = "Created",
            ["At"] = handoff.CreatedAt,
            ["Actor"] = "pipeline",
            [Team] = handoff.Team,
            [Priority] = handoff.Priority,
            ["Rule"] = handoff.Rule,
            ["RuleSetVersion"] = handoff.RuleSetVersion,
            ["SlaPolicy"] = handoff.Sla?.PolicyName,
            ["SlaPolicyVersion"] = handoff.Sla?.PolicyVersion,
            ["SlaCalendar"] = handoff.Sla?.Calendar,
            ["MentionKey"] = StoredText.Cap(handoff.MentionKey),
            ["CorrelationId"] = StoredText.Cap(handoff.CorrelationId, 200),
        };
    }

    /// <summary>The stored handoff as the pipeline made it (route, due times and clocks fixed at creation).</summary>
    public static NewHandoff ToNewHandoff(TableEntity row, NewHandoff fallback)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(fallback);
        return fallback with
        {
            Team = row.GetString(Team) ?? fallback.Team,
            Priority = row.GetString(Priority) ?? fallback.Priority,
            CreatedAt = row.GetDateTimeOffset(CreatedAt) ?? fallback.CreatedAt,
            FirstResponseDueAt = row.GetDateTimeOffset("FirstResponseDueAt") ?? fallback.FirstResponseDueAt,
            ResolutionDueAt = row.GetDateTimeOffset("ResolutionDueAt") ?? fallback.ResolutionDueAt,
            Sla = row.GetString(Sla) is { } sla ? HandoffSla.FromJson(sla) : null,
            TeamMessageClaim = null,
        };
    }

    /// <summary>Reads a handoff row, or the index's copy of one (which names the handoff in <see cref="HandoffId"/>).</summary>
    public static HandoffRecord ToRecord(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var slaJson = row.GetString(Sla);
        var sla = string.IsNullOrEmpty(slaJson) ? null : HandoffSla.FromJson(slaJson);
        var firstAt = row.GetDateTimeOffset("FirstRespondedAt");
        return new HandoffRecord(
            row.GetString(HandoffId) ?? row.PartitionKey,
            row.GetString(Team) ?? "",
            row.GetString(Status) ?? HandoffStore.StatusOpen,
            NullIfEmpty(row.GetString(Assignee)),
            row.GetInt32(Revision) ?? 0,
            row.GetString(Priority) ?? "P4",
            row.GetInt32(Urgency) ?? 0,
            row.GetString("Sentiment") ?? "",
            row.GetDouble(SentimentCompound) ?? 0,
            ReadReasons(row.GetString(Reasons)),
            row.GetString(Text) ?? "",
            row.GetString("Language"),
            row.GetString(Url),
            row.GetString("AuthorHandle"),
            row.GetInt64("AuthorFollowers"),
            row.GetString("MentionKey") ?? "",
            row.GetString("CorrelationId") ?? "",
            row.GetDateTimeOffset("PostedAt") ?? default,
            row.GetDateTimeOffset(CreatedAt) ?? default,
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
            NullIfEmpty(row.GetString(PendingEvent)),
            row.GetBoolean(PendingEventApplied) ?? true,
            row.ETag,
            NullIfEmpty(row.GetString(PendingEventClaim)),
            row.GetDateTimeOffset(PendingEventClaimedUntil),
            NullIfEmpty(row.GetString(IncidentPartition)));
    }

    /// <summary>
    /// The columns an agent action may change, with due times from <paramref name="calendar"/>. Cleared
    /// values are written as "" (a merge cannot remove a column).
    /// </summary>
    public static TableEntity ActionUpdate(HandoffRecord h, BusinessCalendar? calendar)
    {
        ArgumentNullException.ThrowIfNull(h);
        var update = new TableEntity(h.Id, RowKey)
        {
            [Team] = h.Team,
            [Priority] = h.Priority,
            ["RuleWhy"] = string.Join("; ", h.RuleWhy),
            [Status] = h.Status,
            [Assignee] = h.Assignee ?? "",
            ["FirstResponseSla"] = h.FirstResponseSlaFlag ?? "",
            ["ResolutionSla"] = h.ResolutionSlaFlag ?? "",
        };
        if (h.FirstResponse is { } first)
        {
            update["FirstRespondedAt"] = first.At;
            update["FirstResponseBy"] = first.By;
            update["FirstResponseReply"] = first.Reply;
        }

        if (h.ResolvedAt is { } resolvedAt)
        {
            update["ResolvedAt"] = resolvedAt;
        }

        if (h.Sla is { } sla && calendar is not null)
        {
            update[Sla] = sla.ToJson();
            update["SlaPolicy"] = sla.PolicyName;
            update["SlaPolicyVersion"] = sla.PolicyVersion;

            // A paused or stopped clock keeps its last due time in the column; ToRecord shows none for it.
            if (sla.FirstResponse.DueAt(calendar) is { } firstDue)
            {
                update["FirstResponseDueAt"] = firstDue;
            }

            if (sla.Resolution.DueAt(calendar) is { } resolutionDue)
            {
                update["ResolutionDueAt"] = resolutionDue;
            }
        }

        return update;
    }

    /// <summary>The record as <see cref="ToRecord"/> would read it back after <see cref="ActionUpdate"/>: a due time for each running clock, none for a paused or stopped one.</summary>
    public static HandoffRecord WithDueTimes(HandoffRecord h, BusinessCalendar? calendar)
    {
        ArgumentNullException.ThrowIfNull(h);
        return h.Sla is { } sla && calendar is not null
            ? h with { FirstResponseDueAt = sla.FirstResponse.DueAt(calendar), ResolutionDueAt = sla.Resolution.DueAt(calendar) }
            : h;
    }

    /// <summary>The sweep's step on one clock: the advanced clocks and the clock's standing.</summary>
    public static TableEntity SlaStep(string handoffId, HandoffSla advanced, ClockKind clock, int step, string level)
    {
        ArgumentNullException.ThrowIfNull(advanced);
        var prefix = clock == ClockKind.FirstResponse ? "FirstResponse" : "Resolution";
        return new TableEntity(handoffId, RowKey)
        {
            [Sla] = advanced.ToJson(),
            [prefix + "Sla"] = step == 0 ? "AtRisk" : "Breached",
            [prefix + "EscalationLevel"] = step == 0 ? null : level,
        };
    }

    /// <summary>Every column <see cref="ToRecord"/> reads, from a record: the index keeps this copy of each handoff.</summary>
    public static Dictionary<string, object?> Columns(HandoffRecord h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new Dictionary<string, object?>
        {
            [HandoffId] = h.Id,
            [Team] = h.Team,
            [Status] = h.Status,
            [Assignee] = h.Assignee ?? "",
            [Revision] = h.Revision,
            [Priority] = h.Priority,
            [Urgency] = h.Urgency,
            ["Sentiment"] = h.Sentiment,
            [SentimentCompound] = h.SentimentCompound,
            [Reasons] = SerializeReasons(h.Reasons.Select(r => new ReasonJson(r.Signal, r.Text, r.Points))),
            [Text] = h.Text,
            ["Language"] = h.Language,
            [Url] = h.Url,
            ["AuthorHandle"] = h.AuthorHandle,
            ["AuthorFollowers"] = h.AuthorFollowers,
            ["MentionKey"] = h.MentionKey,
            ["CorrelationId"] = h.CorrelationId,
            ["PostedAt"] = h.PostedAt,
            [CreatedAt] = h.CreatedAt,
            ["FirstResponseDueAt"] = h.FirstResponseDueAt,
            ["ResolutionDueAt"] = h.ResolutionDueAt,
            ["Rule"] = h.Rule,
            ["RuleWhy"] = string.Join("; ", h.RuleWhy),
            ["Tags"] = string.Join(",", h.Tags),
            ["RuleSetVersion"] = h.RuleSetVersion,
            [Sla] = h.Sla?.ToJson(),
            ["FirstRespondedAt"] = h.FirstResponse?.At,
            ["FirstResponseBy"] = h.FirstResponse?.By,
            ["FirstResponseReply"] = h.FirstResponse?.Reply,
            ["ResolvedAt"] = h.ResolvedAt,
            ["FirstResponseSla"] = h.FirstResponseSlaFlag ?? "",
            ["ResolutionSla"] = h.ResolutionSlaFlag ?? "",
            [IncidentPartition] = h.IncidentPartition,
        };
    }

    /// <summary>The reasons' texts as stored (for a notice).</summary>
    public static IReadOnlyList<string> ReasonTexts(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return ReadReasons(row.GetString(Reasons)).Select(r => r.Text).ToList();
    }

    private static string SerializeReasons(IEnumerable<ReasonJson> reasons) =>
        JsonSerializer.Serialize(reasons.ToList(), HandoffJsonContext.Default.ListReasonJson);

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
