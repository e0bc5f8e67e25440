namespace SocialHandoff.Core.Ingestion;

/// <summary>
/// A brand mention as it travels on the queue <c>mentions-incoming</c>. The body carries its own
/// identity (schema version, correlation id, source and id) because a poison copy keeps only the body.
/// <c>TraceParent</c> is the W3C trace context of the span that enqueued it, so processing continues
/// the mention's trace; it is optional (absent in messages written before it, or when nothing listens),
/// and the schema version stays 1 because a reader that ignores it loses nothing.
/// </summary>
public sealed record MentionMessage(
    int SchemaVersion,
    string CorrelationId,
    string Source,
    string Id,
    MentionAuthor Author,
    string Text,
    string? Language,
    MentionMetrics Metrics,
    string? Url,
    DateTimeOffset PostedAt,
    string? Query,
    string? TraceParent = null)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>The mention's key across sources: "source:id". Handoffs and dedupe use it. Not on the wire: it would repeat the id in every body.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => $"{Source}:{Id}";
}

/// <summary>Who posted. <c>CreatedAt</c> is when the account was made, when the source says (Mastodon, Bluesky, exports): the spam filter reads new accounts by it; optional on the wire.</summary>
public sealed record MentionAuthor(string? Id, string? Handle, string? Name, long? Followers, bool? Verified, DateTimeOffset? CreatedAt = null);

public sealed record MentionMetrics(long? Likes, long? Reposts, long? Replies, long? Quotes);
