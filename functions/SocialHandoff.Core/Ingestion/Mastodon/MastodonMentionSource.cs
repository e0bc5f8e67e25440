using Microsoft.Extensions.Logging;

namespace SocialHandoff.Core.Ingestion.Mastodon;

/// <summary>
/// One status search or one hashtag timeline of one instance. The watermark is the newest status id taken;
/// a run pages forward from it with min_id (the Link header's rel="prev", else the page's newest id), so a
/// run cut short by the rate limit or MaxPagesPerRun keeps what it took and the next run goes on from there:
/// nothing is skipped. A first run (no watermark) takes only the newest page: no backfill.
/// A mention's id is the status's ActivityPub uri, the same on every instance, so a status seen through two
/// instances, or through search and a tag, is one mention.
/// </summary>
internal sealed partial class MastodonMentionSource(
    MastodonInstance instance,
    int index,
    string? tag,
    MastodonSourceOptions options,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider,
    ILogger<MastodonMentionSource> logger) : IMentionSource
{
    public const string SourceName = "mastodon";

    public string Name => tag is null ? $"mastodon:{instance.Name}:search" : $"mastodon:{instance.Name}:tag:{tag}";

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        var client = new MastodonApiClient(httpClientFactory.CreateClient(MastodonApiClient.HttpClientName), instance, index, timeProvider);
        var cursor = new MinIdCursor(
            watermark,
            options.Limit,
            (minId, ct) => tag is null ? client.SearchAsync(instance.Query!, minId, options.Limit, ct) : client.TagTimelineAsync(tag, minId, options.Limit, ct));
        var run = await SourcePager.RunAsync(Name, cursor, options, timeProvider, cancellationToken).ConfigureAwait(false);
        if (run.RateLimited is { } reason)
        {
            LogRateLimitedRun(Name, run.Pages, cursor.Statuses.Count, reason);
        }

        var mentions = cursor.Statuses.Values
            .OrderBy(s => s.Id, Comparer<string>.Create(SourceText.CompareIds))
            .Select(ToMessage)
            .ToList();
        return new SourceBatch(mentions, cursor.MinId) { Warnings = [.. run.Warnings] };
    }

    /// <summary>Forward from the watermark by min_id: a page's newest id (or its Link rel="prev") is where the next one starts; a first run reads one page.</summary>
    private sealed class MinIdCursor(string? watermark, int limit, Func<string?, CancellationToken, Task<MastodonPage>> fetch) : IPageCursor<MastodonPage>
    {
        private readonly bool _firstRun = watermark is null;

        public Dictionary<string, MastodonStatus> Statuses { get; } = new(StringComparer.Ordinal);

        public string? MinId { get; private set; } = watermark;

        public string Taken => $"{Statuses.Count} status(es)";

        public string AfterPageLimit => $"the next run goes on from status {MinId}";

        public string AfterRateLimit => "the next run goes on from the newest one taken";

        public Task<MastodonPage> FetchAsync(CancellationToken cancellationToken) => fetch(MinId, cancellationToken);

        public bool TakeAndAdvance(MastodonPage page)
        {
            foreach (var status in page.Statuses)
            {
                Statuses.TryAdd(status.Id, status);
            }

            var newest = page.Statuses.Select(s => s.Id).Append(page.NextMinId).OfType<string>().Max(Comparer<string>.Create(SourceText.CompareIds));
            MinId = Max(MinId, newest);
            return newest is not null && !_firstRun && page.Statuses.Count >= limit;
        }

        public RateLimitState RateLimitOf(MastodonPage page) => page.RateLimit;
    }

    private static string? Max(string? a, string? b) => a is null ? b : b is null ? a : SourceText.CompareIds(a, b) >= 0 ? a : b;

    private MentionMessage ToMessage(MastodonStatus status)
    {
        var text = SourceText.FromHtml(status.Content);
        if (!string.IsNullOrWhiteSpace(status.SpoilerText))
        {
            text = status.SpoilerText.Trim() + "\n" + text;
        }

        return new MentionMessage(
            MentionMessage.CurrentSchemaVersion,
            Guid.NewGuid().ToString("N"),
            SourceName,
            string.IsNullOrWhiteSpace(status.Uri) ? $"{instance.BaseUrl!.Host}/{status.Id}" : status.Uri,
            new MentionAuthor(status.Account?.Id, status.Account?.Acct, status.Account?.DisplayName, status.Account?.FollowersCount, null, status.Account?.CreatedAt),
            text,
            string.IsNullOrWhiteSpace(status.Language) ? null : status.Language,
            new MentionMetrics(status.FavouritesCount, status.ReblogsCount, status.RepliesCount, null),
            status.Url ?? status.Uri,
            status.CreatedAt,
            instance.Brand);
    }

    [LoggerMessage(EventId = 1120, EventName = "MastodonRunEndedEarly", Level = LogLevel.Warning, Message = "Source {Source}: run ended early after {Pages} pages with {Count} statuses; the next run goes on from the newest taken. {Reason}")]
    private partial void LogRateLimitedRun(string source, int pages, int count, string reason);
}
