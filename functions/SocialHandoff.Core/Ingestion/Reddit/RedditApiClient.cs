using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Ingestion.Reddit;

/// <summary>A Listing: <c>{"kind":"Listing","data":{"after","before","children":[{"kind":"t3","data":{...}}]}}</c>.</summary>
internal sealed record RedditListing([property: JsonPropertyName("kind")] string? Kind, [property: JsonPropertyName("data")] RedditListingData? Data);

internal sealed record RedditListingData(
    [property: JsonPropertyName("after")] string? After,
    [property: JsonPropertyName("before")] string? Before,
    [property: JsonPropertyName("children")] List<RedditThing>? Children);

internal sealed record RedditThing([property: JsonPropertyName("kind")] string? Kind, [property: JsonPropertyName("data")] RedditPost? Data);

/// <summary>A link (t3) as far as a mention needs it.</summary>
internal sealed record RedditPost(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("selftext")] string? Selftext,
    [property: JsonPropertyName("author")] string? Author,
    [property: JsonPropertyName("author_fullname")] string? AuthorFullname,
    [property: JsonPropertyName("subreddit")] string? Subreddit,
    [property: JsonPropertyName("created_utc")] double CreatedUtc,
    [property: JsonPropertyName("permalink")] string? Permalink,
    [property: JsonPropertyName("score")] long? Score,
    [property: JsonPropertyName("num_comments")] long? NumComments,
    [property: JsonPropertyName("num_crossposts")] long? NumCrossposts);

internal sealed record RedditToken(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("error")] JsonElement? Error,
    [property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(RedditListing))]
[JsonSerializable(typeof(RedditToken))]
internal sealed partial class RedditJsonContext : JsonSerializerContext;

internal sealed record RedditPage(IReadOnlyList<RedditPost> Posts, RateLimitState RateLimit);

/// <summary>
/// Application-only OAuth (POST access_token, grant_type=client_credentials, HTTP Basic with the app's id and
/// secret) and search.json over the named HttpClient "reddit-api". The token is shared by every search and
/// fetched again before it expires, or once when Reddit answers 401.
/// </summary>
internal sealed class RedditApiClient(IHttpClientFactory httpClientFactory, RedditSourceOptions options, TimeProvider timeProvider)
{
    public const string HttpClientName = "reddit-api";

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private string? _token;
    private DateTimeOffset _tokenExpires;

    private HttpClient Http => httpClientFactory.CreateClient(HttpClientName);

    public async Task<RedditPage> SearchAsync(RedditSearch search, string? before, CancellationToken cancellationToken)
    {
        var path = (search.Subreddit is { Length: > 0 } sub ? $"r/{sub}/search.json?restrict_sr=1&" : "search.json?")
            + "sort=new&type=link&raw_json=1&q=" + Uri.EscapeDataString(search.Query)
            + "&limit=" + options.Limit.ToString(CultureInfo.InvariantCulture)
            + (before is null ? "" : "&before=" + Uri.EscapeDataString(before));
        var renewed = false;
        while (true)
        {
            var token = await TokenAsync(renewed, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.BaseUrl, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var rateLimit = new RateLimitState(
                RateLimitHeaders.Number(response, "X-Ratelimit-Remaining"),
                RateLimitHeaders.SecondsFromNow(response, "X-Ratelimit-Reset", timeProvider) ?? RateLimitHeaders.RetryAfter(response, timeProvider));
            var where = $"Reddit search for '{search.Brand}'";
            if (response.StatusCode == HttpStatusCode.Unauthorized && !renewed)
            {
                renewed = true;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw response.StatusCode switch
                {
                    HttpStatusCode.TooManyRequests => new SourceRateLimitedException($"{where} refused with 429 Too Many Requests: the rate limit is spent {RateLimitHeaders.Describe(rateLimit.ResetAt)}.", rateLimit.ResetAt),
                    HttpStatusCode.Unauthorized => new SourceApiException($"{where} refused a fresh token with 401. Check {RedditSourceOptions.ClientIdSetting} and {RedditSourceOptions.ClientSecretSetting}.", response.StatusCode),
                    HttpStatusCode.Forbidden => new SourceApiException($"{where} refused with 403 Forbidden (a private or banned subreddit, or an app without access). Check the search's Subreddit in {RedditSourceOptions.SectionName}:Searches.", response.StatusCode),
                    _ => new SourceApiException($"{where} failed with HTTP {(int)response.StatusCode} after the retries the reddit-api resilience pipeline allows.", response.StatusCode),
                };
            }

            var listing = SourceJson.Read(body, RedditJsonContext.Default.RedditListing, where, response.StatusCode);
            if (listing?.Kind != "Listing" || listing.Data?.Children is null)
            {
                throw new SourceApiException($"{where} returned a body that is not a Listing. Check {RedditSourceOptions.SectionName}:BaseUrl. The watermark is unchanged.", response.StatusCode);
            }

            return new RedditPage(listing.Data.Children.Where(c => c.Kind == "t3" && c.Data is not null).Select(c => c.Data!).ToList(), rateLimit);
        }
    }

    private async Task<string> TokenAsync(bool renew, CancellationToken cancellationToken)
    {
        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && !renew && timeProvider.GetUtcNow() < _tokenExpires)
            {
                return _token;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenUrl)
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ClientId}:{options.ClientSecret}")));
            request.Headers.TryAddWithoutValidation("User-Agent", options.UserAgent);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var token = SourceJson.TryRead(body, RedditJsonContext.Default.RedditToken);
            var where = "Reddit application-only OAuth (" + options.TokenUrl + ")";
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new SourceApiException($"{where} refused the app with 401 Unauthorized. The setting {RedditSourceOptions.ClientSecretSetting} (or {RedditSourceOptions.ClientIdSetting}) is wrong or the secret was regenerated: set the app's current id and secret.", response.StatusCode);
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var reset = RateLimitHeaders.SecondsFromNow(response, "X-Ratelimit-Reset", timeProvider) ?? RateLimitHeaders.RetryAfter(response, timeProvider);
                throw new SourceRateLimitedException($"{where} refused with 429 Too Many Requests {RateLimitHeaders.Describe(reset)}.", reset);
            }

            if (!response.IsSuccessStatusCode || token?.AccessToken is not { Length: > 0 } accessToken)
            {
                var said = token?.Error is { } e ? $" (error {e})" : token?.Message is { } m ? $" ({m})" : "";
                throw new SourceApiException($"{where} gave no access token (HTTP {(int)response.StatusCode}{said}). Check {RedditSourceOptions.ClientIdSetting}, {RedditSourceOptions.ClientSecretSetting} and {RedditSourceOptions.SectionName}:TokenUrl.", response.StatusCode);
            }

            _token = accessToken;
            // A minute early, so a token never expires between the check and the call.
            _tokenExpires = timeProvider.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(60, token.ExpiresIn ?? 3600) - 60);
            return _token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }
}
