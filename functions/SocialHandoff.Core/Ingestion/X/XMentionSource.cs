using Microsoft.Extensions.Logging;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>
/// One brand's recent search. The watermark is the newest tweet id seen (since_id). A run reads
/// every page (next_token) up to MaxPagesPerRun; the new watermark is the first page's newest_id,
/// stored by the ingest stage only after every tweet is enqueued.
/// </summary>
internal sealed partial class XMentionSource(
    XBrandQuery brand,
    XSourceOptions options,
    IHttpClientFactory httpClientFactory,
    ILogger<XMentionSource> logger) : IMentionSource
{
    public const string SourceName = "x";

    public string Name => "x:" + brand.Name;

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        var client = new XApiClient(httpClientFactory.CreateClient(XApiClient.HttpClientName), options);
        var tweets = new Dictionary<string, XTweet>(StringComparer.Ordinal);
        var users = new Dictionary<string, XUser>(StringComparer.Ordinal);
        string? newest = null;
        string? next = null;
        var pages = 0;
        do
        {
            var page = await client.SearchRecentAsync(brand.Query, watermark, next, cancellationToken).ConfigureAwait(false);
            pages++;
            newest ??= page.Meta!.NewestId;
            foreach (var tweet in page.Data ?? [])
            {
                tweets.TryAdd(tweet.Id, tweet);
            }

            foreach (var user in page.Includes?.Users ?? [])
            {
                users.TryAdd(user.Id, user);
            }

            next = page.Meta!.NextToken;
        }
        while (next is not null && pages < options.MaxPagesPerRun);

        if (next is not null)
        {
            LogTruncated(Name, pages, tweets.Count);
        }

        var mentions = tweets.Values
            .OrderBy(t => t.Id.Length).ThenBy(t => t.Id, StringComparer.Ordinal)
            .Select(t => ToMessage(t, t.AuthorId is not null && users.TryGetValue(t.AuthorId, out var u) ? u : null))
            .ToList();
        var nextWatermark = newest ?? mentions.LastOrDefault()?.Id ?? watermark;
        if (watermark is not null && nextWatermark is not null && CompareIds(nextWatermark, watermark) < 0)
        {
            nextWatermark = watermark;
        }

        return new SourceBatch(mentions, nextWatermark);
    }

    private static int CompareIds(string a, string b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    private MentionMessage ToMessage(XTweet tweet, XUser? user) => new(
        MentionMessage.CurrentSchemaVersion,
        Guid.NewGuid().ToString("N"),
        SourceName,
        tweet.Id,
        new MentionAuthor(tweet.AuthorId, user?.Username, user?.Name, user?.PublicMetrics?.FollowersCount, user?.Verified),
        tweet.Text,
        tweet.Lang,
        new MentionMetrics(tweet.PublicMetrics?.LikeCount, tweet.PublicMetrics?.RetweetCount, tweet.PublicMetrics?.ReplyCount, tweet.PublicMetrics?.QuoteCount),
        $"https://x.com/{user?.Username ?? "i"}/status/{tweet.Id}",
        tweet.CreatedAt ?? DateTimeOffset.UnixEpoch,
        brand.Name);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Source {Source}: stopped after {Pages} pages ({Count} tweets, Sources:X:MaxPagesPerRun); older tweets of this window are skipped")]
    private partial void LogTruncated(string source, int pages, int count);
}
