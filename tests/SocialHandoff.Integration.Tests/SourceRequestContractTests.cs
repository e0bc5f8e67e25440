using System.Text;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// The exact requests each new source sends (method, path, every query parameter, auth and the
/// headers the provider documents), as XApiContract does for X: a change to any of them is a change
/// to the contract with the provider and must show here.
/// </summary>
public sealed class SourceRequestContractTests
{
    private static Dictionary<string, string> QueryOf(SeenRequest request) =>
        request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);

    [Fact]
    public async Task Mastodon_StatusSearchAndTagTimeline_SendExactlyTheDocumentedRequests()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) =>
            MastodonSourceTests.Statuses(context, request, [MastodonSourceTests.Status("101", "contoso")]));
        await using var services = SourceLoopbackServer.Services(MastodonSourceTests.Settings(server.BaseUrl, limit: 40, token: "mastodon-test-token"));

        await SourceLoopbackServer.Source(services, "mastodon:social:search").FetchAsync(null, CancellationToken.None);
        await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None);

        var search = Assert.Single(server.RequestsTo("/api/v2/search"));
        Assert.Equal(("GET", "Bearer mastodon-test-token"), (search.Method, search.Headers.Authorization.ToString()));
        Assert.Equal(new Dictionary<string, string> { ["type"] = "statuses", ["resolve"] = "false", ["q"] = "contoso", ["limit"] = "40" }, QueryOf(search));
        var tag = server.RequestsTo("/api/v1/timelines/tag/contoso")[0];
        Assert.Equal(("GET", "Bearer mastodon-test-token"), (tag.Method, tag.Headers.Authorization.ToString()));
        Assert.Equal(new Dictionary<string, string> { ["limit"] = "40", ["min_id"] = "100" }, QueryOf(tag));
        Assert.All(server.Requests, r => Assert.Equal("", r.Body));
    }

    [Fact]
    public async Task Reddit_TokenThenSearch_SendExactlyTheDocumentedRequests()
    {
        await using var server = await RedditSourceTests.StartAsync((context, _, _) =>
            RedditSourceTests.Listing(context, [RedditSourceTests.Link("abc", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds())]));
        var settings = RedditSourceTests.Settings(server.BaseUrl, limit: 25);
        await using var services = SourceLoopbackServer.Services(settings);

        await SourceLoopbackServer.Source(services, "reddit:contoso").FetchAsync(null, CancellationToken.None);

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        var (token, search) = (requests[0], requests[1]);
        Assert.Equal(("POST", "/api/v1/access_token"), (token.Method, token.Path));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reddit-client:reddit-secret")), token.Headers.Authorization.ToString());
        Assert.StartsWith("application/x-www-form-urlencoded", token.Headers.ContentType.ToString(), StringComparison.Ordinal);
        Assert.Equal("grant_type=client_credentials", token.Body);
        Assert.Empty(QueryOf(token));
        Assert.Equal(("GET", "/search.json", "Bearer token-1"), (search.Method, search.Path, search.Headers.Authorization.ToString()));
        Assert.Equal(
            new Dictionary<string, string> { ["sort"] = "new", ["type"] = "link", ["raw_json"] = "1", ["q"] = "contoso", ["limit"] = "25" },
            QueryOf(search));
        Assert.All(requests, r => Assert.Equal(settings["Sources:Reddit:UserAgent"], r.Headers.UserAgent.ToString()));
    }

    [Fact]
    public async Task Feed_FirstAndConditionalGet_SendExactlyTheDocumentedRequests()
    {
        var published = DateTimeOffset.UtcNow.AddMinutes(-10).ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => FeedSourceTests.Rss(context, [FeedSourceTests.Item("g1", "Contoso recall", published)]));
        await using var services = SourceLoopbackServer.Services(FeedSourceTests.Settings(server.BaseUrl));
        var source = SourceLoopbackServer.Source(services, "rss:news");

        var first = await source.FetchAsync(null, CancellationToken.None);
        await source.FetchAsync(first.NextWatermark, CancellationToken.None);

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r => Assert.Equal(("GET", "/feed.xml"), (r.Method, r.Path)));
        Assert.All(requests, r => Assert.Empty(QueryOf(r)));
        Assert.All(requests, r => Assert.Equal("application/rss+xml, application/atom+xml, application/xml; q=0.9, text/xml; q=0.8", r.Headers.Accept.ToString()));
        Assert.All(requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
        Assert.False(requests[0].Headers.ContainsKey("If-None-Match"));
        Assert.False(requests[0].Headers.ContainsKey("If-Modified-Since"));
        Assert.Equal("\"v1\"", requests[1].Headers.IfNoneMatch.ToString());
        Assert.Equal("Mon, 02 Nov 2026 09:00:00 GMT", requests[1].Headers.IfModifiedSince.ToString());
    }

    [Fact]
    public async Task Bluesky_SearchPostsWithWatermarkAndCursor_SendsExactlyTheDocumentedRequests()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) => n == 0
            ? BlueskySourceTests.Posts(context, [BlueskySourceTests.Post("3kb", "2026-11-02T09:05:00.000Z", "contoso hello")], "cursor-2")
            : BlueskySourceTests.Posts(context, [BlueskySourceTests.Post("3ka", "2026-11-02T09:04:00.000Z", "contoso again")], null));
        var settings = BlueskySourceTests.Settings(server.BaseUrl);
        settings["Sources:Bluesky:Limit"] = "50";
        await using var services = SourceLoopbackServer.Services(settings);

        await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync("2026-11-02T09:00:00.0000000Z", CancellationToken.None);

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r => Assert.Equal(("GET", "/xrpc/app.bsky.feed.searchPosts"), (r.Method, r.Path)));
        Assert.All(requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
        var first = new Dictionary<string, string> { ["sort"] = "latest", ["q"] = "contoso", ["limit"] = "50", ["since"] = "2026-11-02T09:00:00.000Z", ["lang"] = "en" };
        Assert.Equal(first, QueryOf(requests[0]));
        Assert.Equal(new Dictionary<string, string>(first) { ["cursor"] = "cursor-2" }, QueryOf(requests[1]));
    }
}
