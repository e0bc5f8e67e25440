using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using SocialHandoff.Core.Http;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>
/// The named resilience pipeline of the X client, every option from <see cref="XResilienceOptions"/>.
/// A 429 is neither retried here nor counted by the breaker: it says when the limit resets, and the
/// source waits for that within Sources:X:RateLimitWaitBudget or ends the run (no retry storm).
/// </summary>
internal static class XResilience
{
    public const string PipelineName = "x-api";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, XResilienceOptions options, TimeProvider timeProvider)
    {
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "x-total-timeout", Timeout = options.TotalTimeout });

        // MaxRetryAttempts 0 (which the options allow) means no retry; Polly's retry strategy refuses 0.
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(WithoutRateLimits(ServerAwareRetry.Options("x-retry", options.MaxRetryAttempts, options.RetryBaseDelay, options.MaxRetryDelay, timeProvider)));
        }

        builder
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                Name = "x-circuit-breaker",
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransientNotRateLimit(args.Outcome)),
            })
            .AddTimeout(new TimeoutStrategyOptions { Name = "x-attempt-timeout", Timeout = options.AttemptTimeout });
    }

    private static HttpRetryStrategyOptions WithoutRateLimits(HttpRetryStrategyOptions retry)
    {
        retry.ShouldHandle = args => ValueTask.FromResult(IsTransientNotRateLimit(args.Outcome));
        return retry;
    }

    private static bool IsTransientNotRateLimit(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}
