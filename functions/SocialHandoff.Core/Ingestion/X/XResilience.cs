using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>The named resilience pipeline of the X client, every option from <see cref="XResilienceOptions"/>.</summary>
internal static class XResilience
{
    public const string PipelineName = "x-api";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, XResilienceOptions options, TimeProvider timeProvider)
    {
        builder
            .AddTimeout(new TimeoutStrategyOptions { Name = "x-total-timeout", Timeout = options.TotalTimeout })
            .AddRetry(new HttpRetryStrategyOptions
            {
                Name = "x-retry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { } response ? ServerAskedDelay(response, timeProvider, options.MaxRetryDelay) : null),
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                Name = "x-circuit-breaker",
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            })
            .AddTimeout(new TimeoutStrategyOptions { Name = "x-attempt-timeout", Timeout = options.AttemptTimeout });
    }

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
