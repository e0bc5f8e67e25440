using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests;

/// <summary>The RSS/Atom source against a loopback server serving RSS 2.0 and Atom 1.0 with HTTP validators (ETag, Last-Modified, 304).</summary>
public sealed class FeedSourceTests
{
    private const string ETag = "\"v1\"";
    private const string LastModified = "Mon, 02 Nov 2026 09:00:00 GMT";

    [Fact]
    public async Task Fetch_RssFirstRun_TakesEveryItemOldestFirstAndStoresTheValidators()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => Rss(context, [Item("g2", "Contoso recall widens", "2026-11-02T09:00:00Z"), Item("g1", "Contoso opens store", "2026-11-01T09:00:00Z")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None);

        Assert.Equal(["Contoso opens store", "Contoso recall widens"], batch.Mentions.Select(m => m.Text.Split('\n')[0]));
        var mention = batch.Mentions[1];
        Assert.Equal("rss", mention.Source);
        Assert.Equal("en-gb", mention.Language);
        Assert.Equal("Jo Reporter", mention.Author.Name);
        Assert.Equal("https://news.example/g2", mention.Url);
        Assert.Equal("contoso", mention.Query);
        Assert.Equal("Contoso recall widens\nThe recall now covers & more models.", mention.Text);
        var watermark = JsonDocument.Parse(batch.NextWatermark!).RootElement;
        Assert.Equal(ETag, watermark.GetProperty("etag").GetString());
        Assert.Equal(LastModified, watermark.GetProperty("lastModified").GetString());
    }

    [Fact]
    public async Task Fetch_Unchanged_ConditionalGetAnswered304TakesNothingAndKeepsWatermark()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, request, _) =>
            request.Headers.IfNoneMatch.ToString() == ETag
                ? SourceLoopbackServer.WriteAsync(context, 304, "application/rss+xml", "")
                : Rss(context, [Item("g1", "Contoso opens store", "2026-11-01T09:00:00Z")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));
        var source = SourceLoopbackServer.Source(services, "rss:news");

        var first = await source.FetchAsync(null, CancellationToken.None);
        var second = await source.FetchAsync(first.NextWatermark, CancellationToken.None);

        Assert.Empty(second.Mentions);
        Assert.Equal(first.NextWatermark, second.NextWatermark);
        var conditional = server.Requests.ToArray()[1];
        Assert.Equal(ETag, conditional.Headers.IfNoneMatch.ToString());
        Assert.Equal(LastModified, conditional.Headers.IfModifiedSince.ToString());
    }

    [Fact]
    public async Task Fetch_FeedGrows_TakesOnlyNewItemsKnownByGuidOrElseLink()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) => n == 0
            ? Rss(context, [Item(null, "No guid", "2026-11-01T08:00:00Z", link: "https://news.example/a"), Item("g1", "First", "2026-11-01T09:00:00Z")], etag: null)
            : Rss(context, [Item("g2", "Second", "2026-11-02T09:00:00Z"), Item(null, "No guid, title edited", "2026-11-01T08:00:00Z", link: "https://news.example/a"), Item("g1", "First, edited", "2026-11-01T09:00:00Z")], etag: null));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));
        var source = SourceLoopbackServer.Source(services, "rss:news");

        var first = await source.FetchAsync(null, CancellationToken.None);
        var second = await source.FetchAsync(first.NextWatermark, CancellationToken.None);

        Assert.Equal(2, first.Mentions.Count);
        Assert.Equal("Second", Assert.Single(second.Mentions).Text.Split('\n')[0]);
    }

    [Fact]
    public async Task Fetch_Atom_ReadsEntriesWithAuthorLinkAndUpdatedTime()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => SourceLoopbackServer.WriteAsync(context, 200, "application/atom+xml", """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
              <title>Blog</title><id>urn:uuid:blog</id><updated>2026-11-02T09:00:00Z</updated>
              <entry>
                <title>Contoso, encore en panne</title><id>urn:uuid:e1</id>
                <link rel="alternate" href="https://blog.example/e1"/>
                <updated>2026-11-02T09:00:00Z</updated>
                <author><name>Camille</name></author>
                <summary type="html">&lt;p&gt;Le service est &lt;b&gt;tombé&lt;/b&gt;.&lt;/p&gt;</summary>
              </entry>
            </feed>
            """));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var mention = Assert.Single((await SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None)).Mentions);

        Assert.Equal("Contoso, encore en panne\nLe service est tombé.", mention.Text);
        Assert.Equal("Camille", mention.Author.Name);
        Assert.Equal("https://blog.example/e1", mention.Url);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero), mention.PostedAt);
    }

    [Fact]
    public async Task Fetch_PubDateWithAZoneName_ReadInsteadOfLosingTheFeed()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => Rss(context, [Item("g1", "Contoso", "Mon, 02 Nov 2026 09:00:00 EST", rawDate: true)]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var mention = Assert.Single((await SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None)).Mentions);

        Assert.Equal(new DateTime(2026, 11, 2), mention.PostedAt.UtcDateTime.Date);
    }

    [Fact]
    public async Task Fetch_429WithRetryAfterWithinBudget_WaitsThenSucceeds()
    {
        var started = DateTimeOffset.UtcNow;
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) =>
        {
            if (n == 0)
            {
                context.Response.Headers.RetryAfter = "1";
                return SourceLoopbackServer.WriteAsync(context, 429, "text/plain", "Too Many Requests");
            }

            return Rss(context, [Item("g1", "Contoso", "2026-11-01T09:00:00Z")]);
        });
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(1), "the second request waited for Retry-After");
    }

    [Fact]
    public async Task Fetch_ServerErrorsTwice_RetriesThenSucceeds()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, n) => n < 2
            ? SourceLoopbackServer.WriteAsync(context, 502, "text/html", "<html>Bad gateway</html>")
            : Rss(context, [Item("g1", "Contoso", "2026-11-01T09:00:00Z")]));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var batch = await SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None);

        Assert.Single(batch.Mentions);
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory]
    [InlineData("<html><body>Please enable cookies</body></html>")]
    [InlineData("<rss version=\"2.0\"><channel><title>cut")]
    [InlineData("{\"items\":[]}")]
    public async Task Fetch_MalformedBody_ClearErrorAndWatermarkUnchanged(string body)
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => SourceLoopbackServer.WriteAsync(context, 200, "application/rss+xml", body));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None));

        Assert.Contains("not RSS 2.0 or Atom 1.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("watermark is unchanged", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(404)]
    public async Task Fetch_FeedNotPublicOrGone_ErrorNamesTheUrlSetting(int status)
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => SourceLoopbackServer.WriteAsync(context, status, "text/plain", "no"));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var error = await Assert.ThrowsAsync<SourceApiException>(() => SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None));

        Assert.Contains("Sources:Feeds:Feeds:0:Url", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Fetch_DocumentTypeWithEntities_EntitiesNotExpanded()
    {
        await using var server = await SourceLoopbackServer.StartAsync((context, _, _) => SourceLoopbackServer.WriteAsync(context, 200, "application/rss+xml", """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <rss version="2.0"><channel><title>t</title><link>https://news.example/</link><description>d</description>
            <item><guid>g1</guid><title>&b;</title></item></channel></rss>
            """));
        await using var services = SourceLoopbackServer.Services(Settings(server.BaseUrl));

        var outcome = await Record.ExceptionAsync(() => SourceLoopbackServer.Source(services, "rss:news").FetchAsync(null, CancellationToken.None));

        Assert.True(outcome is null or SourceApiException, $"a DTD is ignored or refused, never expanded: {outcome}");
    }

    internal static Dictionary<string, string?> Settings(Uri baseUrl)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sources:Feeds:Feeds:0:Name"] = "news",
            ["Sources:Feeds:Feeds:0:Url"] = new Uri(baseUrl, "feed.xml").ToString(),
            ["Sources:Feeds:Feeds:0:Brand"] = "contoso",
            ["Sources:Feeds:RateLimitWaitBudget"] = "00:00:10",
        };
        SourceLoopbackServer.AddFastResilience(settings, "Sources:Feeds");
        return settings;
    }

    internal static string Item(string? guid, string title, string published, string? link = null, bool rawDate = false)
    {
        var date = rawDate ? published : DateTimeOffset.Parse(published, System.Globalization.CultureInfo.InvariantCulture).ToString("r", System.Globalization.CultureInfo.InvariantCulture);
        return $"""
            <item>
              <title>{System.Security.SecurityElement.Escape(title)}</title>
              <link>{link ?? "https://news.example/" + guid}</link>
              {(guid is null ? "" : $"<guid isPermaLink=\"false\">{guid}</guid>")}
              <pubDate>{date}</pubDate>
              <author>jo@news.example (Jo Reporter)</author>
              <description>&lt;p&gt;The recall now covers &amp;amp; more models.&lt;/p&gt;</description>
            </item>
            """;
    }

    internal static Task Rss(HttpContext context, string[] items, string? etag = ETag)
    {
        if (etag is not null)
        {
            context.Response.Headers.ETag = etag;
            context.Response.Headers.LastModified = LastModified;
        }

        return SourceLoopbackServer.WriteAsync(context, 200, "application/rss+xml; charset=utf-8", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel>
              <title>News</title><link>https://news.example/</link><description>News</description><language>en-gb</language>
              {string.Join("\n", items)}
            </channel></rss>
            """);
    }
}
