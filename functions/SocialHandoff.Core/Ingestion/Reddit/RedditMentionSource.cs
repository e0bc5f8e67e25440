using System.Globalization;
using Microsoft.Extensions.Logging;

namespace SocialHandoff.Core.Ingestion.Reddit;

/// <summary>
/// One brand's search, sorted by new. The watermark is "fullname|created_utc" of the newest post taken. A run
/// pages forward from it with <c>before</c> (each page holds the posts just newer than the one named), so a run
/// cut short by the rate limit or MaxPagesPerRun keeps what it took and the next run goes on: nothing is
/// skipped. Reddit answers an empty page when the post named by <c>before</c> was deleted or fell out of the
/// search: then the newest page is read and the posts after the watermark's time are taken, so a deleted post
/// cannot freeze the source. A first run takes only the newest page.
/// </summary>
internal sealed partial class RedditMentionSource(
    RedditSearch search,
    RedditSourceOptions options,
    RedditApiClient client,
    TimeProvider timeProvider,
    ILogger<RedditMentionSource> logger) : IMentionSource
{
    public const string SourceName = "reddit";

    public string Name => "reddit:" + search.Brand;

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        var (before, beforeTime) = Parse(watermark);
        var cursor = new BeforeCursor((before, beforeTime), watermark is null, options.Limit, (at, ct) => client.SearchAsync(search, at, ct));
        var run = await SourcePager.RunAsync(Name, cursor, options, timeProvider, cancellationToken).ConfigureAwait(false);
        if (run.RateLimited is { } reason)
        {
            LogRateLimitedRun(Name, run.Pages, cursor.Posts.Count, reason);
        }

        var mentions = cursor.Posts.Values.OrderBy(p => p.CreatedUtc).ThenBy(p => p.Name, StringComparer.Ordinal).Select(ToMessage).ToList();
        var newest = cursor.Newest;
        var next = newest.Name is null ? watermark : newest.Name + "|" + newest.Time.ToString("R", CultureInfo.InvariantCulture);
        return new SourceBatch(mentions, next) { Warnings = [.. run.Warnings] };
    }

    /// <summary>
    /// Forward from the newest post taken with <c>before</c>. When the first page for the watermark's post is
    /// empty (the post was deleted or fell out of the search), the newest page is read instead and only what is
    /// after the watermark's time is taken; that page is the run's last.
    /// </summary>
    private sealed class BeforeCursor((string? Name, double Time) watermark, bool firstRun, int limit, Func<string?, CancellationToken, Task<RedditPage>> fetch) : IPageCursor<RedditPage>
    {
        private bool _fetched;
        private bool _fellBack;

        public Dictionary<string, RedditPost> Posts { get; } = new(StringComparer.Ordinal);

        private readonly double _watermarkTime = watermark.Time;

        public (string? Name, double Time) Newest { get; private set; } = watermark;

        public string Taken => $"{Posts.Count} post(s)";

        public string AfterPageLimit => $"the next run goes on from {Newest.Name}";

        public string AfterRateLimit => "the next run goes on from the newest one taken";

        public async Task<RedditPage> FetchAsync(CancellationToken cancellationToken)
        {
            var before = Newest.Name;
            var page = await fetch(before, cancellationToken).ConfigureAwait(false);
            if (page.Posts.Count == 0 && !_fetched && before is not null)
            {
                page = await fetch(null, cancellationToken).ConfigureAwait(false);
                page = page with { Posts = page.Posts.Where(p => p.CreatedUtc > _watermarkTime).ToList() };
                _fellBack = true;
            }

            _fetched = true;
            return page;
        }

        public bool TakeAndAdvance(RedditPage page)
        {
            foreach (var post in page.Posts)
            {
                Posts.TryAdd(post.Name, post);
                if (Newest.Name is null || post.CreatedUtc > Newest.Time || (post.CreatedUtc == Newest.Time && string.CompareOrdinal(post.Name, Newest.Name) > 0))
                {
                    Newest = (post.Name, post.CreatedUtc);
                }
            }

            return !_fellBack && !firstRun && page.Posts.Count >= limit;
        }

        public RateLimitState RateLimitOf(RedditPage page) => page.RateLimit;
    }

    private (string? Name, double Time) Parse(string? watermark)
    {
        if (watermark is null)
        {
            return (null, 0);
        }

        var bar = watermark.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 && watermark.StartsWith("t3_", StringComparison.Ordinal)
            && double.TryParse(watermark[(bar + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var time)
            ? (watermark[..bar], time)
            : throw new FormatException($"The watermark of {Name} is '{watermark}', not 'fullname|created_utc'.");
    }

    private MentionMessage ToMessage(RedditPost post) => new(
        MentionMessage.CurrentSchemaVersion,
        Guid.NewGuid().ToString("N"),
        SourceName,
        post.Id,
        new MentionAuthor(post.AuthorFullname, post.Author, post.Author, null, null),
        string.IsNullOrWhiteSpace(post.Selftext) ? post.Title ?? "" : $"{post.Title}\n\n{post.Selftext}",
        null,
        new MentionMetrics(post.Score, post.NumCrossposts, post.NumComments, null),
        post.Permalink is { Length: > 0 } p ? "https://www.reddit.com" + p : null,
        DateTimeOffset.FromUnixTimeMilliseconds((long)(post.CreatedUtc * 1000)),
        search.Brand);

    [LoggerMessage(EventId = 1140, EventName = "RedditRunEndedEarly", Level = LogLevel.Warning, Message = "Source {Source}: run ended early after {Pages} pages with {Count} posts; the next run goes on from the newest taken. {Reason}")]
    private partial void LogRateLimitedRun(string source, int pages, int count, string reason);
}
