using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>
/// GET /2/tweets/search/recent, as documented for X API v2 (schema Get2TweetsSearchRecentResponse):
/// <c>data</c>, <c>includes</c>, <c>meta</c>, and <c>errors</c> beside them for partial errors.
/// </summary>
internal sealed record XSearchResponse(
    [property: JsonPropertyName("data")] List<XTweet>? Data,
    [property: JsonPropertyName("includes")] XIncludes? Includes,
    [property: JsonPropertyName("meta")] XMeta? Meta,
    [property: JsonPropertyName("errors")] List<XProblem>? Errors);

internal sealed record XTweet(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("author_id")] string? AuthorId,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("lang")] string? Lang,
    [property: JsonPropertyName("public_metrics")] XTweetMetrics? PublicMetrics,
    [property: JsonPropertyName("note_tweet")] XNoteTweet? NoteTweet = null);

/// <summary>The full text of a post longer than 280 characters; <c>text</c> then holds only its start.</summary>
internal sealed record XNoteTweet([property: JsonPropertyName("text")] string? Text);

internal sealed record XTweetMetrics(
    [property: JsonPropertyName("retweet_count")] long? RetweetCount,
    [property: JsonPropertyName("reply_count")] long? ReplyCount,
    [property: JsonPropertyName("like_count")] long? LikeCount,
    [property: JsonPropertyName("quote_count")] long? QuoteCount);

internal sealed record XIncludes([property: JsonPropertyName("users")] List<XUser>? Users);

/// <summary>An author from <c>includes.users</c>; <c>created_at</c> (user.fields) is when the account was made, the spam filter's account age.</summary>
internal sealed record XUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("verified")] bool? Verified,
    [property: JsonPropertyName("public_metrics")] XUserMetrics? PublicMetrics,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt = null);

internal sealed record XUserMetrics([property: JsonPropertyName("followers_count")] long? FollowersCount);

internal sealed record XMeta(
    [property: JsonPropertyName("newest_id")] string? NewestId,
    [property: JsonPropertyName("oldest_id")] string? OldestId,
    [property: JsonPropertyName("result_count")] int? ResultCount,
    [property: JsonPropertyName("next_token")] string? NextToken);

/// <summary>
/// The API's problem format (RFC 7807: type, title, detail, status) with the members its problem
/// types add: <c>errors[]</c> of an invalid request (each naming its <c>parameters</c>), <c>parameter</c>,
/// <c>value</c>, <c>resource_type</c>, <c>resource_id</c>, <c>section</c> of a partial error, and
/// <c>period</c> / <c>scope</c> of a usage cap.
/// </summary>
internal sealed record XProblem(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("status")] int? Status)
{
    [JsonPropertyName("errors")]
    public List<XParameterError>? Errors { get; init; }

    [JsonPropertyName("parameter")]
    public string? Parameter { get; init; }

    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("resource_type")]
    public string? ResourceType { get; init; }

    [JsonPropertyName("resource_id")]
    public string? ResourceId { get; init; }

    [JsonPropertyName("section")]
    public string? Section { get; init; }

    [JsonPropertyName("period")]
    public string? Period { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    /// <summary>The documented type of a usage cap (a monthly or daily post cap), which no wait within a run lifts.</summary>
    public bool IsUsageCap => Type is { } type && type.EndsWith("/2/problems/usage-capped", StringComparison.Ordinal);
}

/// <summary>One entry of an invalid request's <c>errors[]</c>: the offending parameters with their values, and X's message.</summary>
internal sealed record XParameterError(
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("parameters")] Dictionary<string, List<string>>? Parameters);

[JsonSerializable(typeof(XSearchResponse))]
[JsonSerializable(typeof(XProblem))]
internal sealed partial class XJsonContext : JsonSerializerContext
{
}
