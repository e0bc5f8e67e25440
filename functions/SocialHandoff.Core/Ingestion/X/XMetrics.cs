using System.Diagnostics.Metrics;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>
/// Counters of the X source on the meter "SocialHandoff.Ingestion.X", each tagged with the source
/// ("x:&lt;brand&gt;"): what an operator alerts on when X's answers are not the plain case.
/// </summary>
internal static class XMetrics
{
    public const string MeterName = "SocialHandoff.Ingestion.X";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>A watermark outside the 7-day recent-search window: the search restarted at the window's start.</summary>
    public static readonly Counter<long> WindowRestarts = Meter.CreateCounter<long>("socialhandoff.x.window_restarts", description: "Searches restarted at the start of X's 7-day window because the since_id watermark fell out of it");

    /// <summary>Entries of errors[] beside data (e.g. an author X could not return).</summary>
    public static readonly Counter<long> PartialErrors = Meter.CreateCounter<long>("socialhandoff.x.partial_errors", description: "Partial errors X returned beside data");

    /// <summary>Waits for x-rate-limit-reset within Sources:X:RateLimitWaitBudget.</summary>
    public static readonly Counter<long> RateLimitWaits = Meter.CreateCounter<long>("socialhandoff.x.rate_limit_waits", description: "Waits for X's rate limit to reset within the run's budget");

    /// <summary>Runs ended early by a 429 whose reset lay beyond the budget (or a usage cap): resumed next run.</summary>
    public static readonly Counter<long> RateLimitedRuns = Meter.CreateCounter<long>("socialhandoff.x.rate_limited_runs", description: "Runs ended early by X's rate limit or usage cap");
}
