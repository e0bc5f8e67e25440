using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>A failure of the X source that a person has to read: what happened and which setting or parameter to check.</summary>
public class XApiException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The request parameters X named as invalid (from a 400's <c>errors[].parameters</c> or <c>parameter</c>); empty otherwise.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];
}

/// <summary>
/// A 429: the app's 15-minute request window is spent (<see cref="ResetAt"/> from x-rate-limit-reset) or,
/// when <see cref="UsageCapped"/>, its monthly post cap. The x-api pipeline does not retry it: the source
/// decides whether the wait fits the run's budget.
/// </summary>
public sealed class XRateLimitedException(string message, DateTimeOffset? resetAt, bool usageCapped) : XApiException(message, HttpStatusCode.TooManyRequests)
{
    public DateTimeOffset? ResetAt { get; } = resetAt;

    public bool UsageCapped { get; } = usageCapped;
}

/// <summary>Where a search starts: after a post id (since_id) or, when restarting inside the 7-day window, at a time (start_time).</summary>
internal readonly record struct XSearchStart(string? SinceId, DateTimeOffset? StartTime);

/// <summary>Recent search over the named HttpClient "x-api" (which carries the resilience pipeline).</summary>
internal sealed class XApiClient(HttpClient http, XSourceOptions options, TimeProvider timeProvider)
{
    public const string HttpClientName = "x-api";

    // note_tweet carries the full text of posts over 280 characters (text is then cut).
    internal const string TweetFields = "created_at,lang,public_metrics,author_id,note_tweet";
    internal const string UserFields = "public_metrics,verified,username,name,created_at";

    public async Task<XSearchResponse> SearchRecentAsync(string query, XSearchStart start, string? nextToken, CancellationToken cancellationToken)
    {
        var url = "2/tweets/search/recent?query=" + Uri.EscapeDataString(query)
            + "&max_results=" + options.MaxResults.ToString(CultureInfo.InvariantCulture)
            + "&expansions=author_id"
            + "&tweet.fields=" + Uri.EscapeDataString(TweetFields)
            + "&user.fields=" + Uri.EscapeDataString(UserFields)
            + (start.SinceId is null ? "" : "&since_id=" + Uri.EscapeDataString(start.SinceId))
            + (start.StartTime is not { } time ? "" : "&start_time=" + Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)))
            + (nextToken is null ? "" : "&next_token=" + Uri.EscapeDataString(nextToken));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.BaseUrl, url));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, body);
        }

        XSearchResponse? page;
        try
        {
            // A post with a lone surrogate escaped in its text would make the whole page unreadable, and every later run with it.
            page = JsonSerializer.Deserialize(JsonText.ReplaceLoneSurrogateEscapes(body), XJsonContext.Default.XSearchResponse);
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
            var problems = page?.Errors ?? [];
            throw new XApiException(problems.Count == 0
                ? "X API recent search returned a body without 'meta'; it is not a recent-search response. Check Sources:X:BaseUrl. The watermark is unchanged."
                : $"X API recent search returned only errors: {string.Join("; ", problems.Select(Describe))}. The watermark is unchanged.", response.StatusCode)
            {
                Parameters = ParametersOf(problems),
            };
        }

        if ((page.Meta.ResultCount ?? 0) > 0 && page.Data is null)
        {
            throw new XApiException($"X API recent search said result_count {page.Meta.ResultCount} but sent no 'data'. The watermark is unchanged.", response.StatusCode);
        }

        return page;
    }

    /// <summary>One problem as a person reads it: title, detail, and the parameter, value or resource it names.</summary>
    internal static string Describe(XProblem problem)
    {
        var text = string.Join(": ", new[] { problem.Title, problem.Detail }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var named = new List<string>();
        foreach (var error in problem.Errors ?? [])
        {
            var parameters = error.Parameters is null
                ? ""
                : string.Join(", ", error.Parameters.Select(p => $"parameter '{p.Key}' ('{string.Join("', '", p.Value)}')"));
            named.Add(string.Join(": ", new[] { parameters, error.Message }.Where(s => !string.IsNullOrWhiteSpace(s))));
        }

        if (problem.Parameter is not null)
        {
            named.Add($"parameter '{problem.Parameter}'" + (problem.Value is null ? "" : $" ('{problem.Value}')"));
        }

        if (problem.ResourceType is not null)
        {
            named.Add($"{problem.ResourceType} {problem.ResourceId}" + (problem.Section is null ? "" : $" in {problem.Section}"));
        }

        return named.Count == 0 ? text : $"{text} [{string.Join("; ", named)}]";
    }

    private static List<string> ParametersOf(IEnumerable<XProblem> problems) =>
        problems.SelectMany(p => (p.Errors ?? []).SelectMany(e => e.Parameters?.Keys ?? Enumerable.Empty<string>())
                .Concat(p.Parameter is null ? [] : [p.Parameter]))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private XApiException Failure(HttpResponseMessage response, string body)
    {
        var status = response.StatusCode;
        XProblem? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize(body, XJsonContext.Default.XProblem);
        }
        catch (JsonException)
        {
        }

        var said = problem is null ? "" : $" ({Describe(problem)})";
        var parameters = problem is null ? [] : ParametersOf([problem]);
        return status switch
        {
            HttpStatusCode.TooManyRequests => new XRateLimitedException(
                problem?.IsUsageCap == true
                    ? $"X API refused recent search with 429: the app's usage cap is spent{said} ({problem.Period} cap of the {problem.Scope}); no wait within a run lifts it."
                    : $"X API refused recent search with 429 Too Many Requests{said}: the app's 15-minute request limit is spent until {(ResetAt(response) is { } reset ? reset.ToString("u", CultureInfo.InvariantCulture) : "a time it did not say (no x-rate-limit-reset)")}.",
                ResetAt(response),
                problem?.IsUsageCap == true),
            HttpStatusCode.BadRequest => new XApiException(
                $"X API rejected recent search with 400{said}." + (parameters.Contains("query") ? " Check the brand's query in Sources:X:Brands." : ""),
                status)
            {
                Parameters = parameters,
            },
            HttpStatusCode.Unauthorized => new XApiException(
                $"X API rejected the bearer token with 401 Unauthorized{said}. The token in the setting {XSourceOptions.BearerTokenSetting} is missing, expired or revoked: generate a new app bearer token and set it (environment variable Sources__X__BearerToken).",
                status),
            HttpStatusCode.Forbidden => new XApiException(
                $"X API refused recent search with 403 Forbidden{said}. The app behind {XSourceOptions.BearerTokenSetting} lacks access to /2/tweets/search/recent (check its access tier).",
                status),
            _ => new XApiException($"X API recent search failed with HTTP {(int)status}{said} after the retries the x-api resilience pipeline allows.", status)
            {
                Parameters = parameters,
            },
        };
    }

    /// <summary>x-rate-limit-reset (epoch seconds), else Retry-After; null when the response says neither.</summary>
    private DateTimeOffset? ResetAt(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("x-rate-limit-reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && seconds < 253402300799)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return response.Headers.RetryAfter switch
        {
            { Date: { } date } => date,
            { Delta: { } delta } => timeProvider.GetUtcNow() + delta,
            _ => null,
        };
    }
}
