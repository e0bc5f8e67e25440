using System.Globalization;
using Microsoft.Extensions.Logging;

namespace SocialHandoff.Core.Ingestion.Bluesky;

/// <summary>
/// One brand's searchPosts (sort=latest). The watermark is the newest post time taken, sent as <c>since</c>
/// (inclusive, so the post at the boundary comes again and processing dedupes it by its at:// uri). A post's
/// time is the earlier of its createdAt and indexedAt, Bluesky's own sortAt: a client clock in the future
/// cannot push the watermark past posts not yet seen. Pages run newest first (cursor), so a run cut short by
/// the rate limit keeps the old watermark and the next run fetches the gap again; MaxPagesPerRun skips the
/// oldest of a first run, with a warning.
/// </summary>
internal sealed partial class BlueskyMentionSource(
    BlueskySearch search,
    BlueskySourceOptions options,
    BlueskyApiClient client,
    TimeProvider timeProvider,
    ILogger<BlueskyMentionSource> logger) : IMentionSource
{
    public const string SourceName = "bluesky";

    public string Name => "bluesky:" + search.Brand;

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        DateTimeOffset? since = null;
        if (watermark is not null)
        {
            since = DateTimeOffset.TryParse(watermark, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw new FormatException($"The watermark of {Name} is '{watermark}', not a time.");
        }

        var cursor = new NewestFirstCursor(watermark, (at, ct) => client.SearchAsync(search, since, at, ct), p => since is null || SortAt(p) >= since);
        var run = await SourcePager.RunAsync(Name, cursor, options, timeProvider, cancellationToken).ConfigureAwait(false);
        var posts = cursor.Posts;
        var mentions = posts.Values.OrderBy(SortAt).ThenBy(p => p.Uri, StringComparer.Ordinal).Select(ToMessage).ToList();
        string? next;
        if (run.RateLimited is { } reason)
        {
            // Pages run newest first: a run cut short has not reached the old watermark, so it stays.
            next = watermark;
            LogRateLimitedRun(Name, run.Pages, mentions.Count, watermark, reason);
        }
        else
        {
            var newest = posts.Count == 0 ? (DateTimeOffset?)null : posts.Values.Max(SortAt);
            next = newest is { } n && (since is null || n > since) ? n.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) : watermark;
        }

        return new SourceBatch(mentions, next) { Warnings = [.. run.Warnings] };
    }

    /// <summary>Newest first by the opaque cursor, down to the watermark's time: a run cut short leaves the oldest of the window unread.</summary>
    private sealed class NewestFirstCursor(string? watermark, Func<string?, CancellationToken, Task<BlueskyPage>> fetch, Func<BlueskyPost, bool> inWindow) : IPageCursor<BlueskyPage>
    {
        private string? _cursor;

        public Dictionary<string, BlueskyPost> Posts { get; } = new(StringComparer.Ordinal);

        public string Taken => $"{Posts.Count} post(s)";

        public string AfterPageLimit => "older posts of this window are skipped";

        public string AfterRateLimit => $"the watermark stays at {watermark ?? "(none)"} and the next run resumes";

        public Task<BlueskyPage> FetchAsync(CancellationToken cancellationToken) => fetch(_cursor, cancellationToken);

        public bool TakeAndAdvance(BlueskyPage page)
        {
            foreach (var post in page.Posts.Where(inWindow))
            {
                Posts.TryAdd(post.Uri, post);
            }

            _cursor = page.Cursor;
            return _cursor is not null && page.Posts.Count > 0;
        }

        public RateLimitState RateLimitOf(BlueskyPage page) => page.RateLimit;
    }

    private DateTimeOffset SortAt(BlueskyPost post)
    {
        var created = post.Record?.CreatedAt;
        var indexed = post.IndexedAt;
        var time = created is { } c && indexed is { } i ? (c < i ? c : i) : created ?? indexed ?? timeProvider.GetUtcNow();
        var now = timeProvider.GetUtcNow();
        return time > now ? now : time;
    }

    private MentionMessage ToMessage(BlueskyPost post)
    {
        var rkey = post.Uri[(post.Uri.LastIndexOf('/') + 1)..];
        var handle = post.Author?.Handle;
        return new MentionMessage(
            MentionMessage.CurrentSchemaVersion,
            Guid.NewGuid().ToString("N"),
            SourceName,
            post.Uri,
            new MentionAuthor(post.Author?.Did, handle, post.Author?.DisplayName, null, null, post.Author?.CreatedAt),
            post.Record?.Text ?? "",
            post.Record?.Langs?.FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)),
            new MentionMetrics(post.LikeCount, post.RepostCount, post.ReplyCount, post.QuoteCount),
            $"https://bsky.app/profile/{handle ?? post.Author?.Did}/post/{rkey}",
            post.Record?.CreatedAt ?? post.IndexedAt ?? timeProvider.GetUtcNow(),
            search.Brand);
    }

    [LoggerMessage(EventId = 1130, EventName = "BlueskyRunEndedEarly", Level = LogLevel.Warning, Message = "Source {Source}: run ended early after {Pages} pages with {Count} posts; watermark stays at {Watermark}; the next run resumes. {Reason}")]
    private partial void LogRateLimitedRun(string source, int pages, int count, string? watermark, string reason);
}
