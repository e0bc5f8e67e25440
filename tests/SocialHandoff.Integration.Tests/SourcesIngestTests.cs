using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests;

/// <summary>Mastodon, Bluesky, Reddit and a feed ingested together on Azurite, each from its loopback provider: own watermarks, one handoff per mention, a source that is down stops only itself.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SourcesIngestTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Ingest_FourSourcesTwice_EachSavesItsOwnWatermarkAndEveryMentionIsOneHandoff()
    {
        await using var providers = await StartProvidersAsync(redditDown: false);
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: Settings(providers.BaseUrl), withSample: false);
        var watermarks = harness.Services.GetRequiredService<IWatermarkStore>();

        var first = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        var second = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.True(first.Succeeded && second.Succeeded, string.Join("; ", first.Sources.Concat(second.Sources).Select(s => s.Error)));
        Assert.Equal(["bluesky:contoso", "mastodon:social:tag:contoso", "reddit:contoso", "rss:news"], first.Sources.Select(s => s.Source).Order(StringComparer.Ordinal));
        Assert.Equal(4, first.Enqueued);
        Assert.Equal("106", await watermarks.GetAsync("mastodon:social:tag:contoso", CancellationToken.None));
        Assert.Equal("t3_p2|1762074200", await watermarks.GetAsync("reddit:contoso", CancellationToken.None));
        Assert.NotNull(await watermarks.GetAsync("bluesky:contoso", CancellationToken.None));
        Assert.Equal("\"v1\"", System.Text.Json.JsonDocument.Parse((await watermarks.GetAsync("rss:news", CancellationToken.None))!).RootElement.GetProperty("etag").GetString());
        var handoffs = await harness.HandoffRowsAsync();
        Assert.Equal(4, handoffs.Count);
    }

    [Fact]
    public async Task Ingest_OneSourceDown_OthersIngestAndItsWatermarkStays()
    {
        await using var providers = await StartProvidersAsync(redditDown: true);
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: Settings(providers.BaseUrl), withSample: false);
        var watermarks = harness.Services.GetRequiredService<IWatermarkStore>();
        await watermarks.SaveAsync("reddit:contoso", "t3_p1|1762074100", CancellationToken.None);

        var result = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);

        var reddit = Assert.Single(result.Sources, s => s.Source == "reddit:contoso");
        Assert.Contains("HTTP 503", reddit.Error, StringComparison.Ordinal);
        Assert.Equal(3, result.Enqueued);
        Assert.Equal("t3_p1|1762074100", await watermarks.GetAsync("reddit:contoso", CancellationToken.None));
    }

    private static Task<SourceLoopbackServer> StartProvidersAsync(bool redditDown)
    {
        var tokens = 0;
        return SourceLoopbackServer.StartAsync((context, request, n) => request.Path switch
        {
            "/api/v1/timelines/tag/contoso" => MastodonSourceTests.Statuses(context, request, request.Query.ContainsKey("min_id") ? [] : [MastodonSourceTests.Status("106", "#contoso app down")]),
            "/xrpc/app.bsky.feed.searchPosts" => BlueskySourceTests.Posts(context, [BlueskySourceTests.Post("3kb", "2026-11-02T09:05:00.000Z", "contoso charged me twice")], null),
            "/api/v1/access_token" => SourceLoopbackServer.JsonAsync(context, 200, $$"""{"access_token": "token-{{Interlocked.Increment(ref tokens)}}", "token_type": "bearer", "expires_in": 86400, "scope": "*"}"""),
            "/search.json" when redditDown => SourceLoopbackServer.WriteAsync(context, 503, "text/html", "<html>busy</html>"),
            "/search.json" => RedditSourceTests.Listing(context, request.Query.ContainsKey("before") ? [] : [RedditSourceTests.Link("p2", 1762074200)]),
            "/feed.xml" when request.Headers.IfNoneMatch.ToString() == "\"v1\"" => SourceLoopbackServer.WriteAsync(context, 304, "application/rss+xml", ""),
            "/feed.xml" => FeedSourceTests.Rss(context, [FeedSourceTests.Item("g1", "Contoso recall", "2026-11-01T09:00:00Z")]),
            _ => SourceLoopbackServer.WriteAsync(context, 404, "text/plain", "not found"),
        });
    }

    private static Dictionary<string, string?> Settings(Uri baseUrl)
    {
        var settings = MastodonSourceTests.Settings(baseUrl, limit: 40, token: null);
        foreach (var part in new[] { BlueskySourceTests.Settings(baseUrl), RedditSourceTests.Settings(baseUrl, 100), FeedSourceTests.Settings(baseUrl) })
        {
            foreach (var (key, value) in part)
            {
                settings[key] = value;
            }
        }

        // The harness runs on a fake clock that only the test advances: no retry delays to wait through.
        settings["Sources:Reddit:Resilience:MaxRetryAttempts"] = "0";
        return settings;
    }
}
