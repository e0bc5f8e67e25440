using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace SocialHandoff.Core.Http;

/// <summary>
/// The retry every outside HTTP call uses (X API, webhooks): exponential back-off with jitter on
/// transient failures (5xx, 408, 429, network errors, timeouts), waiting instead as long as the
/// server asked when it says so.
/// </summary>
internal static class ServerAwareRetry
{
    public static HttpRetryStrategyOptions Options(string name, int maxRetryAttempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider timeProvider) => new()
    {
        Name = name,
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = baseDelay,
        MaxDelay = maxDelay,
        ShouldRetryAfterHeader = false,
        ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
        DelayGenerator = args => ValueTask.FromResult(
            args.Outcome.Result is { } response ? ServerAskedDelay(response, timeProvider, maxDelay) : null),
    };

    /// <summary>
    /// The wait the server asked for: on 429, until x-rate-limit-reset (epoch seconds); otherwise
    /// Retry-After (seconds or a date). Capped at <paramref name="maxDelay"/>; null when the
    /// response says nothing, so the exponential back-off with jitter applies.
    /// </summary>
    public static TimeSpan? ServerAskedDelay(HttpResponseMessage response, TimeProvider timeProvider, TimeSpan maxDelay)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = timeProvider.GetUtcNow();
        TimeSpan? delay = null;
        if (response.StatusCode == HttpStatusCode.TooManyRequests
            && response.Headers.TryGetValues("x-rate-limit-reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var resetSeconds))
        {
            delay = DateTimeOffset.FromUnixTimeSeconds(resetSeconds) - now;
        }
        else if (response.Headers.RetryAfter is { } retryAfter)
        {
            delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : null);
        }

        if (delay is null)
        {
            return null;
        }

        return delay.Value < TimeSpan.Zero ? TimeSpan.Zero : delay.Value > maxDelay ? maxDelay : delay.Value;
    }
}
