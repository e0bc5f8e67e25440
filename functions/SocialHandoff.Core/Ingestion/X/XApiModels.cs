using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>GET /2/tweets/search/recent, as documented for X API v2.</summary>
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
    [property: JsonPropertyName("public_metrics")] XTweetMetrics? PublicMetrics);

internal sealed record XTweetMetrics(
    [property: JsonPropertyName("retweet_count")] long? RetweetCount,
    [property: JsonPropertyName("reply_count")] long? ReplyCount,
    [property: JsonPropertyName("like_count")] long? LikeCount,
    [property: JsonPropertyName("quote_count")] long? QuoteCount);

internal sealed record XIncludes([property: JsonPropertyName("users")] List<XUser>? Users);

internal sealed record XUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("verified")] bool? Verified,
    [property: JsonPropertyName("public_metrics")] XUserMetrics? PublicMetrics);

internal sealed record XUserMetrics([property: JsonPropertyName("followers_count")] long? FollowersCount);

internal sealed record XMeta(
    [property: JsonPropertyName("newest_id")] string? NewestId,
    [property: JsonPropertyName("oldest_id")] string? OldestId,
    [property: JsonPropertyName("result_count")] int? ResultCount,
    [property: JsonPropertyName("next_token")] string? NextToken);

/// <summary>The API's problem format: title, detail, type, status (and, in partial errors, value/parameter).</summary>
internal sealed record XProblem(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("status")] int? Status);

[JsonSerializable(typeof(XSearchResponse))]
[JsonSerializable(typeof(XProblem))]
internal sealed partial class XJsonContext : JsonSerializerContext
{
}
