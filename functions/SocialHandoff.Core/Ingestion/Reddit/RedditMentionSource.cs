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
        var budget = new RateLimitBudget(options.RateLimitWaitBudget, timeProvider, RedditSourceOptions.SectionName + ":RateLimitWaitBudget");
        var posts = new Dictionary<string, RedditPost>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var newest = (Name: before, Time: beforeTime);
        var pages = 0;
        while (true)
        {
            RedditPage page;
            try
            {
                var cursor = newest.Name;
                page = await budget.CallAsync(() => client.SearchAsync(search, cursor, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (page.Posts.Count == 0 && pages == 0 && cursor is not null)
                {
                    // The post named by before is gone: read the newest page and keep what is after the watermark's time.
                    page = await budget.CallAsync(() => client.SearchAsync(search, null, cancellationToken), cancellationToken).ConfigureAwait(false);
                    page = page with { Posts = page.Posts.Where(p => p.CreatedUtc > beforeTime).ToList() };
                    pages++;
                    Take(page, posts, ref newest);
                    break;
                }
            }
            catch (SourceRateLimitedException ex) when (pages > 0)
            {
                Stopped(warnings, ex.Message, pages, posts.Count);
                break;
            }

            pages++;
            Take(page, posts, ref newest);
            if (watermark is null || page.Posts.Count < options.Limit)
            {
                break;
            }

            if (pages >= options.MaxPagesPerRun)
            {
                warnings.Add($"Stopped after {pages} pages ({RedditSourceOptions.SectionName}:MaxPagesPerRun); the next run goes on from {newest.Name}.");
                break;
            }

            try
            {
                await budget.PaceAsync(page.RateLimit, cancellationToken).ConfigureAwait(false);
            }
            catch (SourceRateLimitedException ex)
            {
                Stopped(warnings, ex.Message, pages, posts.Count);
                break;
            }
        }

        var mentions = posts.Values.OrderBy(p => p.CreatedUtc).ThenBy(p => p.Name, StringComparer.Ordinal).Select(ToMessage).ToList();
        var next = newest.Name is null ? watermark : newest.Name + "|" + newest.Time.ToString("R", CultureInfo.InvariantCulture);
        return new SourceBatch(mentions, next) { Warnings = warnings };
    }

    private static void Take(RedditPage page, Dictionary<string, RedditPost> posts, ref (string? Name, double Time) newest)
    {
        foreach (var post in page.Posts)
        {
            posts.TryAdd(post.Name, post);
            if (newest.Name is null || post.CreatedUtc > newest.Time || (post.CreatedUtc == newest.Time && string.CompareOrdinal(post.Name, newest.Name) > 0))
            {
                newest = (post.Name, post.CreatedUtc);
            }
        }
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

    private void Stopped(List<string> warnings, string reason, int pages, int count)
    {
        LogRateLimitedRun(Name, pages, count, reason);
        Telemetry.SocialHandoffTelemetry.SourceRateLimitedRuns.Add(1, Telemetry.SocialHandoffTelemetry.Tag(Telemetry.SocialHandoffTelemetry.Tags.Source, Name));
        warnings.Add($"{reason} The run ended after {pages} page(s) with {count} post(s); the next run goes on from the newest one taken.");
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
