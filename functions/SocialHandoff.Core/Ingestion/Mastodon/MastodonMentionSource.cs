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
        var budget = new RateLimitBudget(options.RateLimitWaitBudget, timeProvider, MastodonSourceOptions.SectionName + ":RateLimitWaitBudget");
        var statuses = new Dictionary<string, MastodonStatus>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var cursor = watermark;
        var pages = 0;
        while (true)
        {
            MastodonPage page;
            try
            {
                var minId = cursor;
                page = await budget.CallAsync(
                    () => tag is null
                        ? client.SearchAsync(instance.Query!, minId, options.Limit, cancellationToken)
                        : client.TagTimelineAsync(tag, minId, options.Limit, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (SourceRateLimitedException ex) when (pages > 0)
            {
                Stopped(warnings, ex.Message, pages, statuses.Count);
                break;
            }

            pages++;
            foreach (var status in page.Statuses)
            {
                statuses.TryAdd(status.Id, status);
            }

            var newest = page.Statuses.Select(s => s.Id).Append(page.NextMinId).OfType<string>().Max(Comparer<string>.Create(SourceText.CompareIds));
            if (newest is null || watermark is null || page.Statuses.Count < options.Limit)
            {
                cursor = Max(cursor, newest);
                break;
            }

            cursor = Max(cursor, newest);
            if (pages >= options.MaxPagesPerRun)
            {
                warnings.Add($"Stopped after {pages} pages ({MastodonSourceOptions.SectionName}:MaxPagesPerRun); the next run goes on from status {cursor}.");
                break;
            }

            try
            {
                await budget.PaceAsync(page.RateLimit, cancellationToken).ConfigureAwait(false);
            }
            catch (SourceRateLimitedException ex)
            {
                Stopped(warnings, ex.Message, pages, statuses.Count);
                break;
            }
        }

        var mentions = statuses.Values
            .OrderBy(s => s.Id, Comparer<string>.Create(SourceText.CompareIds))
            .Select(ToMessage)
            .ToList();
        return new SourceBatch(mentions, cursor) { Warnings = warnings };
    }

    private void Stopped(List<string> warnings, string reason, int pages, int count)
    {
        LogRateLimitedRun(Name, pages, count, reason);
        Telemetry.SocialHandoffTelemetry.SourceRateLimitedRuns.Add(1, Telemetry.SocialHandoffTelemetry.Tag(Telemetry.SocialHandoffTelemetry.Tags.Source, Name));
        warnings.Add($"{reason} The run ended after {pages} page(s) with {count} status(es); the next run goes on from the newest one taken.");
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
