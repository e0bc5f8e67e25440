using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>A failure of the X source that a person has to read: what happened and which setting to check.</summary>
public sealed class XApiException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>Recent search over the named HttpClient "x-api" (which carries the resilience pipeline).</summary>
internal sealed class XApiClient(HttpClient http, XSourceOptions options)
{
    public const string HttpClientName = "x-api";
    internal const string TweetFields = "created_at,lang,public_metrics,author_id";
    internal const string UserFields = "public_metrics,verified,username,name";

    public async Task<XSearchResponse> SearchRecentAsync(string query, string? sinceId, string? nextToken, CancellationToken cancellationToken)
    {
        var url = "2/tweets/search/recent?query=" + Uri.EscapeDataString(query)
            + "&max_results=" + options.MaxResults.ToString(CultureInfo.InvariantCulture)
            + "&expansions=author_id"
            + "&tweet.fields=" + Uri.EscapeDataString(TweetFields)
            + "&user.fields=" + Uri.EscapeDataString(UserFields)
            + (sinceId is null ? "" : "&since_id=" + Uri.EscapeDataString(sinceId))
            + (nextToken is null ? "" : "&next_token=" + Uri.EscapeDataString(nextToken));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.BaseUrl, url));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response.StatusCode, body);
        }

        XSearchResponse? page;
        try
        {
            page = JsonSerializer.Deserialize(body, XJsonContext.Default.XSearchResponse);
        }
        catch (JsonException ex)
        {
            throw new XApiException(
                $"X API recent search returned HTTP {(int)response.StatusCode} with a body that is not valid JSON of the documented shape ({ex.Message}). Nothing was enqueued and the watermark is unchanged.",
                response.StatusCode,
                ex);
        }

        if (page?.Meta is null)
        {
            var problem = page?.Errors?.FirstOrDefault();
            throw new XApiException(problem is null
                ? "X API recent search returned a body without 'meta'; it is not a recent-search response. Check Sources:X:BaseUrl. The watermark is unchanged."
                : $"X API recent search returned an error: {problem.Title}: {problem.Detail}. The watermark is unchanged.", response.StatusCode);
        }

        if ((page.Meta.ResultCount ?? 0) > 0 && page.Data is null)
        {
            throw new XApiException($"X API recent search said result_count {page.Meta.ResultCount} but sent no 'data'. The watermark is unchanged.", response.StatusCode);
        }

        return page;
    }

    private static XApiException Failure(HttpStatusCode status, string body)
    {
        XProblem? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize(body, XJsonContext.Default.XProblem);
        }
        catch (JsonException)
        {
        }

        var said = problem is null ? "" : $" ({problem.Title}: {problem.Detail})";
        return status switch
        {
            HttpStatusCode.Unauthorized => new XApiException(
                $"X API rejected the bearer token with 401 Unauthorized{said}. The token in the setting {XSourceOptions.BearerTokenSetting} is missing, expired or revoked: generate a new app bearer token and set it (environment variable Sources__X__BearerToken).",
                status),
            HttpStatusCode.Forbidden => new XApiException(
                $"X API refused recent search with 403 Forbidden{said}. The app behind {XSourceOptions.BearerTokenSetting} lacks access to /2/tweets/search/recent (check its access tier).",
                status),
            _ => new XApiException($"X API recent search failed with HTTP {(int)status}{said} after the retries the x-api resilience pipeline allows.", status),
        };
    }
}
