using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>
/// One brand's recent search. The watermark is the newest post id seen (since_id). A run reads every
/// page (next_token) up to MaxPagesPerRun; the new watermark is the first page's newest_id, stored by
/// the ingest stage only after every post is enqueued. X's answers beyond the plain case:
/// <list type="bullet">
/// <item>A since_id older than the 7-day recent-search window (X answers 400): known before the call from
/// the id's snowflake time, or from X's 400 naming since_id. The search restarts at the window's start
/// (start_time), with a warning and the counter socialhandoff.x.window_restarts.</item>
/// <item>Partial errors (errors[] beside data, e.g. an author X cannot return) are logged and reported in
/// <see cref="SourceBatch.Warnings"/>; the post is kept with what is known.</item>
/// <item>A 429 waits until x-rate-limit-reset when that fits Sources:X:RateLimitWaitBudget; otherwise the run
/// ends with what it fetched, the watermark stays, and the next run resumes.</item>
/// </list>
/// </summary>
internal sealed partial class XMentionSource(
    XBrandQuery brand,
    XSourceOptions options,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider,
    ILogger<XMentionSource> logger) : IMentionSource
{
    public const string SourceName = "x";

    /// <summary>How far back recent search reaches.</summary>
    internal static readonly TimeSpan RecentSearchWindow = TimeSpan.FromDays(7);

    /// <summary>A restart's start_time lies this far inside the window (plus the rate-limit budget), so it is still inside when X checks it on later pages and after waits, whatever the clocks' skew.</summary>
    internal static readonly TimeSpan WindowMargin = TimeSpan.FromMinutes(5);

    /// <summary>A watermark older than this that found nothing new moves up to (run start - <see cref="IndexingLag"/>), so a quiet brand's watermark never ages out of the window.</summary>
    internal static readonly TimeSpan QuietAdvanceAfter = TimeSpan.FromDays(1);

    /// <summary>Posts created this long before a search may not be searchable yet: a moved-up watermark stays this far behind.</summary>
    internal static readonly TimeSpan IndexingLag = TimeSpan.FromMinutes(5);

    /// <summary>x-rate-limit-reset has whole seconds and the clocks differ: wait this much past it.</summary>
    internal static readonly TimeSpan ResetMargin = TimeSpan.FromSeconds(1);

    public string Name => "x:" + brand.Name;

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        var client = new XApiClient(httpClientFactory.CreateClient(XApiClient.HttpClientName), options, timeProvider);
        var runStart = timeProvider.GetUtcNow();
        var run = new RunState();
        var start = new XSearchStart(watermark, null);
        if (watermark is not null && OutOfWindow(watermark, runStart) is { } reason)
        {
            start = Restart(watermark, runStart, reason, "local", run);
        }

        var tweets = new Dictionary<string, XTweet>(StringComparer.Ordinal);
        var users = new Dictionary<string, XUser>(StringComparer.Ordinal);
        string? newest = null;
        string? next = null;
        string? stoppedBy = null;
        var pages = 0;
        while (true)
        {
            XSearchResponse page;
            try
            {
                page = await SearchAsync(client, start, next, run, cancellationToken).ConfigureAwait(false);
            }
            catch (XRateLimitedException ex)
            {
                stoppedBy = ex.Message;
                break;
            }
            catch (XApiException ex) when (pages == 0 && !run.Restarted && start.SinceId is not null && ex.Parameters.Contains("since_id"))
            {
                start = Restart(watermark!, runStart, ex.Message, "server", run);
                continue;
            }

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

            if (page.Errors is { Count: > 0 } errors)
            {
                var described = errors.Select(XApiClient.Describe).ToList();
                SocialHandoffTelemetry.XPartialErrors.Add(errors.Count, SourceTag);
                LogPartialErrors(Name, errors.Count, string.Join("; ", described));
                run.Warnings.Add($"X returned {errors.Count} partial error(s) beside the posts; the posts are kept with what is known: {string.Join("; ", described)}");
            }

            next = page.Meta!.NextToken;
            if (next is null || pages >= options.MaxPagesPerRun)
            {
                break;
            }
        }

        if (next is not null && stoppedBy is null)
        {
            LogTruncated(Name, pages, tweets.Count);
            run.Warnings.Add($"Stopped after {pages} pages (Sources:X:MaxPagesPerRun); older posts of this window are skipped.");
        }

        var mentions = tweets.Values
            .OrderBy(t => t.Id, Comparer<string>.Create(XSnowflake.Compare))
            .Select(t => ToMessage(t, t.AuthorId is not null && users.TryGetValue(t.AuthorId, out var u) ? u : null))
            .ToList();
        string? nextWatermark;
        if (stoppedBy is not null)
        {
            // Pages run newest first: a run cut short has not reached the old watermark, so it stays.
            nextWatermark = watermark;
            SocialHandoffTelemetry.XRateLimitedRuns.Add(1, SourceTag);
            LogRateLimitedRun(Name, pages, mentions.Count, watermark, stoppedBy);
            Telemetry.SocialHandoffTelemetry.SourceRateLimitedRuns.Add(1, Telemetry.SocialHandoffTelemetry.Tag(Telemetry.SocialHandoffTelemetry.Tags.Source, Name));
            run.Warnings.Add($"{stoppedBy} The run ended after {pages} page(s) with {mentions.Count} post(s); the watermark stays at {watermark ?? "(none)"} and the next run resumes.");
        }
        else
        {
            var newestSeen = newest ?? mentions.LastOrDefault()?.Id;
            var watermarkTime = DateTimeOffset.MinValue;
            var valid = !run.Restarted && XSnowflake.TryGetTime(watermark, out watermarkTime);
            var candidate = newestSeen
                ?? (valid && watermarkTime >= runStart - QuietAdvanceAfter
                    ? watermark!
                    : XSnowflake.ForTime(runStart - IndexingLag)); // nothing new: move an old (absent, restarted) watermark up so it stays in the window
            nextWatermark = valid && XSnowflake.Compare(candidate, watermark!) < 0 ? watermark : candidate;
        }

        return new SourceBatch(mentions, nextWatermark) { Warnings = run.Warnings };
    }

    private KeyValuePair<string, object?> SourceTag => new(SocialHandoffTelemetry.Tags.Source, Name);

    /// <summary>Why a since_id cannot be sent (it is older than the window, or not an X id at all); null when it can.</summary>
    private static string? OutOfWindow(string watermark, DateTimeOffset now)
    {
        if (!XSnowflake.TryGetTime(watermark, out var created))
        {
            return $"the watermark '{watermark}' is not an X post id";
        }

        var windowStart = now - RecentSearchWindow;
        return created <= windowStart + WindowMargin
            ? $"the watermark {watermark} was created at {created.ToString("u", CultureInfo.InvariantCulture)}, outside the 7-day recent-search window (it starts at {windowStart.ToString("u", CultureInfo.InvariantCulture)})"
            : null;
    }

    private XSearchStart Restart(string watermark, DateTimeOffset runStart, string reason, string detectedBy, RunState run)
    {
        var startTime = runStart - RecentSearchWindow + WindowMargin + options.RateLimitWaitBudget;
        run.Restarted = true;
        SocialHandoffTelemetry.XWindowRestarts.Add(1, SourceTag, new("detected_by", detectedBy));
        LogWindowRestart(Name, watermark, startTime, reason);
        run.Warnings.Add($"The since_id watermark {watermark} cannot be used ({reason}); the search restarted at the window's start {startTime.ToString("u", CultureInfo.InvariantCulture)}. Posts between the watermark and then are beyond recent search.");
        return new XSearchStart(null, startTime);
    }

    /// <summary>One page; a 429 waits until its reset once, when that fits what is left of the run's budget.</summary>
    private async Task<XSearchResponse> SearchAsync(XApiClient client, XSearchStart start, string? next, RunState run, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            try
            {
                return await client.SearchRecentAsync(brand.Query, start, next, cancellationToken).ConfigureAwait(false);
            }
            catch (XRateLimitedException ex) when (!ex.UsageCapped && ex.ResetAt is { } reset)
            {
                var wait = reset - timeProvider.GetUtcNow() + ResetMargin;
                wait = wait < ResetMargin ? ResetMargin : wait;
                if (waited)
                {
                    throw new XRateLimitedException(ex.Message + " X still refused after the wait until its reset.", ex.ResetAt, usageCapped: false);
                }

                if (run.Waited + wait > options.RateLimitWaitBudget)
                {
                    throw new XRateLimitedException(
                        string.Create(CultureInfo.InvariantCulture, $"{ex.Message} Waiting {wait.TotalSeconds:0} s is beyond what is left of Sources:X:RateLimitWaitBudget ({(options.RateLimitWaitBudget - run.Waited).TotalSeconds:0} s)."),
                        ex.ResetAt,
                        usageCapped: false);
                }

                SocialHandoffTelemetry.XRateLimitWaits.Add(1, SourceTag);
                LogRateLimitWait(Name, wait, reset);
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
                run.Waited += wait;
                waited = true;
            }
        }
    }

    private MentionMessage ToMessage(XTweet tweet, XUser? user) => new(
        MentionMessage.CurrentSchemaVersion,
        Guid.NewGuid().ToString("N"),
        SourceName,
        tweet.Id,
        new MentionAuthor(tweet.AuthorId, user?.Username, user?.Name, user?.PublicMetrics?.FollowersCount, user?.Verified, user?.CreatedAt),
        DecodeText(string.IsNullOrEmpty(tweet.NoteTweet?.Text) ? tweet.Text : tweet.NoteTweet.Text),
        tweet.Lang,
        new MentionMetrics(tweet.PublicMetrics?.LikeCount, tweet.PublicMetrics?.RetweetCount, tweet.PublicMetrics?.ReplyCount, tweet.PublicMetrics?.QuoteCount),
        $"https://x.com/{user?.Username ?? "i"}/status/{tweet.Id}",
        tweet.CreatedAt ?? DateTimeOffset.UnixEpoch,
        brand.Name);

    /// <summary>
    /// X sends post text HTML-escaped (&amp;amp; &amp;lt; &amp;gt;). Decoded here, once, so scoring and the cards see
    /// what was typed; one pass, so a typed "&amp;amp;" (sent as "&amp;amp;amp;") stays "&amp;amp;".
    /// </summary>
    internal static string DecodeText(string text) => text.Contains('&', StringComparison.Ordinal) ? WebUtility.HtmlDecode(text) : text;

    private sealed class RunState
    {
        public bool Restarted { get; set; }

        public TimeSpan Waited { get; set; }

        public List<string> Warnings { get; } = [];
    }

    [LoggerMessage(EventId = 1110, EventName = "XRunTruncated", Level = LogLevel.Warning, Message = "Source {Source}: stopped after {Pages} pages ({Count} tweets, Sources:X:MaxPagesPerRun); older tweets of this window are skipped")]
    private partial void LogTruncated(string source, int pages, int count);

    [LoggerMessage(EventId = 1111, EventName = "XWindowRestart", Level = LogLevel.Warning, Message = "Source {Source}: since_id {Watermark} cannot be used ({Reason}); restarting at the start of X's 7-day window, start_time {StartTime}")]
    private partial void LogWindowRestart(string source, string watermark, DateTimeOffset startTime, string reason);

    [LoggerMessage(EventId = 1112, EventName = "XPartialErrors", Level = LogLevel.Warning, Message = "Source {Source}: X returned {Count} partial errors beside the posts (kept with what is known): {Errors}")]
    private partial void LogPartialErrors(string source, int count, string errors);

    [LoggerMessage(EventId = 1113, EventName = "XRateLimitWait", Level = LogLevel.Information, Message = "Source {Source}: rate limited; waiting {Wait} until X's reset at {Reset} (within Sources:X:RateLimitWaitBudget)")]
    private partial void LogRateLimitWait(string source, TimeSpan wait, DateTimeOffset reset);

    [LoggerMessage(EventId = 1114, EventName = "XRateLimitedRun", Level = LogLevel.Warning, Message = "Source {Source}: run ended early after {Pages} pages with {Count} posts; watermark stays at {Watermark}; the next run resumes. {Reason}")]
    private partial void LogRateLimitedRun(string source, int pages, int count, string? watermark, string reason);
}
