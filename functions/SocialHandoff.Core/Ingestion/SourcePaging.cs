using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Ingestion;

/// <summary>
/// How one source walks its pages (the cursor strategy): it asks for the page at its position, takes what
/// the page holds and moves on. Mastodon pages forward by min_id, Reddit forward by <c>before</c>,
/// Bluesky backward by an opaque cursor; the loop around them (<see cref="SourcePager"/>) is the same.
/// </summary>
internal interface IPageCursor<TPage>
{
    /// <summary>The page at the cursor's position (a rate-limited call throws <see cref="SourceRateLimitedException"/>).</summary>
    Task<TPage> FetchAsync(CancellationToken cancellationToken);

    /// <summary>Takes the page's items and moves the position on; false when no page follows in this run.</summary>
    bool TakeAndAdvance(TPage page);

    RateLimitState RateLimitOf(TPage page);

    /// <summary>What was taken so far, for a warning: "3 post(s)".</summary>
    string Taken { get; }

    /// <summary>Where the next run goes on when this one stops at the page limit: "the next run goes on from status 42".</summary>
    string AfterPageLimit { get; }

    /// <summary>Where the next run goes on when the rate limit ended this one: "the next run goes on from the newest one taken".</summary>
    string AfterRateLimit { get; }
}

/// <param name="Pages">Pages read.</param>
/// <param name="RateLimited">Why the rate limit ended the run early, or null.</param>
/// <param name="Warnings">What a person should know of the run (the page limit reached, the run ended early).</param>
internal sealed record PagingResult(int Pages, string? RateLimited, IReadOnlyList<string> Warnings);

/// <summary>
/// The paging loop the API sources share: page after page until the cursor says the run is done, at most
/// <see cref="PagedSourceOptions.MaxPagesPerRun"/>, pacing by the provider's rate-limit headers within the
/// run's <see cref="SourceOptions.RateLimitWaitBudget"/> (<see cref="RateLimitBudget"/>). A rate limit on
/// the first page fails the run (nothing taken, the watermark stays); on a later page it ends the run with
/// what was taken, counted in <c>socialhandoff.source.rate_limited_runs</c>.
/// </summary>
internal static class SourcePager
{
    public static async Task<PagingResult> RunAsync<TPage>(
        string source, IPageCursor<TPage> cursor, PagedSourceOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var budget = new RateLimitBudget(options.RateLimitWaitBudget, timeProvider, options.Section + ":RateLimitWaitBudget");
        var pages = 0;
        while (true)
        {
            TPage page;
            try
            {
                page = await budget.CallAsync(() => cursor.FetchAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (SourceRateLimitedException ex) when (pages > 0)
            {
                return Stopped(source, cursor, pages, ex.Message);
            }

            pages++;
            if (!cursor.TakeAndAdvance(page))
            {
                return new PagingResult(pages, null, []);
            }

            if (pages >= options.MaxPagesPerRun)
            {
                return new PagingResult(pages, null, [$"Stopped after {pages} pages ({options.Section}:MaxPagesPerRun); {cursor.AfterPageLimit}."]);
            }

            try
            {
                await budget.PaceAsync(cursor.RateLimitOf(page), cancellationToken).ConfigureAwait(false);
            }
            catch (SourceRateLimitedException ex)
            {
                return Stopped(source, cursor, pages, ex.Message);
            }
        }
    }

    private static PagingResult Stopped<TPage>(string source, IPageCursor<TPage> cursor, int pages, string reason)
    {
        SocialHandoffTelemetry.SourceRateLimitedRuns.Add(1, SocialHandoffTelemetry.Tag(SocialHandoffTelemetry.Tags.Source, source));
        return new PagingResult(pages, reason, [$"{reason} The run ended after {pages} page(s) with {cursor.Taken}; {cursor.AfterRateLimit}."]);
    }
}
