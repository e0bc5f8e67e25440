using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Ingestion.Mastodon;

/// <summary>The Status entity, as far as a mention needs it (Mastodon API docs, entities/Status).</summary>
internal sealed record MastodonStatus(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("uri")] string? Uri,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("content")] string? Content,
    [property: JsonPropertyName("spoiler_text")] string? SpoilerText,
    [property: JsonPropertyName("language")] string? Language,
    [property: JsonPropertyName("replies_count")] long? RepliesCount,
    [property: JsonPropertyName("reblogs_count")] long? ReblogsCount,
    [property: JsonPropertyName("favourites_count")] long? FavouritesCount,
    [property: JsonPropertyName("account")] MastodonAccount? Account);

internal sealed record MastodonAccount(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("acct")] string? Acct,
    [property: JsonPropertyName("display_name")] string? DisplayName,
    [property: JsonPropertyName("followers_count")] long? FollowersCount,
    [property: JsonPropertyName("bot")] bool? Bot,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt);

/// <summary>GET /api/v2/search: accounts, statuses and hashtags.</summary>
internal sealed record MastodonSearchResults([property: JsonPropertyName("statuses")] List<MastodonStatus>? Statuses);

/// <summary>Mastodon's error entity: <c>{"error": "..."}</c>.</summary>
internal sealed record MastodonError([property: JsonPropertyName("error")] string? Error, [property: JsonPropertyName("error_description")] string? Description);

[JsonSerializable(typeof(MastodonSearchResults))]
[JsonSerializable(typeof(List<MastodonStatus>))]
[JsonSerializable(typeof(MastodonError))]
internal sealed partial class MastodonJsonContext : JsonSerializerContext;

/// <summary>One page of statuses, the min_id of the page after it (Link rel="prev", newer), and the rate-limit headers.</summary>
internal sealed record MastodonPage(IReadOnlyList<MastodonStatus> Statuses, string? NextMinId, RateLimitState RateLimit);

/// <summary>Status search and hashtag timelines of one instance over the named HttpClient "mastodon-api".</summary>
internal sealed class MastodonApiClient(HttpClient http, MastodonInstance instance, int index, TimeProvider timeProvider)
{
    public const string HttpClientName = "mastodon-api";

    public Task<MastodonPage> SearchAsync(string query, string? minId, int limit, CancellationToken cancellationToken) =>
        GetAsync(
            "api/v2/search?type=statuses&resolve=false&q=" + Uri.EscapeDataString(query) + "&limit=" + limit + (minId is null ? "" : "&min_id=" + Uri.EscapeDataString(minId)),
            "status search",
            search: true,
            cancellationToken);

    public Task<MastodonPage> TagTimelineAsync(string tag, string? minId, int limit, CancellationToken cancellationToken) =>
        GetAsync(
            "api/v1/timelines/tag/" + Uri.EscapeDataString(tag) + "?limit=" + limit + (minId is null ? "" : "&min_id=" + Uri.EscapeDataString(minId)),
            $"the #{tag} timeline",
            search: false,
            cancellationToken);

    private async Task<MastodonPage> GetAsync(string relative, string what, bool search, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.BaseUrl!, relative));
        if (!string.IsNullOrWhiteSpace(instance.AccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", instance.AccessToken);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var rateLimit = new RateLimitState(
            RateLimitHeaders.Number(response, "X-RateLimit-Remaining"),
            RateLimitHeaders.Timestamp(response, "X-RateLimit-Reset") ?? RateLimitHeaders.RetryAfter(response, timeProvider));
        var where = $"Mastodon instance '{instance.Name}' ({instance.BaseUrl}) {what}";
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response.StatusCode, body, rateLimit, where);
        }

        var statuses = search
            ? SourceJson.Read(body, MastodonJsonContext.Default.MastodonSearchResults, where, response.StatusCode)?.Statuses
            : SourceJson.Read(body, MastodonJsonContext.Default.ListMastodonStatus, where, response.StatusCode);

        if (statuses is null)
        {
            throw new SourceApiException($"{where} returned a body without statuses; it is not a Mastodon API response. Check {MastodonSourceOptions.SectionName}:Instances:{index}:BaseUrl. The watermark is unchanged.", response.StatusCode);
        }

        return new MastodonPage(statuses, PrevMinId(response), rateLimit);
    }

    /// <summary>min_id of the Link header's rel="prev" (the newer page), as Mastodon documents its pagination.</summary>
    internal static string? PrevMinId(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var part in string.Join(",", links).Split(','))
        {
            var match = System.Text.RegularExpressions.Regex.Match(part, "<([^>]*)>\\s*;\\s*rel=\"?prev\"?", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            if (match.Success && Uri.TryCreate(match.Groups[1].Value, UriKind.Absolute, out var uri))
            {
                var minId = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).TryGetValue("min_id", out var v) ? v.ToString() : null;
                return string.IsNullOrEmpty(minId) ? null : minId;
            }
        }

        return null;
    }

    private SourceApiException Failure(HttpStatusCode status, string body, RateLimitState rateLimit, string where)
    {
        var error = SourceJson.TryRead(body, MastodonJsonContext.Default.MastodonError);
        var said = error?.Error is { Length: > 0 } e ? $" (\"{e}\")" : "";
        return status switch
        {
            HttpStatusCode.TooManyRequests => new SourceRateLimitedException($"{where} refused with 429 Too Many Requests{said}: the rate limit is spent {RateLimitHeaders.Describe(rateLimit.ResetAt)}.", rateLimit.ResetAt),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SourceApiException(
                $"{where} refused with {(int)status}{said}. The token in the setting {MastodonSourceOptions.AccessTokenSetting(index)} is missing, revoked or lacks the read:search scope (or the instance requires sign-in for this timeline): create a new access token and set it.",
                status),
            _ => new SourceApiException($"{where} failed with HTTP {(int)status}{said} after the retries the mastodon-api resilience pipeline allows.", status),
        };
    }
}
