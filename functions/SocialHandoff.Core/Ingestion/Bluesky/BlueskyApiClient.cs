using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Ingestion.Bluesky;

/// <summary>app.bsky.feed.searchPosts output: an optional cursor and the posts (PostView).</summary>
internal sealed record BlueskySearchOutput(
    [property: JsonPropertyName("cursor")] string? Cursor,
    [property: JsonPropertyName("posts")] List<BlueskyPost>? Posts);

internal sealed record BlueskyPost(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("author")] BlueskyAuthor? Author,
    [property: JsonPropertyName("record")] BlueskyRecord? Record,
    [property: JsonPropertyName("replyCount")] long? ReplyCount,
    [property: JsonPropertyName("repostCount")] long? RepostCount,
    [property: JsonPropertyName("likeCount")] long? LikeCount,
    [property: JsonPropertyName("quoteCount")] long? QuoteCount,
    [property: JsonPropertyName("indexedAt")] DateTimeOffset? IndexedAt);

internal sealed record BlueskyAuthor(
    [property: JsonPropertyName("did")] string? Did,
    [property: JsonPropertyName("handle")] string? Handle,
    [property: JsonPropertyName("displayName")] string? DisplayName,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt);

/// <summary>The app.bsky.feed.post record: text, createdAt, langs.</summary>
internal sealed record BlueskyRecord(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("langs")] List<string>? Langs);

internal sealed record BlueskySessionRequest([property: JsonPropertyName("identifier")] string Identifier, [property: JsonPropertyName("password")] string Password);

internal sealed record BlueskySession([property: JsonPropertyName("accessJwt")] string? AccessJwt, [property: JsonPropertyName("did")] string? Did);

/// <summary>An XRPC error body: <c>{"error": "InvalidRequest", "message": "..."}</c>.</summary>
internal sealed record XrpcError([property: JsonPropertyName("error")] string? Error, [property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(BlueskySearchOutput))]
[JsonSerializable(typeof(BlueskySessionRequest))]
[JsonSerializable(typeof(BlueskySession))]
[JsonSerializable(typeof(XrpcError))]
internal sealed partial class BlueskyJsonContext : JsonSerializerContext;

internal sealed record BlueskyPage(IReadOnlyList<BlueskyPost> Posts, string? Cursor, RateLimitState RateLimit);

/// <summary>
/// searchPosts over the named HttpClient "bluesky-api", with an app-password session (createSession) when one is
/// configured. The session is shared by every search and made again once when the host says it expired.
/// </summary>
internal sealed class BlueskyApiClient(IHttpClientFactory httpClientFactory, BlueskySourceOptions options, TimeProvider timeProvider)
{
    public const string HttpClientName = "bluesky-api";

    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private string? _accessJwt;

    private HttpClient Http => httpClientFactory.CreateClient(HttpClientName);

    public async Task<BlueskyPage> SearchAsync(BlueskySearch search, DateTimeOffset? since, string? cursor, CancellationToken cancellationToken)
    {
        var url = "xrpc/app.bsky.feed.searchPosts?sort=latest&q=" + Uri.EscapeDataString(search.Query)
            + "&limit=" + options.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + (since is { } s ? "&since=" + Uri.EscapeDataString(s.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)) : "")
            + (string.IsNullOrWhiteSpace(search.Lang) ? "" : "&lang=" + Uri.EscapeDataString(search.Lang))
            + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
        var renewed = false;
        while (true)
        {
            var token = await SessionAsync(renew: renewed, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.Host, url));
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var rateLimit = RateLimit(response);
            var where = $"Bluesky searchPosts for '{search.Brand}' on {options.Host}";
            if (!response.IsSuccessStatusCode)
            {
                var error = ReadError(body);
                if (response.StatusCode == HttpStatusCode.BadRequest && error?.Error == "ExpiredToken" && token is not null && !renewed)
                {
                    renewed = true;
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null && !renewed)
                {
                    renewed = true;
                    continue;
                }

                throw Failure(response.StatusCode, error, rateLimit, where, sessionUsed: token is not null);
            }

            var output = SourceJson.Read(body, BlueskyJsonContext.Default.BlueskySearchOutput, where, response.StatusCode);
            if (output?.Posts is null)
            {
                throw new SourceApiException($"{where} returned a body without 'posts'; it is not a searchPosts response. Check {BlueskySourceOptions.SectionName}:Host. The watermark is unchanged.", response.StatusCode);
            }

            return new BlueskyPage(output.Posts, string.IsNullOrEmpty(output.Cursor) ? null : output.Cursor, rateLimit);
        }
    }

    /// <summary>The session's access token, made with com.atproto.server.createSession; null when no app password is configured.</summary>
    private async Task<string?> SessionAsync(bool renew, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.AppPassword))
        {
            return null;
        }

        await _sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_accessJwt is not null && !renew)
            {
                return _accessJwt;
            }

            var json = JsonSerializer.Serialize(new BlueskySessionRequest(options.Identifier!, options.AppPassword), BlueskyJsonContext.Default.BlueskySessionRequest);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Host, "xrpc/com.atproto.server.createSession"))
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var where = $"Bluesky createSession on {options.Host}";
            if (!response.IsSuccessStatusCode)
            {
                var error = ReadError(body);
                var said = error is null ? "" : $" ({error.Error}: {error.Message})";
                throw response.StatusCode switch
                {
                    HttpStatusCode.TooManyRequests => new SourceRateLimitedException($"{where} refused with 429{said}: sessions are rate limited {RateLimitHeaders.Describe(RateLimit(response).ResetAt)}.", RateLimit(response).ResetAt),
                    HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest => new SourceApiException(
                        $"{where} refused with {(int)response.StatusCode}{said}. Check {BlueskySourceOptions.AppPasswordSetting} (an app password, revoked or mistyped?) and {BlueskySourceOptions.IdentifierSetting} (the account's handle or DID).",
                        response.StatusCode),
                    _ => new SourceApiException($"{where} failed with HTTP {(int)response.StatusCode}{said}.", response.StatusCode),
                };
            }

            var session = SourceJson.TryRead(body, BlueskyJsonContext.Default.BlueskySession);
            _accessJwt = session?.AccessJwt is { Length: > 0 } jwt
                ? jwt
                : throw new SourceApiException($"{where} returned a body without accessJwt; check {BlueskySourceOptions.SectionName}:Host.", response.StatusCode);
            return _accessJwt;
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    private RateLimitState RateLimit(HttpResponseMessage response) => new(
        RateLimitHeaders.Number(response, "RateLimit-Remaining"),
        RateLimitHeaders.EpochSeconds(response, "RateLimit-Reset") ?? RateLimitHeaders.RetryAfter(response, timeProvider));

    private static XrpcError? ReadError(string body) => SourceJson.TryRead(body, BlueskyJsonContext.Default.XrpcError);

    private static SourceApiException Failure(HttpStatusCode status, XrpcError? error, RateLimitState rateLimit, string where, bool sessionUsed)
    {
        var said = error is null ? "" : $" ({error.Error}: {error.Message})";
        return status switch
        {
            HttpStatusCode.TooManyRequests => new SourceRateLimitedException($"{where} refused with 429 Too Many Requests{said}: the rate limit is spent {RateLimitHeaders.Describe(rateLimit.ResetAt)}.", rateLimit.ResetAt),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SourceApiException(
                sessionUsed
                    ? $"{where} refused the session with {(int)status}{said} even after signing in again. Check {BlueskySourceOptions.AppPasswordSetting} and {BlueskySourceOptions.IdentifierSetting}."
                    : $"{where} refused with {(int)status}{said}: this host requires a session. Set {BlueskySourceOptions.IdentifierSetting} and {BlueskySourceOptions.AppPasswordSetting} (an app password), and point {BlueskySourceOptions.SectionName}:Host at the account's PDS.",
                status),
            HttpStatusCode.BadRequest => new SourceApiException($"{where} rejected the request with 400{said}. Check the search's Query and Lang in {BlueskySourceOptions.SectionName}:Searches.", status),
            _ => new SourceApiException($"{where} failed with HTTP {(int)status}{said} after the retries the bluesky-api resilience pipeline allows.", status),
        };
    }
}
