using SocialHandoff.Core.Http;
using System.Net.Http.Headers;
using System.Text.Json;
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

    private const string PageOneTemplate = """
        {"data":[
          {"id":"1005","text":"@contoso charged twice, refund please","author_id":"u1","created_at":"2026-11-02T09:05:00.000Z","lang":"en","public_metrics":{"retweet_count":3,"reply_count":1,"like_count":12,"quote_count":0,"bookmark_count":0,"impression_count":400}},
          {"id":"1004","text":"love the new contoso app","author_id":"u2","created_at":"2026-11-02T09:04:00.000Z","lang":"en","public_metrics":{"retweet_count":0,"reply_count":0,"like_count":1,"quote_count":0,"bookmark_count":0,"impression_count":20}}],
         "includes":{"users":[
          {"id":"u1","name":"Big Account","username":"bigaccount","verified":true,"created_at":"2009-03-14T10:20:30.000Z","public_metrics":{"followers_count":250000,"following_count":10,"tweet_count":5000,"listed_count":40}},
          {"id":"u2","name":"Small","username":"small","verified":false,"public_metrics":{"followers_count":12,"following_count":80,"tweet_count":90,"listed_count":0}}]},
         "meta":{"newest_id":"1005","oldest_id":"1004","result_count":2,"next_token":"page2token"}}
        """;

    private const string PageTwoTemplate = """
        {"data":[
          {"id":"1002","text":"is contoso down?","author_id":"u2","created_at":"2026-11-02T09:02:00.000Z","lang":"en","public_metrics":{"retweet_count":0,"reply_count":0,"like_count":0,"quote_count":0}}],
         "includes":{"users":[{"id":"u2","name":"Small","username":"small","verified":false,"public_metrics":{"followers_count":12}}]},
         "meta":{"newest_id":"1002","oldest_id":"1002","result_count":1}}
        """;

    private const string Empty = """{"meta":{"result_count":0}}""";

    // Snowflake ids of posts made an hour ago, so a since_id of them lies inside X's 7-day window.
    private static readonly long RecentBase = long.Parse(XSnowflake.ForTime(DateTimeOffset.UtcNow.AddHours(-1)), System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string Id1002 = RecentId(2);
    private static readonly string Id1004 = RecentId(4);
    private static readonly string Id1005 = RecentId(5);
    private static readonly string PageOne = WithIds(PageOneTemplate);
    private static readonly string PageTwo = WithIds(PageTwoTemplate);

    private static string RecentId(int n) => (RecentBase + ((long)n << 22)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string WithIds(string json) => json.Replace("\"1005\"", $"\"{Id1005}\"", StringComparison.Ordinal)
        .Replace("\"1004\"", $"\"{Id1004}\"", StringComparison.Ordinal)
        .Replace("\"1002\"", $"\"{Id1002}\"", StringComparison.Ordinal);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Fetch_TwoPages_FollowsNextTokenAndReturnsOldestFirst()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) => XLoopbackServer.JsonAsync(context, 200, n == 0 ? PageOne : PageTwo));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal([Id1002, Id1004, Id1005], batch.Mentions.Select(m => m.Id));
        Assert.Equal(Id1005, batch.NextWatermark);
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
            Assert.Equal("created_at,lang,public_metrics,author_id,note_tweet", r.Query["tweet.fields"]);
            Assert.Equal("public_metrics,verified,username,name,created_at", r.Query["user.fields"]);
            Assert.False(r.Query.ContainsKey("since_id"));
            Assert.False(r.Query.ContainsKey("start_time"));
        });
        Assert.Empty(batch.Warnings);
        var big = batch.Mentions.Single(m => m.Id == Id1005);
        Assert.Equal(new MentionAuthor("u1", "bigaccount", "Big Account", 250000, true, new DateTimeOffset(2009, 3, 14, 10, 20, 30, TimeSpan.Zero)), big.Author);
        Assert.Null(batch.Mentions.Single(m => m.Id == Id1004).Author.CreatedAt);
        Assert.Equal(new MentionMetrics(12, 3, 1, 0), big.Metrics);
        Assert.Equal("x", big.Source);
        Assert.Equal("contoso", big.Query);
        Assert.Equal("https://x.com/bigaccount/status/" + Id1005, big.Url);
    }

    [Fact]
    public async Task Fetch_NewAccountPostsOneAdvertThrice_UserCreatedAtReachesTheSpamRepetitionSignal()
    {
        // 5,000 followers: without the account's age the repetition signal would not watch this author.
        var page = WithIds("""
            {"data":[
              {"id":"1005","text":"Great offers on kettles today only @contoso https://spam.link/3","author_id":"u7","created_at":"2026-11-02T09:05:00.000Z","lang":"en"},
              {"id":"1004","text":"Great offers on kettles today only @contoso https://spam.link/2","author_id":"u7","created_at":"2026-11-02T09:04:00.000Z","lang":"en"},
              {"id":"1002","text":"Great offers on kettles today only @contoso https://spam.link/1","author_id":"u7","created_at":"2026-11-02T09:02:00.000Z","lang":"en"}],
             "includes":{"users":[{"id":"u7","name":"Deals","username":"deals4u","verified":false,"created_at":"2026-10-31T09:00:00.000Z","public_metrics":{"followers_count":5000}}]},
             "meta":{"newest_id":"1005","oldest_id":"1002","result_count":3}}
            """);
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, page));
        await using var services = XServices(server.BaseUrl);
        var mentions = (await Source(services).FetchAsync(null, CancellationToken.None)).Mentions;
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?> { ["Spam:Enabled"] = "true" });
        var stage = harness.Services.GetRequiredService<Core.Processing.ProcessMentionStage>();

        var outcomes = new List<Core.Processing.ProcessOutcome>();
        foreach (var mention in mentions)
        {
            outcomes.Add(await stage.ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        }

        Assert.Equal(Core.Processing.ProcessOutcome.Filtered, outcomes[2]);
        Assert.DoesNotContain(Core.Processing.ProcessOutcome.Filtered, outcomes.Take(2));
        Assert.Equal("account 2 days old with 3 identical posts", Assert.Single(await harness.RowsAsync(StorageNames.FilteredMentionsTable)).GetString("Reasons"));
    }

    [Fact]
    public async Task Fetch_WithRecentWatermark_SendsSinceIdAndKeepsWatermarkWhenNothingNew()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, Empty));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(Id1005, CancellationToken.None);

        Assert.Empty(batch.Mentions);
        Assert.Equal(Id1005, batch.NextWatermark);
        Assert.Equal(Id1005, Assert.Single(server.Requests).Query["since_id"]);
    }

    [Fact]
    public async Task Fetch_429WithResetWithinBudget_WaitsUntilResetThenSucceeds()
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(1);
        await using var server = await XLoopbackServer.StartAsync((context, n) =>
            n == 0 ? XLoopbackServer.RateLimitedAsync(context, reset) : XLoopbackServer.JsonAsync(context, 200, PageTwo));
        await using var services = XServices(server.BaseUrl);
        using var metrics = new XMetricRecorder();

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal(Id1002, Assert.Single(batch.Mentions).Id);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(DateTimeOffset.UtcNow >= reset, "the second request waited for x-rate-limit-reset");
        Assert.Equal(1, metrics.Total("socialhandoff.x.rate_limit_waits"));
    }

    [Fact]
    public async Task Fetch_429WithResetBeyondBudget_EndsRunWithWhatWasFetchedAndKeepsWatermark()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) =>
            n == 0 ? XLoopbackServer.JsonAsync(context, 200, PageOne) : XLoopbackServer.RateLimitedAsync(context, DateTimeOffset.UtcNow.AddMinutes(12)));
        await using var services = XServices(server.BaseUrl);
        using var metrics = new XMetricRecorder();
        var watermark = RecentId(1);

        var batch = await Source(services).FetchAsync(watermark, CancellationToken.None);

        Assert.Equal([Id1004, Id1005], batch.Mentions.Select(m => m.Id));
        Assert.Equal(watermark, batch.NextWatermark);
        Assert.Equal(2, server.Requests.Count);
        var warning = Assert.Single(batch.Warnings);
        Assert.Contains("Sources:X:RateLimitWaitBudget", warning, StringComparison.Ordinal);
        Assert.Contains("next run resumes", warning, StringComparison.Ordinal);
        Assert.Equal(1, metrics.Total("socialhandoff.x.rate_limited_runs"));
        Assert.Equal(0, metrics.Total("socialhandoff.x.rate_limit_waits"));
    }

    [Fact]
    public async Task Fetch_429AgainAfterWaitingForReset_EndsRunWithoutRetryStorm()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.RateLimitedAsync(context, DateTimeOffset.UtcNow.AddSeconds(1)));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Empty(batch.Mentions);
        Assert.Null(batch.NextWatermark);
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains("still refused after the wait", Assert.Single(batch.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_UsageCapped_EndsRunAtOnceWithoutWaiting()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.UsageCappedAsync(context));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(Id1005, CancellationToken.None);

        Assert.Empty(batch.Mentions);
        Assert.Equal(Id1005, batch.NextWatermark);
        Assert.Single(server.Requests);
        Assert.Contains("usage cap", Assert.Single(batch.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8.0)]
    [InlineData(30.0)]
    [InlineData(6.999)]
    public async Task Fetch_WatermarkOutsideSevenDayWindow_RestartsAtWindowStartWithWarningAndMetric(double daysOld)
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, PageTwo));
        await using var services = XServices(server.BaseUrl);
        using var metrics = new XMetricRecorder();
        var before = DateTimeOffset.UtcNow;
        var old = XSnowflake.ForTime(before.AddDays(-daysOld));

        var batch = await Source(services).FetchAsync(old, CancellationToken.None);

        var request = Assert.Single(server.Requests).Query;
        Assert.False(request.ContainsKey("since_id"));
        var startTime = DateTimeOffset.Parse(request["start_time"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(startTime, before.AddDays(-7), before.AddDays(-7) + XMentionSource.WindowMargin + TimeSpan.FromSeconds(62));
        Assert.Equal(Id1002, Assert.Single(batch.Mentions).Id);
        Assert.Equal(Id1002, batch.NextWatermark);
        Assert.Contains("restarted at the window's start", Assert.Single(batch.Warnings), StringComparison.Ordinal);
        Assert.Equal(1, metrics.Total("socialhandoff.x.window_restarts"));
    }

    [Theory]
    [InlineData("1005")]
    [InlineData("not-an-id")]
    [InlineData("99999999999999999999")]
    public async Task Fetch_WatermarkNotUsableAsSinceId_RestartsAtWindowStartInsteadOfFailing(string watermark)
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, Empty));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(watermark, CancellationToken.None);

        var request = Assert.Single(server.Requests).Query;
        Assert.False(request.ContainsKey("since_id"));
        Assert.True(request.ContainsKey("start_time"));
        Assert.Single(batch.Warnings);
        Assert.True(XSnowflake.TryGetTime(batch.NextWatermark, out var moved), "a quiet restart moves the watermark to a usable id");
        Assert.InRange(moved, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Fetch_XSaysSinceIdTooOld_RestartsOnceWithStartTime()
    {
        await using var server = await XLoopbackServer.StartAsync((context, n) => n == 0
            ? XLoopbackServer.JsonAsync(context, 400, XLoopbackServer.SinceIdTooOld(context.Request.Query["since_id"]!, DateTimeOffset.UtcNow))
            : XLoopbackServer.JsonAsync(context, 200, PageTwo));
        await using var services = XServices(server.BaseUrl);
        using var metrics = new XMetricRecorder();

        var batch = await Source(services).FetchAsync(Id1005, CancellationToken.None);

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(Id1005, requests[0].Query["since_id"]);
        Assert.False(requests[1].Query.ContainsKey("since_id"));
        Assert.True(requests[1].Query.ContainsKey("start_time"));
        Assert.Equal(Id1002, Assert.Single(batch.Mentions).Id);
        Assert.Contains("'since_id' must be a tweet id created after", Assert.Single(batch.Warnings), StringComparison.Ordinal);
        Assert.Equal(1, metrics.Total("socialhandoff.x.window_restarts"));
    }

    [Fact]
    public async Task Fetch_QueryLongerThanThePlanAllows_ErrorNamesTheQueryParameter()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, Empty));
        var settings = XSettings(server.BaseUrl);
        settings["Sources:X:MaxQueryLength"] = "1024";
        settings["Sources:X:Brands:0:Query"] = "contoso " + new string('x', 600);
        await using var services = XServices(settings);

        var error = await Assert.ThrowsAsync<XApiException>(() => Source(services).FetchAsync(Id1005, CancellationToken.None));

        Assert.Contains("400", error.Message, StringComparison.Ordinal);
        Assert.Contains("parameter 'query'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sources:X:Brands", error.Message, StringComparison.Ordinal);
        Assert.Equal(["query"], error.Parameters);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("max_results", "5", "The `max_results` query parameter value [5] is not between 10 and 100")]
    [InlineData("start_time", "2020-01-01T00:00:00Z", "Invalid 'start_time':'2020-01-01T00:00:00Z'. 'start_time' must be on or after 2026-11-23T00:00Z")]
    public async Task Fetch_400NamingAParameter_ErrorNamesParameterValueAndMessage(string parameter, string value, string message)
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) =>
            XLoopbackServer.JsonAsync(context, 400, XLoopbackServer.InvalidRequest(parameter, value, message)));
        await using var services = XServices(server.BaseUrl);

        var error = await Assert.ThrowsAsync<XApiException>(() => Source(services).FetchAsync(Id1005, CancellationToken.None));

        Assert.Contains($"parameter '{parameter}' ('{value}')", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal([parameter], error.Parameters);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Fetch_PartialErrorForMissingAuthor_KeepsMentionAndReportsTheError()
    {
        var page = $$$"""
            {"data":[
              {"id":"{{{Id1005}}}","text":"@contoso where is my parcel","author_id":"u9","created_at":"2026-11-02T09:05:00.000Z","lang":"en"},
              {"id":"{{{Id1004}}}","text":"contoso ok","author_id":"u2","created_at":"2026-11-02T09:04:00.000Z","lang":"en"}],
             "includes":{"users":[{"id":"u2","name":"Small","username":"small"}]},
             "errors":[{{{XLoopbackServer.AuthorNotFound("u9")}}}],
             "meta":{"newest_id":"{{{Id1005}}}","oldest_id":"{{{Id1004}}}","result_count":2}}
            """;
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, page));
        await using var services = XServices(server.BaseUrl);
        using var metrics = new XMetricRecorder();

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal(2, batch.Mentions.Count);
        var orphan = batch.Mentions.Single(m => m.Id == Id1005);
        Assert.Equal(new MentionAuthor("u9", null, null, null, null), orphan.Author);
        Assert.Equal("@contoso where is my parcel", orphan.Text);
        Assert.Equal("small", batch.Mentions.Single(m => m.Id == Id1004).Author.Handle);
        var warning = Assert.Single(batch.Warnings);
        Assert.Contains("Could not find user with author_id: [u9]", warning, StringComparison.Ordinal);
        Assert.Contains("parameter 'author_id' ('u9')", warning, StringComparison.Ordinal);
        Assert.Equal(1, metrics.Total("socialhandoff.x.partial_errors"));
        Assert.Equal(Id1005, batch.NextWatermark);
    }

    [Fact]
    public async Task Fetch_MaxRetryAttemptsZero_NoRetryStrategyAndOneTryPerRequest()
    {
        var calls = 0;
        await using var server = await XLoopbackServer.StartAsync((context, _) =>
        {
            Interlocked.Increment(ref calls);
            return XLoopbackServer.JsonAsync(context, 503, XLoopbackServer.Problem("Service Unavailable", "busy", 503));
        });
        var settings = XSettings(server.BaseUrl);
        settings["Sources:X:Resilience:MaxRetryAttempts"] = "0";
        await using var services = XServices(settings);

        await Assert.ThrowsAnyAsync<Exception>(() => Source(services).FetchAsync(null, CancellationToken.None));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Fetch_LongPost_UsesNoteTweetFullText()
    {
        var full = "@contoso " + string.Concat(Enumerable.Repeat("my order was lost again and nobody answers. ", 20)).Trim();
        var page = JsonSerializer.Serialize(new
        {
            data = new[]
            {
                new
                {
                    id = Id1005,
                    text = full[..270] + "… https://t.co/abc",
                    author_id = "u2",
                    note_tweet = new { text = full, entities = new { mentions = new[] { new { start = 0, end = 8, username = "contoso" } } } },
                },
            },
            meta = new { newest_id = Id1005, oldest_id = Id1005, result_count = 1 },
        });
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, page));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal(full, Assert.Single(batch.Mentions).Text);
        Assert.True(full.Length > 280);
    }

    [Fact]
    public async Task Fetch_PostWithLoneSurrogateEscaped_PageReadAndTheCharacterReplaced()
    {
        // X can send a post cut inside an emoji; the raw JSON carries the half-pair as an escape, which .NET's reader refuses.
        var page = $$$"""
            {"data":[{"id":"{{{Id1005}}}","text":"half an emoji \ud83d then text","author_id":"u2"}],"meta":{"newest_id":"{{{Id1005}}}","oldest_id":"{{{Id1005}}}","result_count":1}}
            """;
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, page));
        await using var services = XServices(server.BaseUrl);

        var batch = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal("half an emoji \uFFFD then text", Assert.Single(batch.Mentions).Text);
        Assert.Equal(Id1005, batch.NextWatermark);
    }

    [Theory]
    [InlineData("Tom &amp; Jerry &lt;3 &gt;:(", "Tom & Jerry <3 >:(")]
    [InlineData("typed an entity: &amp;amp; and &amp;lt;b&amp;gt;", "typed an entity: &amp; and &lt;b&gt;")]
    [InlineData("&quot;quoted&quot; &#39;x&#39; caf&#233;", "\"quoted\" 'x' café")]
    [InlineData("no entities here & none there", "no entities here & none there")]
    [InlineData("half an emoji &#55357; &#xD83D;", "half an emoji &#55357; &#xD83D;")]
    public async Task Fetch_TextWithHtmlEntities_DecodedExactlyOnce(string sent, string expected)
    {
        var page = JsonSerializer.Serialize(new
        {
            data = new[] { new { id = Id1005, text = sent, note_tweet = (object?)null } },
            meta = new { newest_id = Id1005, oldest_id = Id1005, result_count = 1 },
        });
        var notePage = JsonSerializer.Serialize(new
        {
            data = new[] { new { id = Id1004, text = "cut", note_tweet = new { text = sent } } },
            meta = new { newest_id = Id1004, oldest_id = Id1004, result_count = 1 },
        });
        await using var server = await XLoopbackServer.StartAsync((context, n) => XLoopbackServer.JsonAsync(context, 200, n == 0 ? page : notePage));
        await using var services = XServices(server.BaseUrl);

        var plain = await Source(services).FetchAsync(null, CancellationToken.None);
        var note = await Source(services).FetchAsync(null, CancellationToken.None);

        Assert.Equal(expected, Assert.Single(plain.Mentions).Text);
        Assert.Equal(expected, Assert.Single(note.Mentions).Text);
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
        await watermarks.SaveAsync("x:contoso", Id1005, CancellationToken.None);

        var result = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);

        var source = Assert.Single(result.Sources);
        Assert.Equal("x:contoso", source.Source);
        Assert.Contains("not valid JSON", source.Error, StringComparison.Ordinal);
        Assert.Contains("watermark is unchanged", source.Error, StringComparison.Ordinal);
        Assert.Equal(Id1005, await watermarks.GetAsync("x:contoso", CancellationToken.None));
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
        Assert.Equal(Id1005, server.Requests.Last().Query["since_id"]);
        Assert.Equal(Id1005, await harness.Services.GetRequiredService<IWatermarkStore>().GetAsync("x:contoso", CancellationToken.None));
        Assert.Equal(3, (await harness.HandoffRowsAsync()).Count);
    }

    [Fact]
    public async Task Ingest_RateLimitedMidRun_EnqueuesWhatWasFetchedKeepsWatermarkAndNextRunResumes()
    {
        var old = XSnowflake.ForTime(Harness.Start.AddHours(-2));
        await using var server = await XLoopbackServer.StartAsync((context, n) => n switch
        {
            0 or 2 => XLoopbackServer.JsonAsync(context, 200, PageOne),
            1 => XLoopbackServer.RateLimitedAsync(context, Harness.Start.AddMinutes(14)),
            _ => XLoopbackServer.JsonAsync(context, 200, PageTwo),
        });
        server.Now = () => Harness.Start;
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: XSettings(server.BaseUrl), withSample: false);
        var watermarks = harness.Services.GetRequiredService<IWatermarkStore>();
        await watermarks.SaveAsync("x:contoso", old, CancellationToken.None);

        var first = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        var kept = await watermarks.GetAsync("x:contoso", CancellationToken.None);
        var second = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Null(Assert.Single(first.Sources).Error);
        Assert.Equal(2, first.Enqueued);
        Assert.Equal(old, kept);
        Assert.Equal(3, second.Enqueued);
        Assert.Equal(Id1005, await watermarks.GetAsync("x:contoso", CancellationToken.None));
        Assert.All(server.Requests, r => Assert.Equal(old, r.Query["since_id"]));
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(3, (await harness.HandoffRowsAsync()).Count);
    }

    [Fact]
    public async Task Ingest_WatermarkOutsideWindow_RunSucceedsAndSavesAWatermarkInsideIt()
    {
        await using var server = await XLoopbackServer.StartAsync((context, _) => XLoopbackServer.JsonAsync(context, 200, Empty));
        server.Now = () => Harness.Start;
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: XSettings(server.BaseUrl), withSample: false);
        var watermarks = harness.Services.GetRequiredService<IWatermarkStore>();
        await watermarks.SaveAsync("x:contoso", XSnowflake.ForTime(Harness.Start.AddDays(-9)), CancellationToken.None);

        var first = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        var second = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);

        Assert.True(first.Succeeded && second.Succeeded);
        var requests = server.Requests.ToArray();
        Assert.True(requests[0].Query.ContainsKey("start_time"));
        Assert.False(requests[0].Query.ContainsKey("since_id"));
        Assert.True(requests[1].Query.ContainsKey("since_id"), "the second run searches from the saved watermark");
        Assert.True(XSnowflake.TryGetTime(await watermarks.GetAsync("x:contoso", CancellationToken.None), out var saved));
        Assert.InRange(saved, Harness.Start.AddMinutes(-10), Harness.Start);
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

    [Theory]
    [InlineData(null, 513, "Sources:X:Brands:0:Query is 513 characters")]
    [InlineData("1024", 1025, "Sources:X:Brands:0:Query is 1025 characters")]
    [InlineData("5000", 10, "MaxQueryLength")]
    [InlineData("0", 10, "MaxQueryLength")]
    public void Options_QueryLongerThanAllowed_FailsAtStartUpNamingTheSetting(string? maxQueryLength, int queryLength, string expected)
    {
        var settings = XSettings(new Uri("http://127.0.0.1:9/"));
        if (maxQueryLength is not null)
        {
            settings["Sources:X:MaxQueryLength"] = maxQueryLength;
        }

        settings["Sources:X:Brands:0:Query"] = new string('q', queryLength);
        using var services = XServices(settings);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<XSourceOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 512)]
    [InlineData("1024", 1024)]
    [InlineData("4096", 4096)]
    public void Options_QueryWithinMaxQueryLength_IsValid(string? maxQueryLength, int queryLength)
    {
        var settings = XSettings(new Uri("http://127.0.0.1:9/"));
        if (maxQueryLength is not null)
        {
            settings["Sources:X:MaxQueryLength"] = maxQueryLength;
        }

        settings["Sources:X:Brands:0:Query"] = new string('q', queryLength);
        using var services = XServices(settings);

        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<XSourceOptions>>().Value;

        Assert.Equal(queryLength, options.Brands[0].Query.Length);
    }

    [Theory]
    [InlineData("00:15:01")]
    [InlineData("-00:00:01")]
    public void Options_RateLimitWaitBudgetOutOfRange_FailsAtStartUpNamingTheSetting(string budget)
    {
        var settings = XSettings(new Uri("http://127.0.0.1:9/"));
        settings["Sources:X:RateLimitWaitBudget"] = budget;
        using var services = XServices(settings);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<XSourceOptions>>().Value);

        Assert.Contains("RateLimitWaitBudget", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snowflake_DocumentedExampleId_DecodesToItsCreationTime()
    {
        // The API reference pairs id 1346889436626259968 with created_at 2021-01-06T18:40:40.000Z.
        Assert.True(XSnowflake.TryGetTime("1346889436626259968", out var created));
        Assert.Equal(new DateTimeOffset(2021, 1, 6, 18, 40, 40, TimeSpan.Zero), created.AddMilliseconds(-created.Millisecond));
        var made = XSnowflake.ForTime(created);
        Assert.True(XSnowflake.Compare(made, "1346889436626259968") <= 0);
        Assert.True(XSnowflake.TryGetTime(made, out var back));
        Assert.Equal(created, back);
        Assert.False(XSnowflake.TryGetTime("12a", out _));
        Assert.False(XSnowflake.TryGetTime("", out _));
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

    private static ServiceProvider XServices(Uri baseUrl) => XServices(XSettings(baseUrl));

    private static ServiceProvider XServices(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSocialHandoff();
        return services.BuildServiceProvider();
    }

    private static IMentionSource Source(IServiceProvider services) => Assert.Single(SocialHandoff.Core.ServiceCollectionExtensions.CreateSources(services));
}
