using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests;

/// <summary>The Mastodon source against a loopback server answering as Mastodon documents /api/v2/search and /api/v1/timelines/tag/:hashtag.</summary>
public sealed class MastodonSourceTests
{
    private const string Token = "mastodon-test-token";

    [Fact]
    public async Task Fetch_TagTimelineWithWatermark_PagesForwardWithMinIdFromLinkHeaderAndAdvancesWatermark()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, n) => n switch
        {
            0 => Statuses(context, request, [Status("105", "#contoso broke again"), Status("104", "#contoso hi")]),
            _ => Statuses(context, request, [Status("106", "#contoso thanks")]),
        });
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2, token: null));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None);

        Assert.Equal(["104", "105", "106"], batch.Mentions.Select(m => m.Id[(m.Id.LastIndexOf('/') + 1)..]));
        Assert.Equal("106", batch.NextWatermark);
        var requests = server.RequestsTo("/api/v1/timelines/tag/contoso");
        Assert.Equal(["100", "105"], requests.Select(r => r.Query["min_id"].ToString()));
        Assert.All(requests, r => Assert.Equal("2", r.Query["limit"]));
        Assert.All(requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
    }

    [Fact]
    public async Task Fetch_Status_KeepsSourceAuthorReachLanguageAndPlainText()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) =>
            Statuses(context, request, [Status("105", "<p>@contoso charged twice &amp; no refund<br>please help</p>", followers: 48000, language: "de")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 40, token: Token));

        var mention = Assert.Single((await SourceLoopbackServer.Source(services, "mastodon:social:search").FetchAsync(null, CancellationToken.None)).Mentions);

        Assert.Equal("mastodon", mention.Source);
        Assert.Equal("https://remote.example/users/ana/statuses/105", mention.Id);
        Assert.Equal("@contoso charged twice & no refund\nplease help", mention.Text);
        Assert.Equal("ana@remote.example", mention.Author.Handle);
        Assert.Equal(48000, mention.Author.Followers);
        Assert.Equal("de", mention.Language);
        Assert.Equal((7, 2, 1), (mention.Metrics.Likes!.Value, mention.Metrics.Reposts!.Value, mention.Metrics.Replies!.Value));
        Assert.Equal("contoso", mention.Query);
        Assert.Equal("https://remote.example/@ana/105", mention.Url);
    }

    [Fact]
    public async Task Fetch_SearchWithoutWatermark_TakesNewestPageOnlyWithTokenAndTypeStatuses()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) =>
            Statuses(context, request, [Status("205", "contoso a"), Status("204", "contoso b")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2, token: Token));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:search").FetchAsync(null, CancellationToken.None);

        Assert.Equal(2, batch.Mentions.Count);
        Assert.Equal("205", batch.NextWatermark);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/api/v2/search", request.Path);
        Assert.Equal("statuses", request.Query["type"]);
        Assert.Equal("contoso", request.Query["q"]);
        Assert.False(request.Query.ContainsKey("min_id"));
        Assert.Equal("Bearer " + Token, request.Headers.Authorization.ToString());
    }

    [Fact]
    public async Task Fetch_NothingNew_KeepsWatermark()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) => Statuses(context, request, []));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 40, token: Token));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:search").FetchAsync("300", CancellationToken.None);

        Assert.Empty(batch.Mentions);
        Assert.Equal("300", batch.NextWatermark);
    }

    [Fact]
    public async Task Fetch_429WithResetWithinBudget_WaitsUntilResetThenSucceeds()
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(1);
        await using var server = await SourceLoopbackServer.StartAsync((context, request, n) =>
            n == 0 ? RateLimited(context, reset) : Statuses(context, request, [Status("106", "contoso")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 40, token: null));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(DateTimeOffset.UtcNow >= reset, "the second request waited for X-RateLimit-Reset");
    }

    [Fact]
    public async Task Fetch_429MidRunWithResetBeyondBudget_KeepsWhatWasTakenAndWatermarkAtNewestTaken()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, n) =>
            n == 0 ? Statuses(context, request, [Status("102", "a"), Status("101", "b")]) : RateLimited(context, DateTimeOffset.UtcNow.AddMinutes(4)));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2, token: null));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None);

        Assert.Equal(2, batch.Mentions.Count);
        Assert.Equal("102", batch.NextWatermark);
        Assert.Contains("Sources:Mastodon:RateLimitWaitBudget", Assert.Single(batch.Warnings), StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Fetch_429MidRun_CountsOneRateLimitedRunForTheSource()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, n) =>
            n == 0 ? Statuses(context, request, [Status("102", "a"), Status("101", "b")]) : RateLimited(context, DateTimeOffset.UtcNow.AddMinutes(4)));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2, token: null));
        var source = SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso");
        using var metrics = new Telemetry.SourceMetricRecorder(source.Name);

        await source.FetchAsync("100", CancellationToken.None);

        Assert.Equal(1, metrics.Total(SocialHandoff.Core.Telemetry.SocialHandoffTelemetry.Instruments.SourceRateLimitedRuns));
    }

    [Fact]
    public async Task Fetch_RemainingZeroWithResetBeyondBudget_StopsBeforeTheNextPageWithoutA429()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) =>
        {
            context.Response.Headers["X-RateLimit-Limit"] = "300";
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.AddMinutes(4).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            return Statuses(context, request, [Status("102", "a"), Status("101", "b")]);
        });
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 2, token: null));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None);

        Assert.Single(server.Requests);
        Assert.Equal("102", batch.NextWatermark);
        Assert.Contains("no calls are left", Assert.Single(batch.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_Unauthorized_ErrorNamesTheAccessTokenSettingWithoutRetrying()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) =>
            SourceLoopbackServer.JsonAsync(context, 401, """{"error":"The access token is invalid"}"""));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 40, token: "revoked"));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "mastodon:social:search").FetchAsync(null, CancellationToken.None));

        Assert.Contains("Sources:Mastodon:Instances:0:AccessToken", error.Message, StringComparison.Ordinal);
        Assert.Contains("The access token is invalid", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Fetch_ServerErrorsTwice_RetriesThenSucceeds()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, n) =>
            n < 2 ? SourceLoopbackServer.JsonAsync(context, 503, """{"error":"Service Unavailable"}""") : Statuses(context, request, [Status("101", "a")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 40, token: null));

        var batch = await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory]
    [InlineData("""[{"id":"101","created_at":"2026-11-02T09:00:00.000Z","content":"cut off""")]
    [InlineData("""<html><body>Maintenance</body></html>""")]
    [InlineData("""{"statuses":null}""")]
    public async Task Fetch_MalformedBody_ClearErrorAndNothingTaken(string body)
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => SourceLoopbackServer.JsonAsync(context, 200, body));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl, limit: 40, token: Token));

        var search = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "mastodon:social:search").FetchAsync("100", CancellationToken.None));
        var tag = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync("100", CancellationToken.None));

        Assert.All(new[] { search, tag }, e => Assert.Contains("watermark is unchanged", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetch_SameStatusThroughTwoInstances_IsOneMention()
    {
        await using var first = await SourceLoopbackServer.StartAsync((context, request, _) => Statuses(context, request, [Status("105", "contoso")]));
        await using var second = await SourceLoopbackServer.StartAsync((context, request, _) => Statuses(context, request, [Status("9990001", "contoso", uriId: "105")]));
        var settings = Settings(first.BaseUrl, limit: 40, token: null);
        settings["Sources:Mastodon:Instances:1:Name"] = "other";
        settings["Sources:Mastodon:Instances:1:BaseUrl"] = second.BaseUrl.ToString();
        settings["Sources:Mastodon:Instances:1:Brand"] = "contoso";
        settings["Sources:Mastodon:Instances:1:Tags:0"] = "contoso";
        await using var services = SourceLoopbackServer.Services(settings);

        var a = Assert.Single((await SourceLoopbackServer.Source(services, "mastodon:social:tag:contoso").FetchAsync(null, CancellationToken.None)).Mentions);
        var b = Assert.Single((await SourceLoopbackServer.Source(services, "mastodon:other:tag:contoso").FetchAsync(null, CancellationToken.None)).Mentions);

        Assert.Equal(a.Key, b.Key);
    }

    [Theory]
    [InlineData("Query", "contoso", "Sources:Mastodon:Instances:0:AccessToken")]
    [InlineData("Tags:0", "#contoso", "without '#'")]
    [InlineData("BaseUrl", "", "BaseUrl")]
    public void Start_BadInstanceSettings_FailNamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:Mastodon:Instances:0:Name"] = "social",
            ["Sources:Mastodon:Instances:0:BaseUrl"] = "https://mastodon.example/",
            ["Sources:Mastodon:Instances:0:Brand"] = "contoso",
            ["Sources:Mastodon:Instances:0:Tags:0"] = "contoso",
        };
        settings["Sources:Mastodon:Instances:0:" + key] = value;
        using var services = SourceLoopbackServer.Services(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SocialHandoff.Core.Ingestion.Mastodon.MastodonSourceOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    internal static Dictionary<string, string?> Settings(Uri baseUrl, int limit, string? token)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:Mastodon:Instances:0:Name"] = "social",
            ["Sources:Mastodon:Instances:0:BaseUrl"] = baseUrl.ToString(),
            ["Sources:Mastodon:Instances:0:Brand"] = "contoso",
            ["Sources:Mastodon:Instances:0:Tags:0"] = "contoso",
            ["Sources:Mastodon:Limit"] = limit.ToString(CultureInfo.InvariantCulture),
            ["Sources:Mastodon:RateLimitWaitBudget"] = "00:00:10",
        };
        if (token is not null)
        {
            settings["Sources:Mastodon:Instances:0:AccessToken"] = token;
            settings["Sources:Mastodon:Instances:0:Query"] = "contoso";
        }

        SourceLoopbackServer.AddFastResilience(settings, "Sources:Mastodon");
        return settings;
    }

    /// <summary>A Status entity; its uri is on a remote instance, as federated statuses are.</summary>
    internal static string Status(string id, string content, long followers = 12, string language = "en", string? uriId = null) => $$"""
        {"id":"{{id}}","created_at":"2026-11-02T09:{{(int.Parse(id, CultureInfo.InvariantCulture) % 60).ToString("00", CultureInfo.InvariantCulture)}}:00.000Z","in_reply_to_id":null,"sensitive":false,"spoiler_text":"","visibility":"public","language":"{{language}}",
         "uri":"https://remote.example/users/ana/statuses/105","url":"https://remote.example/@ana/105","replies_count":1,"reblogs_count":2,"favourites_count":7,
         "content":{{System.Text.Json.JsonSerializer.Serialize(content)}},"reblog":null,"media_attachments":[],"mentions":[],"tags":[],"emojis":[],
         "account":{"id":"9","username":"ana","acct":"ana@remote.example","display_name":"Ana","bot":false,"created_at":"2020-01-01T00:00:00.000Z","followers_count":{{followers}},"following_count":3,"statuses_count":40}
        }
        """.Replace("statuses/105\"", $"statuses/{uriId ?? id}\"", StringComparison.Ordinal).Replace("@ana/105\"", $"@ana/{id}\"", StringComparison.Ordinal);

    /// <summary>Statuses as the endpoint answers: a search's results object, or a timeline's array with its Link header (prev = newer, min_id).</summary>
    internal static Task Statuses(HttpContext context, SeenRequest request, string[] statuses)
    {
        context.Response.Headers["X-RateLimit-Limit"] = "300";
        if (!context.Response.Headers.ContainsKey("X-RateLimit-Remaining"))
        {
            context.Response.Headers["X-RateLimit-Remaining"] = "299";
            context.Response.Headers["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.AddMinutes(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        if (request.Path.StartsWith("/api/v2/search", StringComparison.Ordinal))
        {
            return SourceLoopbackServer.JsonAsync(context, 200, $$"""{"accounts":[],"statuses":[{{string.Join(",", statuses)}}],"hashtags":[]}""");
        }

        if (statuses.Length > 0)
        {
            var ids = statuses.Select(s => System.Text.Json.JsonDocument.Parse(s).RootElement.GetProperty("id").GetString()!).ToList();
            var url = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
            context.Response.Headers["Link"] = $"<{url}?max_id={ids[^1]}>; rel=\"next\", <{url}?min_id={ids[0]}>; rel=\"prev\"";
        }

        return SourceLoopbackServer.JsonAsync(context, 200, "[" + string.Join(",", statuses) + "]");
    }

    internal static Task RateLimited(HttpContext context, DateTimeOffset reset)
    {
        context.Response.Headers["X-RateLimit-Limit"] = "300";
        context.Response.Headers["X-RateLimit-Remaining"] = "0";
        context.Response.Headers["X-RateLimit-Reset"] = reset.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return SourceLoopbackServer.JsonAsync(context, 429, """{"error":"Too many requests"}""");
    }
}
