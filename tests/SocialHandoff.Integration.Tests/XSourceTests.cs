using SocialHandoff.Core.Http;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SocialHandoff.Core;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Ingestion.X;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class XSourceTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Token = "test-bearer-token";

    private const string PageOne = """
        {"data":[
          {"id":"1005","text":"@contoso charged twice, refund please","author_id":"u1","created_at":"2026-11-02T09:05:00.000Z","lang":"en","public_metrics":{"retweet_count":3,"reply_count":1,"like_count":12,"quote_count":0,"bookmark_count":0,"impression_count":400}},
          {"id":"1004","text":"love the new contoso app","author_id":"u2","created_at":"2026-11-02T09:04:00.000Z","lang":"en","public_metrics":{"retweet_count":0,"reply_count":0,"like_count":1,"quote_count":0,"bookmark_count":0,"impression_count":20}}],
         "includes":{"users":[
          {"id":"u1","name":"Big Account","username":"bigaccount","verified":true,"public_metrics":{"followers_count":250000,"following_count":10,"tweet_count":5000,"listed_count":40}},
          {"id":"u2","name":"Small","username":"small","verified":false,"public_metrics":{"followers_count":12,"following_count":80,"tweet_count":90,"listed_count":0}}]},
         "meta":{"newest_id":"1005","oldest_id":"1004","result_count":2,"next_token":"page2token"}}
        """;

    private const string PageTwo = """
        {"data":[
          {"id":"1002","text":"is contoso down?","author_id":"u2","created_at":"2026-11-02T09:02:00.000Z","lang":"en","public_metrics":{"retweet_count":0,"reply_count":0,"like_count":0,"quote_count":0}}],
         "includes":{"users":[{"id":"u2","name":"Small","username":"small","verified":false,"public_metrics":{"followers_count":12}}]},
         "meta":{"newest_id":"1002","oldest_id":"1002","result_count":1}}
        """;

    private const string Empty = """{"meta":{"result_count":0}}""";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Fetch_TwoPages_FollowsNextTokenAndReturnsOldestFirst()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) => XLoopbackServer.JsonAsync(context, 200, n == 0 ? PageOne : PageTwo));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal(["1002", "1004", "1005"], batch.Mentions.Select(m => m.Id));
        Assert.Equal("1005", batch.NextWatermark);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.False(requests[0].Query.ContainsKey("next_token"));
        Assert.Equal("page2token", requests[1].Query["next_token"]);
        Assert.All(requests, r =>
        {
            Assert.Equal("Bearer " + Token, r.Authorization);
            Assert.Equal("(@contoso OR contoso) -is:retweet", r.Query["query"]);
            Assert.Equal("100", r.Query["max_results"]);
            Assert.Equal("author_id", r.Query["expansions"]);
            Assert.Equal("created_at,lang,public_metrics,author_id", r.Query["tweet.fields"]);
            Assert.Equal("public_metrics,verified,username,name", r.Query["user.fields"]);
            Assert.False(r.Query.ContainsKey("since_id"));
        });
        var big = batch.Mentions.Single(m => m.Id == "1005");
        Assert.Equal(new MentionAuthor("u1", "bigaccount", "Big Account", 250000, true), big.Author);
        Assert.Equal(new MentionMetrics(12, 3, 1, 0), big.Metrics);
        Assert.Equal("x", big.Source);
        Assert.Equal("contoso", big.Query);
        Assert.Equal("https://x.com/bigaccount/status/1005", big.Url);
    }

    [Fact]
    public async Task Fetch_WithWatermark_SendsSinceIdAndKeepsWatermarkWhenNothingNew()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, Empty));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync("1005", CancellationToken.None);

        Assert.Empty(batch.Mentions);
        Assert.Equal("1005", batch.NextWatermark);
        Assert.Equal("1005", Assert.Single(server.Requests).Query["since_id"]);
    }

    [Fact]
    public async Task Fetch_429WithRateLimitReset_WaitsThenSucceeds()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) =>
        {
            if (n == 0)
            {
                context.Response.Headers["x-rate-limit-limit"] = "450";
                context.Response.Headers["x-rate-limit-remaining"] = "0";
                context.Response.Headers["x-rate-limit-reset"] = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                return XLoopbackServer.JsonAsync(context, 429, XLoopbackServer.Problem("Too Many Requests", "Too Many Requests", 429));
            }

            return XLoopbackServer.JsonAsync(context, 200, PageTwo);
        });
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal("1002", Assert.Single(batch.Mentions).Id);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Fetch_ServerErrorsTwice_RetriesThenSucceeds()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) => n switch
        {
            0 => XLoopbackServer.JsonAsync(context, 503, XLoopbackServer.Problem("Service Unavailable", "Service Unavailable", 503)),
            1 => XLoopbackServer.JsonAsync(context, 500, XLoopbackServer.Problem("Internal Server Error", "Internal Server Error", 500)),
            _ => XLoopbackServer.JsonAsync(context, 200, PageTwo),
        });
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Fetch_ServerErrorsEveryTime_GivesUpWithClearError()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) =>
            XLoopbackServer.JsonAsync(context, 503, XLoopbackServer.Problem("Service Unavailable", "Over capacity", 503)));
        await using var services = XServices(server.BaseUrl);

        var error = await Assert.ThrowsAsync<XApiException>(() => Source(services).FetchAsync(null, CancellationToken.None));

        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains("Over capacity", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Fetch_Unauthorized_ErrorNamesTheBearerTokenSettingWithoutRetrying()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) =>
            XLoopbackServer.JsonAsync(context, 401, XLoopbackServer.Problem("Unauthorized", "Unauthorized", 401)));
        await using var services = XServices(server.BaseUrl);

        var error = await Assert.ThrowsAsync<XApiException>(() => Source(services).FetchAsync(null, CancellationToken.None));

        Assert.Contains("Sources:X:BearerToken", error.Message, StringComparison.Ordinal);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Ingest_MalformedBody_ClearErrorAndWatermarkUnchanged()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) =>
            XLoopbackServer.JsonAsync(context, 200, """{"data":[{"id":"1009","text":"cut off mid""" ));
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: XSettings(server.BaseUrl), withSample: false);
        var watermarks = harness.Services.GetRequiredService<IWatermarkStore>();
        await watermarks.SaveAsync("x:contoso", "1005", CancellationToken.None);

        var result = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);

        var source = Assert.Single(result.Sources);
        Assert.Equal("x:contoso", source.Source);
        Assert.Contains("not valid JSON", source.Error, StringComparison.Ordinal);
        Assert.Contains("watermark is unchanged", source.Error, StringComparison.Ordinal);
        Assert.Equal("1005", await watermarks.GetAsync("x:contoso", CancellationToken.None));
        Assert.Equal(0, await harness.QueueLengthAsync(StorageNames.MentionsIncomingQueue));
    }

    [Fact]
    public async Task Ingest_TwoPages_EnqueuesAllAndAdvancesWatermarkToNewest()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) => XLoopbackServer.JsonAsync(context, 200, n switch { 0 => PageOne, 1 => PageTwo, _ => Empty }));
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: XSettings(server.BaseUrl), withSample: false);

        var first = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        var second = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(3, first.Enqueued);
        Assert.Equal(0, second.Enqueued);
        Assert.Equal("1005", server.Requests.Last().Query["since_id"]);
        Assert.Equal("1005", await harness.Services.GetRequiredService<IWatermarkStore>().GetAsync("x:contoso", CancellationToken.None));
        Assert.Equal(3, (await harness.RowsAsync(StorageNames.HandoffsTable)).Count);
    }

    [Fact]
    public void ServerAskedDelay_RateLimitReset_WaitsUntilResetCappedAtMaxDelay()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        using var limited = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        limited.Headers.Add("x-rate-limit-reset", clock.GetUtcNow().AddSeconds(37).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var retryAfter = new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        retryAfter.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5));
        using var silent = new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway);

        Assert.Equal(TimeSpan.FromSeconds(37), ServerAwareRetry.ServerAskedDelay(limited, clock, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(10), ServerAwareRetry.ServerAskedDelay(limited, clock, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(5), ServerAwareRetry.ServerAskedDelay(retryAfter, clock, TimeSpan.FromMinutes(1)));
        Assert.Null(ServerAwareRetry.ServerAskedDelay(silent, clock, TimeSpan.FromMinutes(1)));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.Zero, ServerAwareRetry.ServerAskedDelay(limited, clock, TimeSpan.FromMinutes(1)));
    }

    private static Dictionary<string, string?> XSettings(Uri baseUrl) => new()
    {
        ["Sources:X:BearerToken"] = Token,
        ["Sources:X:BaseUrl"] = baseUrl.ToString(),
        ["Sources:X:Brands:0:Name"] = "contoso",
        ["Sources:X:Brands:0:Query"] = "(@contoso OR contoso) -is:retweet",
        ["Sources:X:Resilience:MaxRetryAttempts"] = "2",
        ["Sources:X:Resilience:RetryBaseDelay"] = "00:00:00.010",
        ["Sources:X:Resilience:MaxRetryDelay"] = "00:00:02",
        ["Sources:X:Resilience:AttemptTimeout"] = "00:00:10",
        ["Sources:X:Resilience:TotalTimeout"] = "00:00:30",
    };

    private static ServiceProvider XServices(Uri baseUrl)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(XSettings(baseUrl)).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSocialHandoff();
        return services.BuildServiceProvider();
    }

    private static IMentionSource Source(IServiceProvider services) => Assert.Single(SocialHandoff.Core.ServiceCollectionExtensions.CreateSources(services));
}
