using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Ingestion.X;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, a free port) answering /2/tweets/search/recent as the test
/// scripts it, in X API v2's documented formats. Before the script runs it checks the request as X does
/// and answers X's own 400 / 401 bodies: a missing bearer token, max_results outside 10..100, a query over
/// <see cref="MaxQueryLength"/>, since_id with start_time, a since_id or start_time outside the 7-day window.
/// Every body it sends is kept in <see cref="Responses"/> for the contract test.
/// </summary>
internal sealed class XLoopbackServer : IAsyncDisposable
{
    public const string InvalidRequestType = "https://api.twitter.com/2/problems/invalid-request";
    public const string NotFoundType = "https://api.twitter.com/2/problems/resource-not-found";
    public const string UsageCappedType = "https://api.twitter.com/2/problems/usage-capped";

    private readonly WebApplication _app;

    private XLoopbackServer(WebApplication app) => _app = app;

    /// <summary>Query string and Authorization header of every request, in order.</summary>
    public ConcurrentQueue<(IQueryCollection Query, string? Authorization)> Requests { get; } = new();

    /// <summary>Status, content type and body of every response, in order.</summary>
    public ConcurrentQueue<(int Status, string ContentType, string Body)> Responses { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The server's clock for the 7-day window (tests on a fake clock set it to that clock).</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>The query length X accepts on the plan played; 512, self-serve.</summary>
    public int MaxQueryLength { get; set; } = 512;

    /// <param name="respond">Given the request and its 0-based number (counting only requests that pass X's checks), writes the response.</param>
    public static async Task<XLoopbackServer> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new XLoopbackServer(app);
        var count = -1;
        app.MapGet("/2/tweets/search/recent", async context =>
        {
            server.Requests.Enqueue((context.Request.Query, context.Request.Headers.Authorization.ToString()));
            context.Items[typeof(XLoopbackServer)] = server;
            if (server.Rejection(context.Request) is { } rejection)
            {
                await JsonAsync(context, rejection.Status, rejection.Body);
                return;
            }

            await respond(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First() + "/");
        return server;
    }

    public static Task JsonAsync(HttpContext context, int status, string json)
    {
        var contentType = status >= 400 ? "application/problem+json" : "application/json";
        ((XLoopbackServer)context.Items[typeof(XLoopbackServer)]!).Responses.Enqueue((status, contentType, json));
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(json);
    }

    /// <summary>A 429 as X sends it: x-rate-limit-limit/-remaining/-reset headers and the generic problem body.</summary>
    public static Task RateLimitedAsync(HttpContext context, DateTimeOffset reset)
    {
        context.Response.Headers["x-rate-limit-limit"] = "450";
        context.Response.Headers["x-rate-limit-remaining"] = "0";
        context.Response.Headers["x-rate-limit-reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return JsonAsync(context, 429, Problem("Too Many Requests", "Too Many Requests", 429));
    }

    /// <summary>A 429 for a spent monthly post cap (UsageCapExceededProblem: period, scope).</summary>
    public static Task UsageCappedAsync(HttpContext context) => JsonAsync(
        context,
        429,
        $$"""{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"{{UsageCappedType}}","period":"Monthly","scope":"Product","status":429}""");

    /// <summary>The generic problem body (about:blank) X sends with 401, 429 and 5xx.</summary>
    public static string Problem(string title, string detail, int status) =>
        $$"""{"title":"{{title}}","detail":"{{detail}}","type":"about:blank","status":{{status}}}""";

    /// <summary>An InvalidRequestProblem: errors[] naming each offending parameter with its value, and X's message.</summary>
    public static string InvalidRequest(string parameter, string value, string message) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["errors"] = new[] { new Dictionary<string, object> { ["parameters"] = new Dictionary<string, string[]> { [parameter] = [value] }, ["message"] = message } },
        ["title"] = "Invalid Request",
        ["detail"] = "One or more parameters to your request was invalid.",
        ["type"] = InvalidRequestType,
    });

    /// <summary>X's 400 for a since_id older than the 7-day window.</summary>
    public static string SinceIdTooOld(string sinceId, DateTimeOffset now)
    {
        var windowStart = now - TimeSpan.FromDays(7);
        return InvalidRequest(
            "since_id",
            sinceId,
            $"'since_id' must be a tweet id created after {windowStart.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)}. Please use a 'since_id' that is larger than {XSnowflake.ForTime(windowStart)}");
    }

    /// <summary>A partial error of an expansion: the author X could not return (ResourceNotFoundProblem).</summary>
    public static string AuthorNotFound(string authorId) =>
        $$"""{"value":"{{authorId}}","detail":"Could not find user with author_id: [{{authorId}}].","title":"Not Found Error","resource_type":"user","parameter":"author_id","resource_id":"{{authorId}}","type":"{{NotFoundType}}"}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private (int Status, string Body)? Rejection(HttpRequest request)
    {
        if (!request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (401, Problem("Unauthorized", "Unauthorized", 401));
        }

        var query = request.Query;
        var now = Now();
        var windowStart = now - TimeSpan.FromDays(7);
        string text = query["query"].ToString();
        if (text.Length == 0 || text.Length > MaxQueryLength)
        {
            return (400, InvalidRequest("query", text, $"There were errors processing your request: Query length must be 1 to {MaxQueryLength} characters (got {text.Length})"));
        }

        if (query.TryGetValue("max_results", out var max)
            && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var maxResults) || maxResults is < 10 or > 100))
        {
            return (400, InvalidRequest("max_results", max.ToString(), $"The `max_results` query parameter value [{max}] is not between 10 and 100"));
        }

        var sinceId = query["since_id"].ToString();
        var startTime = query["start_time"].ToString();
        if (sinceId.Length > 0 && startTime.Length > 0)
        {
            return (400, InvalidRequest("since_id", sinceId, "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or 'end_time'."));
        }

        if (sinceId.Length > 0 && (!XSnowflake.TryGetTime(sinceId, out var created) || created <= windowStart))
        {
            return (400, SinceIdTooOld(sinceId, now));
        }

        if (startTime.Length > 0
            && (!DateTimeOffset.TryParse(startTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start) || start < windowStart || start > now - TimeSpan.FromSeconds(10)))
        {
            return (400, InvalidRequest(
                "start_time",
                startTime,
                $"Invalid 'start_time':'{startTime}'. 'start_time' must be on or after {windowStart.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)}"));
        }

        return null;
    }
}
