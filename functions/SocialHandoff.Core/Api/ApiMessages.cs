using System.Text.Json;
using System.Text.Json.Serialization;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Api;

/// <summary>An HTTP request as either host (Functions or the local runner) hands it over.</summary>
public sealed record ApiRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    Func<string, string?> Header,
    Func<string, string?> Cookie,
    string? Body);

/// <summary>What the host writes back: status, content type, body and extra headers.</summary>
public sealed record ApiResponse(int Status, string ContentType, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public const string Json = "application/json; charset=utf-8";
    public const string ProblemJson = "application/problem+json; charset=utf-8";
    public const string CsvType = "text/csv; charset=utf-8";
}

/// <summary>RFC 9457 problem details; <see cref="Errors"/> names each bad field, <see cref="Holder"/> who holds a claimed item (their key; <see cref="HolderName"/> to show).</summary>
public sealed record Problem(
    string Type,
    string Title,
    int Status,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string[]>? Errors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Holder = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Etag = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HolderName = null);

public sealed record MeMessage(string Id, string Name, IReadOnlyList<string> Roles, IReadOnlyList<string> Teams, bool IsManager, bool IsAdmin, IReadOnlyList<string>? DevIdentities);

public sealed record TeamMessage(string Name, bool CanWork);

public sealed record ReasonMessage(string Signal, string Text, int Points);

public sealed record HandoffSummaryMessage(
    string Id, string Team, string Status, string? Assignee, string? AssigneeName, bool Waiting, string Priority, int Urgency, string Sentiment, double SentimentCompound,
    string Text, string? AuthorHandle, long? AuthorFollowers, string? Url, string Source, DateTimeOffset PostedAt, DateTimeOffset CreatedAt,
    DateTimeOffset? FirstResponseDueAt, DateTimeOffset? ResolutionDueAt, DateTimeOffset? FirstRespondedAt, string SlaState,
    IReadOnlyList<ReasonMessage> Reasons, string Etag, string FirstResponseClock, string ResolutionClock, double WarnBeforeMinutes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IncidentMessage? Incident = null);

/// <summary>
/// The near-duplicate mentions a handoff carries (present from two members): <see cref="Count"/> exact,
/// <see cref="Members"/> the first ones (at most Incidents:MaxMembersListed), <see cref="Reach"/> the
/// members' followers summed; each member shows the handoff's status (resolving it resolves the group).
/// </summary>
public sealed record IncidentMessage(
    int Count, long Reach, DateTimeOffset FirstPostedAt, DateTimeOffset LastPostedAt, IReadOnlyList<IncidentMemberMessage> Members, IncidentSurgeMessage? Surge);

public sealed record IncidentMemberMessage(string MentionKey, string? Author, string? Url, DateTimeOffset PostedAt, string Status);

/// <summary>When the copies surged, why, and the priority step it caused (null until applied to the handoff).</summary>
public sealed record IncidentSurgeMessage(DateTimeOffset At, string Reason, string? From, string? To, bool Applied);

/// <summary>A queue page; <c>totalAtLeast</c> is present (true) when a filtered queue has more matches than were counted: <c>total</c> is then a lower bound ("1,000 or more").</summary>
public sealed record QueueMessage(
    string Team, int Page, int PageSize, int Total, IReadOnlyList<HandoffSummaryMessage> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool TotalAtLeast = false);

/// <summary>What a repair of a team's queue index did: rows added or deleted, and the counts it set.</summary>
public sealed record QueueRepairMessage(string Team, int Changed, int Open, int Resolved);

public sealed record ClockMessage(string State, double TargetMinutes, DateTimeOffset? DueAt, DateTimeOffset? StoppedAt, string Standing);

/// <summary>
/// The policy a handoff is timed by, why (<c>PolicySource</c>: rule, team and priority, team, team default,
/// priority, default) and the calendar its clocks count in, with why (policy, team calendar); the
/// sources are null on handoffs created before they were recorded.
/// </summary>
public sealed record SlaMessage(string Policy, int PolicyVersion, ClockMessage FirstResponse, ClockMessage Resolution, string? PolicySource, string? Calendar, string? CalendarSource);

/// <summary>The first reply: <c>By</c> is the person's key (an Entra object id in Azure), <c>ByName</c> is for showing.</summary>
public sealed record FirstResponseMessage(DateTimeOffset At, string By, string ByName, string Reply);

public sealed record EventMessage(string Type, DateTimeOffset? At, string? Actor, string? ActorName, Dictionary<string, string?>? Before, Dictionary<string, string?>? After, string? Text);

/// <summary>What one handoff adds to its summary (the API sends both as one flat object).</summary>
public sealed record HandoffDetailMessage(
    string Rule, IReadOnlyList<string> RuleWhy, IReadOnlyList<string> Tags, int RuleSetVersion, string? Language,
    string MentionKey, string CorrelationId, SlaMessage? Sla, FirstResponseMessage? FirstResponse, IReadOnlyList<EventMessage> Events);

/// <summary>The body of every action: the fields each one reads (the others must be absent; unknown ones are refused).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ActionBody(string? Reply, string? Note, string? Text, string? Assignee, string? Team);

public sealed record SummaryMessage(DateOnly From, DateOnly To, IReadOnlyList<SlaSummaryRow> Rows);

public sealed record SlaListMessage(IReadOnlyList<SlaListItem> Items);

/// <summary>A page of breaches; <c>continuation</c> (opaque) asks for the next page, null after the last.</summary>
public sealed record SlaBreachesMessage(IReadOnlyList<SlaListItem> Items, string? Continuation);

public sealed record RuleErrorMessage(int? Rule, string? RuleName, string Field, string Message);

public sealed record ValidationMessage(bool Valid, IReadOnlyList<RuleErrorMessage> Errors);

public sealed record RulesDocumentMessage(int Version, RuleSet Document);

public sealed record SlaDocumentMessage(int Version, SlaPolicySet Document);

public sealed record SavedMessage(int Version);

/// <summary>One problem in an SLA policy set: the field path (policies[0].firstResponse), the whole sentence naming where, and the plain text the form shows at the field.</summary>
public sealed record SlaErrorMessage(string Field, string Message, string Text);

public sealed record SlaValidationMessage(bool Valid, IReadOnlyList<SlaErrorMessage> Errors);

/// <summary>What the SLA form's pickers offer: teams that exist, IANA time zones, priorities ("*" = any) and when clocks may start.</summary>
public sealed record SlaVocabularyMessage(IReadOnlyList<string> Teams, IReadOnlyList<string> TimeZones, IReadOnlyList<string> Priorities, IReadOnlyList<string> ClockStarts);

/// <summary>What the rules form offers: reason signals the engine gives, teams that exist, policies in force, priorities, and known sources and languages.</summary>
public sealed record RuleVocabularyMessage(
    IReadOnlyList<string> Signals,
    IReadOnlyList<string> Teams,
    IReadOnlyList<PolicyChoiceMessage> SlaPolicies,
    IReadOnlyList<string> Priorities,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Languages);

public sealed record PolicyChoiceMessage(string Name, string Team, string Priority);

/// <summary>Saved versions of the rules, newest first, each with what changed since the one before it.</summary>
public sealed record RuleHistoryMessage(int? Current, IReadOnlyList<RuleVersionMessage> Versions);

public sealed record RuleVersionMessage(int Version, string Author, DateTimeOffset? SavedAt, IReadOnlyList<string> Changes);

/// <summary>Where a pasted text would go, and why.</summary>
public sealed record RuleTryMessage(
    string Rule, string Team, string Priority, string SlaPolicy, IReadOnlyList<string> Tags, IReadOnlyList<string> Why,
    int Urgency, double? Sentiment, IReadOnlyList<ReasonMessage> Reasons)
{
    /// <summary>Why <see cref="SlaPolicy"/> applies: rule, team and priority, team, team default, priority or default.</summary>
    public string? SlaPolicySource { get; init; }
}

public sealed record StorageHealthMessage(string Status, long LatencyMs, string? Error);

public sealed record SourceHealthMessage(string Name, string? Watermark, DateTimeOffset? UpdatedAt);

public sealed record HealthMessage(string Status, StorageHealthMessage Storage, IReadOnlyList<SourceHealthMessage> Sources);

/// <summary>A mention the spam filter held out; <c>handoffId</c> is the handoff it has once restored.</summary>
public sealed record FilteredMessage(
    string Key, string Source, string? Handle, long? Followers, string Text, string? Url, DateTimeOffset? PostedAt, DateTimeOffset? FilteredAt,
    IReadOnlyList<string> Reasons, string Status, string? RestoredBy, DateTimeOffset? RestoredAt, string HandoffId);

public sealed record FilteredListMessage(IReadOnlyList<FilteredMessage> Items);

/// <summary>A volume spike under way (the dashboard's banner).</summary>
public sealed record SpikeMessage(
    string Id, string Series, string Team, DateTimeOffset Hour, int Count, int Threshold, string Why, IReadOnlyList<string> TopWords, IReadOnlyList<string> Examples, DateTimeOffset RaisedAt);

public sealed record SpikeListMessage(IReadOnlyList<SpikeMessage> Active);

/// <summary>The body of a restore: nothing is needed (<c>{}</c>); a note is kept for later use.</summary>
public sealed record RestoreBody(string? Note);

/// <summary><c>restored</c> is false when an earlier call had restored it (the handoff is the same).</summary>
public sealed record RestoredMessage(FilteredMessage Mention, bool Restored);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(JsonStringEnumConverter<SlaStatus>)])]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(MeMessage))]
[JsonSerializable(typeof(List<TeamMessage>))]
[JsonSerializable(typeof(QueueMessage))]
[JsonSerializable(typeof(QueueRepairMessage))]
[JsonSerializable(typeof(HandoffDetailMessage))]
[JsonSerializable(typeof(HandoffSummaryMessage))]
[JsonSerializable(typeof(ActionBody))]
[JsonSerializable(typeof(SummaryMessage))]
[JsonSerializable(typeof(SlaListMessage))]
[JsonSerializable(typeof(SlaBreachesMessage))]
[JsonSerializable(typeof(FirstResponseReport))]
[JsonSerializable(typeof(ValidationMessage))]
[JsonSerializable(typeof(RulesDocumentMessage))]
[JsonSerializable(typeof(SlaDocumentMessage))]
[JsonSerializable(typeof(SavedMessage))]
[JsonSerializable(typeof(DryRunReport))]
[JsonSerializable(typeof(RuleVocabularyMessage))]
[JsonSerializable(typeof(RuleTryMessage))]
[JsonSerializable(typeof(RuleHistoryMessage))]
[JsonSerializable(typeof(HealthMessage))]
[JsonSerializable(typeof(SlaValidationMessage))]
[JsonSerializable(typeof(SlaVocabularyMessage))]
[JsonSerializable(typeof(SlaPreviewReport))]
[JsonSerializable(typeof(FilteredListMessage))]
[JsonSerializable(typeof(SpikeListMessage))]
[JsonSerializable(typeof(RestoreBody))]
[JsonSerializable(typeof(RestoredMessage))]
[JsonSerializable(typeof(Dictionary<string, string?>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
}
