using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;

namespace SocialHandoff.Core.Ingestion.Feeds;

/// <summary>A feed's watermark: the validators of its last 200 (for a conditional GET) and the ids of the items already taken.</summary>
internal sealed record FeedWatermark(
    [property: JsonPropertyName("etag")] string? ETag,
    [property: JsonPropertyName("lastModified")] string? LastModified,
    [property: JsonPropertyName("seen")] List<string> Seen);

[JsonSerializable(typeof(FeedWatermark))]
internal sealed partial class FeedJsonContext : JsonSerializerContext;

/// <summary>
/// One RSS or Atom feed, read with System.ServiceModel.Syndication over the named HttpClient "feeds". Each
/// run is a conditional GET (If-None-Match with the last ETag, If-Modified-Since with the last Last-Modified):
/// a 304 costs nothing. An item is known by its guid (RSS) or id (Atom), else its link: the watermark keeps
/// the ids already taken (Sources:Feeds:SeenItemsKept), so items that stay in the feed are never taken twice
/// and an edited item (same guid) is not a new mention. A mention's id is a hash of the item's id, scoped to
/// the feed's address.
/// </summary>
internal sealed class FeedMentionSource(
    FeedSettings feed,
    int index,
    FeedSourceOptions options,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider) : IMentionSource
{
    public const string HttpClientName = "feeds";
    public const string SourceName = "rss";

    public string Name => "rss:" + feed.Name;

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        FeedWatermark? state = null;
        if (watermark is not null)
        {
            try
            {
                state = JsonSerializer.Deserialize(watermark, FeedJsonContext.Default.FeedWatermark);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The watermark of {Name} is not a feed watermark ({ex.Message}).", ex);
            }
        }

        var budget = new RateLimitBudget(options.RateLimitWaitBudget, timeProvider, FeedSourceOptions.SectionName + ":RateLimitWaitBudget");
        return await budget.CallAsync(() => GetAsync(state, watermark, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<SourceBatch> GetAsync(FeedWatermark? state, string? watermark, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, feed.Url);
        request.Headers.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8");
        if (state?.ETag is { Length: > 0 } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        if (state?.LastModified is { Length: > 0 } lastModified)
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
        }

        var http = httpClientFactory.CreateClient(HttpClientName);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var where = $"Feed '{feed.Name}' ({feed.Url})";
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new SourceBatch([], watermark);
        }

        if (!response.IsSuccessStatusCode)
        {
            var reset = RateLimitHeaders.RetryAfter(response, timeProvider);
            throw response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => new SourceRateLimitedException($"{where} refused with 429 Too Many Requests {RateLimitHeaders.Describe(reset)}.", reset),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SourceApiException($"{where} refused with {(int)response.StatusCode}: the feed is not public. Check {FeedSourceOptions.SectionName}:Feeds:{index}:Url.", response.StatusCode),
                HttpStatusCode.NotFound or HttpStatusCode.Gone => new SourceApiException($"{where} answered {(int)response.StatusCode}: the feed has moved or gone. Check {FeedSourceOptions.SectionName}:Feeds:{index}:Url.", response.StatusCode),
                _ => new SourceApiException($"{where} failed with HTTP {(int)response.StatusCode} after the retries the feeds resilience pipeline allows.", response.StatusCode),
            };
        }

        SyndicationFeed parsed;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // No DTDs: a feed is outside input, and entity expansion is an attack.
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, Async = false });
            parsed = Read(reader);
        }
        catch (Exception ex) when (ex is XmlException or FormatException)
        {
            throw new SourceApiException($"{where} returned HTTP {(int)response.StatusCode} with a body that is not RSS 2.0 or Atom 1.0 ({ex.Message}). Nothing was enqueued and the watermark is unchanged.", response.StatusCode, ex);
        }

        var seen = new HashSet<string>(state?.Seen ?? [], StringComparer.Ordinal);
        var mentions = new List<MentionMessage>();
        var current = new List<string>();
        foreach (var item in parsed.Items)
        {
            var id = ItemId(item);
            if (id is null || current.Contains(id, StringComparer.Ordinal))
            {
                continue;
            }

            current.Add(id);
            if (!seen.Contains(id))
            {
                mentions.Add(ToMessage(parsed, item, id));
            }
        }

        mentions.Sort((a, b) => a.PostedAt.CompareTo(b.PostedAt));
        var kept = current.Concat((state?.Seen ?? []).Where(s => !current.Contains(s, StringComparer.Ordinal))).Take(options.SeenItemsKept).ToList();
        var next = new FeedWatermark(
            response.Headers.ETag?.ToString(),
            response.Content.Headers.LastModified?.ToString("R", CultureInfo.InvariantCulture),
            kept);
        return new SourceBatch(mentions, JsonSerializer.Serialize(next, FeedJsonContext.Default.FeedWatermark));
    }

    /// <summary>RSS 2.0 or Atom 1.0, with dates read leniently: feeds in the wild write pubDate in many forms, and one odd date must not lose the feed.</summary>
    private SyndicationFeed Read(XmlReader reader)
    {
        var now = timeProvider.GetUtcNow();
        bool Lenient(XmlDateTimeData data, out DateTimeOffset value)
        {
            if (DateTimeOffset.TryParse(data.DateTimeString, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
            {
                return true;
            }

            // RFC 822 with a zone name .NET does not read ("EST", "PDT"): drop the zone, read as UTC.
            var text = System.Text.RegularExpressions.Regex.Replace(data.DateTimeString ?? "", @"\s+[A-Z]{1,4}$", "", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
            {
                return true;
            }

            value = now;
            return true;
        }

        var rss = new Rss20FeedFormatter { DateTimeParser = Lenient };
        if (rss.CanRead(reader))
        {
            rss.ReadFrom(reader);
            return rss.Feed;
        }

        var atom = new Atom10FeedFormatter { DateTimeParser = Lenient };
        if (atom.CanRead(reader))
        {
            atom.ReadFrom(reader);
            return atom.Feed;
        }

        reader.MoveToContent();
        throw new XmlException($"the document element is <{reader.Name}>, neither RSS <rss> nor Atom <feed>");
    }

    /// <summary>The item's id (guid or Atom id), else its link; null when it has neither (it cannot be deduped, so it is not taken).</summary>
    private string? ItemId(SyndicationItem item)
    {
        var key = !string.IsNullOrWhiteSpace(item.Id) ? item.Id.Trim()
            : item.Links.FirstOrDefault(l => l.Uri is not null) is { } link ? link.GetAbsoluteUri()?.ToString() ?? link.Uri.ToString()
            : null;
        if (key is null)
        {
            return null;
        }

        // Scoped to the feed's address: two feeds may use the same short guids ("1", "2").
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(feed.Url!.AbsoluteUri + "\n" + key));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>RSS writes an author as "jo@news.example (Jo Reporter)", which the library keeps whole as the email.</summary>
    private static (string? Email, string? Name) AuthorOf(SyndicationPerson? person)
    {
        if (person is null)
        {
            return (null, null);
        }

        var match = System.Text.RegularExpressions.Regex.Match(person.Email ?? "", @"^\s*(\S+@\S+)\s*\((.+)\)\s*$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        return match.Success
            ? (match.Groups[1].Value, string.IsNullOrWhiteSpace(person.Name) ? match.Groups[2].Value.Trim() : person.Name)
            : (string.IsNullOrWhiteSpace(person.Email) ? null : person.Email, string.IsNullOrWhiteSpace(person.Name) ? null : person.Name);
    }

    private MentionMessage ToMessage(SyndicationFeed parsed, SyndicationItem item, string id)
    {
        var title = item.Title?.Text is { } t ? SourceText.FromHtml(t) : "";
        var body = item.Content is TextSyndicationContent content ? SourceText.FromHtml(content.Text)
            : item.Summary?.Text is { } summary ? SourceText.FromHtml(summary) : "";
        var text = string.IsNullOrEmpty(body) ? title : string.IsNullOrEmpty(title) ? body : title + "\n" + body;
        var author = item.Authors.FirstOrDefault() ?? parsed.Authors.FirstOrDefault();
        var (email, name) = AuthorOf(author);
        var link = item.Links.FirstOrDefault(l => l.RelationshipType is null or "alternate") ?? item.Links.FirstOrDefault();
        var posted = item.PublishDate != default ? item.PublishDate : item.LastUpdatedTime != default ? item.LastUpdatedTime : timeProvider.GetUtcNow();
        return new MentionMessage(
            MentionMessage.CurrentSchemaVersion,
            Guid.NewGuid().ToString("N"),
            SourceName,
            id,
            new MentionAuthor(email, name ?? email ?? parsed.Title?.Text, name ?? parsed.Title?.Text, null, null),
            text,
            string.IsNullOrWhiteSpace(parsed.Language) ? null : parsed.Language,
            new MentionMetrics(null, null, null, null),
            link is null ? null : (link.GetAbsoluteUri() ?? link.Uri).ToString(),
            posted,
            feed.Brand);
    }
}
