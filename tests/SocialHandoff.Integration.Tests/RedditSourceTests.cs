using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests;

/// <summary>The Reddit source against a loopback server answering as Reddit documents application-only OAuth and /search (Listings, X-Ratelimit-* headers).</summary>
public sealed class RedditSourceTests
{
    private const string TokenPath = "/api/v1/access_token";
    private const string ClientId = "reddit-client";
    private const string ClientSecret = "reddit-secret";

    [Fact]
    public async Task Fetch_WithWatermark_TokenOnceThenPagesForwardWithBeforeAndAdvancesWatermark()
    {
        await using var server = await StartAsync((context, request, n) => n switch
        {
            0 => Listing(context, [Link("p3", 1762074300), Link("p2", 1762074200)]),
            _ => Listing(context, [Link("p4", 1762074400)]),
        });
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2));

        var batch = await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync("t3_p1|1762074100", CancellationToken.None);

        Assert.Equal(["p2", "p3", "p4"], batch.Mentions.Select(m => m.Id));
        Assert.Equal("t3_p4|1762074400", batch.NextWatermark);
        var token = Assert.Single(server.RequestsTo(TokenPath));
        Assert.Equal("POST", token.Method);
        Assert.Equal("grant_type=client_credentials", token.Body);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + ClientSecret)), token.Headers.Authorization.ToString());
        var searches = server.RequestsTo("/search.json");
        Assert.Equal(["t3_p1", "t3_p3"], searches.Select(r => r.Query["before"].ToString()));
        Assert.All(searches, r =>
        {
            Assert.Equal("new", r.Query["sort"]);
            Assert.Equal("contoso", r.Query["q"]);
            Assert.Equal("Bearer token-1", r.Headers.Authorization.ToString());
            Assert.Equal("test:socialhandoff:1.0 (by /u/tester)", r.Headers.UserAgent.ToString());
        });
    }

    [Fact]
    public async Task Fetch_Post_KeepsSourceAuthorReachAndLink()
    {
        await using var server = await StartAsync((context, _, _) => Listing(context, [Link("p2", 1762074200, title: "contoso billed me twice", selftext: "no refund yet")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var mention = Assert.Single((await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None)).Mentions);

        Assert.Equal("reddit", mention.Source);
        Assert.Equal("contoso billed me twice\n\nno refund yet", mention.Text);
        Assert.Equal("ana_r", mention.Author.Handle);
        Assert.Equal((57L, 9L), (mention.Metrics.Likes!.Value, mention.Metrics.Replies!.Value));
        Assert.Equal("https://www.reddit.com/r/contoso/comments/p2/x/", mention.Url);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1762074200), mention.PostedAt);
        Assert.Equal("contoso", mention.Query);
    }

    [Fact]
    public async Task Fetch_WatermarkPostDeleted_ReadsNewestPageAndTakesWhatIsAfterTheWatermarkTime()
    {
        await using var server = await StartAsync((context, request, _) => request.Query.ContainsKey("before")
            ? Listing(context, [])
            : Listing(context, [Link("p9", 1762074900), Link("p1", 1762074100), Link("p0", 1762074000)]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var batch = await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync("t3_gone|1762074100", CancellationToken.None);

        Assert.Equal("p9", Assert.Single(batch.Mentions).Id);
        Assert.Equal("t3_p9|1762074900", batch.NextWatermark);
    }

    [Fact]
    public async Task Fetch_RemainingBelowOneWithResetBeyondBudget_StopsBeforeTheNextPageKeepingWhatWasTaken()
    {
        await using var server = await StartAsync((context, _, _) =>
        {
            context.Response.Headers["X-Ratelimit-Remaining"] = "0.0";
            context.Response.Headers["X-Ratelimit-Reset"] = "400";
            return Listing(context, [Link("p3", 1762074300), Link("p2", 1762074200)]);
        });
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2));

        var batch = await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync("t3_p1|1762074100", CancellationToken.None);

        Assert.Single(server.RequestsTo("/search.json"));
        Assert.Equal(2, batch.Mentions.Count);
        Assert.Equal("t3_p3|1762074300", batch.NextWatermark);
        Assert.Contains("Sources:Reddit:RateLimitWaitBudget", Assert.Single(batch.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_429WithResetWithinBudget_WaitsThenSucceeds()
    {
        var started = DateTimeOffset.UtcNow;
        await using var server = await StartAsync((context, _, n) => n == 0 ? RateLimited(context, 1) : Listing(context, [Link("p2", 1762074200)]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var batch = await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(1), "the second request waited for X-Ratelimit-Reset");
    }

    [Fact]
    public async Task Fetch_429OnFirstPageBeyondBudget_FailsSayingWhenItResets()
    {
        await using var server = await StartAsync((context, _, _) => RateLimited(context, 500));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var error = await Assert.ThrowsAsync<SourceRateLimitedException>(() => SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync("t3_p1|1762074100", CancellationToken.None));

        Assert.NotNull(error.ResetAt);
        Assert.Contains("Sources:Reddit:RateLimitWaitBudget", error.Message, StringComparison.Ordinal);
        Assert.Single(server.RequestsTo("/search.json"));
    }

    [Fact]
    public async Task Fetch_WrongSecret_ErrorNamesTheClientSecretSetting()
    {
        await using var server = await StartAsync((context, _, _) => Listing(context, []), secret: "other");
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None));

        Assert.Contains("Sources:Reddit:ClientSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.RequestsTo("/search.json"));
    }

    [Fact]
    public async Task Fetch_TokenRejectedMidway_FetchesANewTokenOnceAndRetries()
    {
        await using var server = await StartAsync((context, request, n) => n == 0
            ? SourceLoopbackServer.JsonAsync(context, 401, """{"message": "Unauthorized", "error": 401}""")
            : Listing(context, [Link("p2", 1762074200)]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var batch = await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(2, server.RequestsTo(TokenPath).Count);
        Assert.Equal("Bearer token-2", server.RequestsTo("/search.json")[^1].Headers.Authorization.ToString());
    }

    [Fact]
    public async Task Fetch_ServerErrorsTwice_RetriesThenSucceeds()
    {
        await using var server = await StartAsync((context, _, n) => n < 2
            ? SourceLoopbackServer.WriteAsync(context, 503, "text/html", "<html><body>all our servers are busy</body></html>")
            : Listing(context, [Link("p2", 1762074200)]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var batch = await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(3, server.RequestsTo("/search.json").Count);
    }

    [Theory]
    [InlineData("""{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":""")]
    [InlineData("""{"kind":"t1","data":{}}""")]
    [InlineData("""<html>blocked</html>""")]
    public async Task Fetch_MalformedBody_ClearErrorAndWatermarkUnchanged(string body)
    {
        await using var server = await StartAsync((context, _, _) => SourceLoopbackServer.JsonAsync(context, 200, body));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 100));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None));

        Assert.Contains("watermark is unchanged", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sources:Reddit:ClientSecret", "")]
    [InlineData("Sources:Reddit:UserAgent", "")]
    public void Start_ClientIdWithoutItsCompanions_FailsNamingTheSetting(string key, string value)
    {
        var settings = Settings(new Uri("https://oauth.reddit.com/"), 100);
        settings[key] = value;
        using var services = SourceLoopbackServer.Services(settings);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.Extensions.Options.IOptions<SocialHandoff.Core.Ingestion.Reddit.RedditSourceOptions>>(services).Value);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    internal static Dictionary<string, string?> Settings(Uri baseUrl, int limit)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:Reddit:ClientId"] = ClientId,
            ["Sources:Reddit:ClientSecret"] = ClientSecret,
            ["Sources:Reddit:UserAgent"] = "test:socialhandoff:1.0 (by /u/tester)",
            ["Sources:Reddit:TokenUrl"] = new Uri(baseUrl, TokenPath.TrimStart('/')).ToString(),
            ["Sources:Reddit:BaseUrl"] = baseUrl.ToString(),
            ["Sources:Reddit:Searches:0:Brand"] = "contoso",
            ["Sources:Reddit:Searches:0:Query"] = "contoso",
            ["Sources:Reddit:Limit"] = limit.ToString(CultureInfo.InvariantCulture),
            ["Sources:Reddit:RateLimitWaitBudget"] = "00:00:10",
        };
        SourceLoopbackServer.AddFastResilience(settings, "Sources:Reddit");
        return settings;
    }

    /// <summary>The token endpoint as Reddit answers it (Basic auth with the app's id and secret), and the search script for everything else.</summary>
    internal static Task<SourceLoopbackServer> StartAsync(Func<HttpContext, SeenRequest, int, Task> search, string secret = ClientSecret)
    {
        var tokens = 0;
        return SourceLoopbackServer.StartAsync((context, request, n) =>
        {
            if (request.Path == TokenPath)
            {
                var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + secret));
                return request.Headers.Authorization.ToString() == expected && request.Body == "grant_type=client_credentials"
                    ? SourceLoopbackServer.JsonAsync(context, 200, $$"""{"access_token": "token-{{Interlocked.Increment(ref tokens)}}", "token_type": "bearer", "expires_in": 86400, "scope": "*"}""")
                    : SourceLoopbackServer.JsonAsync(context, 401, """{"message": "Unauthorized", "error": 401}""");
            }

            return search(context, request, n);
        });
    }

    /// <summary>A t3 (link) Thing.</summary>
    internal static string Link(string id, long createdUtc, string title = "contoso", string selftext = "") => $$"""
        {"kind":"t3","data":{"id":"{{id}}","name":"t3_{{id}}","title":{{JsonSerializer.Serialize(title)}},"selftext":{{JsonSerializer.Serialize(selftext)}},
         "author":"ana_r","author_fullname":"t2_ana","subreddit":"contoso","subreddit_name_prefixed":"r/contoso","created_utc":{{createdUtc}}.0,
         "permalink":"/r/contoso/comments/{{id}}/x/","url":"https://www.reddit.com/r/contoso/comments/{{id}}/x/","score":57,"ups":57,"num_comments":9,"num_crossposts":0,"over_18":false}
        }
        """;

    internal static Task Listing(HttpContext context, string[] children)
    {
        context.Response.Headers["X-Ratelimit-Used"] = "1";
        if (!context.Response.Headers.ContainsKey("X-Ratelimit-Remaining"))
        {
            context.Response.Headers["X-Ratelimit-Remaining"] = "99.0";
            context.Response.Headers["X-Ratelimit-Reset"] = "300";
        }

        var names = children.Select(c => JsonDocument.Parse(c).RootElement.GetProperty("data").GetProperty("name").GetString()).ToList();
        var after = names.Count == 0 ? "null" : $"\"{names[^1]}\"";
        return SourceLoopbackServer.JsonAsync(context, 200, $$"""{"kind":"Listing","data":{"after":{{after}},"dist":{{children.Length}},"modhash":"","geo_filter":"","children":[{{string.Join(",", children)}}],"before":null}""" + "}");
    }

    internal static Task RateLimited(HttpContext context, int resetSeconds)
    {
        context.Response.Headers["X-Ratelimit-Used"] = "100";
        context.Response.Headers["X-Ratelimit-Remaining"] = "0.0";
        context.Response.Headers["X-Ratelimit-Reset"] = resetSeconds.ToString(CultureInfo.InvariantCulture);
        return SourceLoopbackServer.JsonAsync(context, 429, """{"message": "Too Many Requests", "error": 429}""");
    }
}
