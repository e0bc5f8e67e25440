using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests;

/// <summary>The Bluesky source against a loopback server answering as the AT Protocol documents app.bsky.feed.searchPosts and com.atproto.server.createSession.</summary>
public sealed class BlueskySourceTests
{
    private const string Search = "/xrpc/app.bsky.feed.searchPosts";
    private const string CreateSession = "/xrpc/com.atproto.server.createSession";

    [Fact]
    public async Task Fetch_TwoPages_FollowsCursorSendsQLangSinceAndAdvancesWatermarkToNewest()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) => n == 0
            ? Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso charged me twice"), Post("3ka", "2026-11-02T09:04:00.000Z", "contoso hello")], "cursor-2")
            : Posts(context, [Post("3k9", "2026-11-02T09:03:00.000Z", "is contoso down")], null));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync("2026-11-02T09:00:00.0000000Z", CancellationToken.None);

        Assert.Equal(["3k9", "3ka", "3kb"], batch.Mentions.Select(m => m.Id[(m.Id.LastIndexOf('/') + 1)..]));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 5, 0, TimeSpan.Zero), DateTimeOffset.Parse(batch.NextWatermark!, CultureInfo.InvariantCulture));
        var requests = server.RequestsTo(Search);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("contoso", r.Query["q"]);
            Assert.Equal("en", r.Query["lang"]);
            Assert.Equal("latest", r.Query["sort"]);
            Assert.Equal("2026-11-02T09:00:00.000Z", r.Query["since"]);
            Assert.False(r.Headers.ContainsKey("Authorization"));
        });
        Assert.False(requests[0].Query.ContainsKey("cursor"));
        Assert.Equal("cursor-2", requests[1].Query["cursor"]);
    }

    [Fact]
    public async Task Fetch_Post_KeepsSourceAuthorReachLanguageAndLink()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso 💥 broke", lang: "pt")], null));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var mention = Assert.Single((await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None)).Mentions);

        Assert.Equal("bluesky", mention.Source);
        Assert.Equal("at://did:plc:ana123/app.bsky.feed.post/3kb", mention.Id);
        Assert.Equal("contoso 💥 broke", mention.Text);
        Assert.Equal("ana.bsky.social", mention.Author.Handle);
        Assert.Equal("pt", mention.Language);
        Assert.Equal((4L, 2L, 1L, 3L), (mention.Metrics.Likes!.Value, mention.Metrics.Reposts!.Value, mention.Metrics.Replies!.Value, mention.Metrics.Quotes!.Value));
        Assert.Equal("https://bsky.app/profile/ana.bsky.social/post/3kb", mention.Url);
        Assert.Equal("contoso", mention.Query);
    }

    [Fact]
    public async Task Fetch_CreatedAtInTheFuture_WatermarkUsesIndexedAtSoLaterPostsAreNotSkipped()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) =>
            Posts(context, [Post("3kb", "2031-01-01T00:00:00.000Z", "clock is wrong", indexedAt: "2026-11-02T09:05:00.000Z")], null));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 5, 0, TimeSpan.Zero), DateTimeOffset.Parse(batch.NextWatermark!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Fetch_WithAppPassword_CreatesSessionOnceAndSendsItsAccessJwt()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) => request.Path == CreateSession
            ? SessionAsync(context, request)
            : Authorized(context, request) ?? Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso")], null));
        var settings = Settings(server.BaseUrl);
        settings["Sources:Bluesky:Identifier"] = "care.contoso.com";
        settings["Sources:Bluesky:AppPassword"] = "abcd-efgh-ijkl-mnop";
        await using var services = SourceLoopbackServer.Services(settings);
        var source = SourceLoopbackServer.Source(services, "bluesky:contoso");

        await source.FetchAsync(null, CancellationToken.None);
        var batch = await source.FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        var session = Assert.Single(server.RequestsTo(CreateSession));
        Assert.Equal("POST", session.Method);
        Assert.Equal("care.contoso.com", JsonDocument.Parse(session.Body).RootElement.GetProperty("identifier").GetString());
        Assert.All(server.RequestsTo(Search), r => Assert.Equal("Bearer jwt-1", r.Headers.Authorization.ToString()));
    }

    [Fact]
    public async Task Fetch_SessionExpired_SignsInAgainOnceAndSucceeds()
    {
        var sessions = 0;
        await using var server = await SourceLoopbackServer.StartAsync((context, request, n) => request.Path == CreateSession
            ? SessionAsync(context, request, ++sessions)
            : n == 0 ? SourceLoopbackServer.JsonAsync(context, 400, """{"error":"ExpiredToken","message":"Token has expired"}""")
            : Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso")], null));
        var settings = Settings(server.BaseUrl);
        settings["Sources:Bluesky:Identifier"] = "care.contoso.com";
        settings["Sources:Bluesky:AppPassword"] = "abcd-efgh-ijkl-mnop";
        await using var services = SourceLoopbackServer.Services(settings);

        var batch = await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(2, server.RequestsTo(CreateSession).Count);
        Assert.Equal("Bearer jwt-2", server.RequestsTo(Search)[^1].Headers.Authorization.ToString());
    }

    [Fact]
    public async Task Fetch_WrongAppPassword_ErrorNamesTheAppPasswordSetting()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) =>
            SourceLoopbackServer.JsonAsync(context, 401, """{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"""));
        var settings = Settings(server.BaseUrl);
        settings["Sources:Bluesky:Identifier"] = "care.contoso.com";
        settings["Sources:Bluesky:AppPassword"] = "wrong";
        await using var services = SourceLoopbackServer.Services(settings);

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None));

        Assert.Contains("Sources:Bluesky:AppPassword", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid identifier or password", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Fetch_HostRequiresSessionAndNoneConfigured_ErrorSaysWhichSettingsToSet()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) =>
            SourceLoopbackServer.JsonAsync(context, 401, """{"error":"AuthMissing","message":"Authentication Required"}"""));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None));

        Assert.Contains("Sources:Bluesky:AppPassword", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sources:Bluesky:Identifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_429WithResetWithinBudget_WaitsUntilRateLimitResetThenSucceeds()
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(1);
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) =>
            n == 0 ? RateLimited(context, reset) : Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso")], null));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.True(DateTimeOffset.UtcNow >= reset, "the second request waited for RateLimit-Reset");
    }

    [Fact]
    public async Task Fetch_429MidRunBeyondBudget_ReturnsWhatWasFetchedAndKeepsTheOldWatermark()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) =>
            n == 0 ? Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso")], "cursor-2") : RateLimited(context, DateTimeOffset.UtcNow.AddMinutes(4)));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));
        const string watermark = "2026-11-02T08:00:00.0000000Z";

        var batch = await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(watermark, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(watermark, batch.NextWatermark);
        Assert.Contains("Sources:Bluesky:RateLimitWaitBudget", Assert.Single(batch.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_ServerErrorsTwice_RetriesThenSucceeds()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) => n < 2
            ? SourceLoopbackServer.JsonAsync(context, 502, """{"error":"UpstreamFailure","message":"Upstream Failure"}""")
            : Posts(context, [Post("3kb", "2026-11-02T09:05:00.000Z", "contoso")], null));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory]
    [InlineData("""{"posts":[{"uri":"at://x""")]
    [InlineData("""{"hitsTotal":3}""")]
    [InlineData("""not json""")]
    public async Task Fetch_MalformedBody_ClearErrorAndWatermarkUnchanged(string body)
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => SourceLoopbackServer.JsonAsync(context, 200, body));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None));

        Assert.Contains("watermark is unchanged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_BadRequest_ErrorCarriesXrpcMessageAndNamesTheSearchSettings()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) =>
            SourceLoopbackServer.JsonAsync(context, 400, """{"error":"InvalidRequest","message":"Error: params.q must not be empty"}"""));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "bluesky:contoso").FetchAsync(null, CancellationToken.None));

        Assert.Contains("params.q must not be empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sources:Bluesky:Searches", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    internal static Dictionary<string, string?> Settings(Uri host)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:Bluesky:Host"] = host.ToString(),
            ["Sources:Bluesky:Searches:0:Brand"] = "contoso",
            ["Sources:Bluesky:Searches:0:Query"] = "contoso",
            ["Sources:Bluesky:Searches:0:Lang"] = "en",
            ["Sources:Bluesky:RateLimitWaitBudget"] = "00:00:10",
        };
        SourceLoopbackServer.AddFastResilience(settings, "Sources:Bluesky");
        return settings;
    }

    /// <summary>A PostView with its app.bsky.feed.post record.</summary>
    internal static string Post(string rkey, string createdAt, string text, string lang = "en", string? indexedAt = null) => $$"""
        {"uri":"at://did:plc:ana123/app.bsky.feed.post/{{rkey}}","cid":"bafyrei{{rkey}}",
         "author":{"did":"did:plc:ana123","handle":"ana.bsky.social","displayName":"Ana","labels":[],"createdAt":"2024-01-01T00:00:00.000Z"},
         "record":{"$type":"app.bsky.feed.post","text":{{JsonSerializer.Serialize(text)}},"createdAt":"{{createdAt}}","langs":["{{lang}}"]},
         "replyCount":1,"repostCount":2,"likeCount":4,"quoteCount":3,"indexedAt":"{{indexedAt ?? createdAt}}","labels":[]}
        """;

    internal static Task Posts(HttpContext context, string[] posts, string? cursor)
    {
        context.Response.Headers["RateLimit-Limit"] = "3000";
        context.Response.Headers["RateLimit-Remaining"] = "2999";
        context.Response.Headers["RateLimit-Reset"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["RateLimit-Policy"] = "3000;w=300";
        var cursorJson = cursor is null ? "" : $"\"cursor\":\"{cursor}\",";
        return SourceLoopbackServer.JsonAsync(context, 200, "{" + cursorJson + "\"hitsTotal\":" + posts.Length + ",\"posts\":[" + string.Join(",", posts) + "]}");
    }

    internal static Task RateLimited(HttpContext context, DateTimeOffset reset)
    {
        context.Response.Headers["RateLimit-Limit"] = "3000";
        context.Response.Headers["RateLimit-Remaining"] = "0";
        context.Response.Headers["RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["RateLimit-Policy"] = "3000;w=300";
        return SourceLoopbackServer.JsonAsync(context, 429, """{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}""");
    }

    private static Task SessionAsync(HttpContext context, SeenRequest request, int number = 1)
    {
        var body = JsonDocument.Parse(request.Body).RootElement;
        return body.GetProperty("password").GetString() == "abcd-efgh-ijkl-mnop"
            ? SourceLoopbackServer.JsonAsync(context, 200, $$"""{"accessJwt":"jwt-{{number}}","refreshJwt":"refresh-{{number}}","handle":"care.contoso.com","did":"did:plc:care","active":true}""")
            : SourceLoopbackServer.JsonAsync(context, 401, """{"error":"AuthenticationRequired","message":"Invalid identifier or password"}""");
    }

    private static Task? Authorized(HttpContext context, SeenRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer jwt-", StringComparison.Ordinal)
            ? null
            : SourceLoopbackServer.JsonAsync(context, 401, """{"error":"AuthMissing","message":"Authentication Required"}""");
}
