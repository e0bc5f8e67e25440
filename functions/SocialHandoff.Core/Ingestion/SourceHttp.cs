using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;
using SocialHandoff.Core.Http;

namespace SocialHandoff.Core.Ingestion;

/// <summary>A failure of a social or feed source that a person has to read: what happened and which setting to check.</summary>
public class SourceApiException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>A 429 (or a spent quota the provider announced): <see cref="ResetAt"/> when the provider said when it lifts.</summary>
public sealed class SourceRateLimitedException(string message, DateTimeOffset? resetAt) : SourceApiException(message, HttpStatusCode.TooManyRequests)
{
    public DateTimeOffset? ResetAt { get; } = resetAt;
}

/// <summary>What a provider's rate-limit headers said on a response: calls left in the window and when it resets.</summary>
internal readonly record struct RateLimitState(double? Remaining, DateTimeOffset? ResetAt)
{
    public bool Spent => Remaining is { } left && left < 1;
}

/// <summary>The named resilience pipeline of each source's HttpClient, outermost first: total timeout, retry, circuit breaker, attempt timeout.</summary>
public sealed class SourceResilienceOptions
{
    /// <summary>Retries after the first attempt. Default 3.</summary>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Base of the exponential back-off (with jitter) when the response says nothing of when to retry. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound of any one retry wait, including a Retry-After on a 5xx. Default 1 minute. A 429 is not retried here: the source waits for the provider's reset within its RateLimitWaitBudget.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:15:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Each HTTP attempt. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One request with all its retries. Default 3 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:30:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Share of failed attempts in the sampling window that opens the circuit. Default 0.5.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts in the window before the ratio counts. Default 8.</summary>
    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 8;

    /// <summary>Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the circuit stays open. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "01:00:00")]
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The start-up rule the attribute cannot say; null when the options hold.</summary>
    internal string? Problem(string section) =>
        TotalTimeout < AttemptTimeout ? $"{section}:Resilience:TotalTimeout must be at least AttemptTimeout." : null;
}

/// <summary>
/// The pipeline every source client shares the shape of (the X client's): a 429 is neither retried nor
/// counted by the breaker, because it says when the limit resets and the source decides whether that wait
/// fits its run (no retry storm); 5xx, 408 and network faults are retried with jitter, honouring Retry-After.
/// </summary>
internal static class SourceResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, string name, SourceResilienceOptions options, TimeProvider timeProvider)
    {
        var retry = ServerAwareRetry.Options(name + "-retry", options.MaxRetryAttempts, options.RetryBaseDelay, options.MaxRetryDelay, timeProvider);
        retry.ShouldHandle = args => ValueTask.FromResult(IsTransientNotRateLimit(args.Outcome));
        builder.AddTimeout(new TimeoutStrategyOptions { Name = name + "-total-timeout", Timeout = options.TotalTimeout });
        if (options.MaxRetryAttempts > 0)
        {
            // Polly's retry refuses 0 attempts; 0 (allowed by the options) means no retry strategy at all.
            builder.AddRetry(retry);
        }

        builder
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                Name = name + "-circuit-breaker",
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransientNotRateLimit(args.Outcome)),
            })
            .AddTimeout(new TimeoutStrategyOptions { Name = name + "-attempt-timeout", Timeout = options.AttemptTimeout });
    }

    private static bool IsTransientNotRateLimit(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}

/// <summary>Readers of the rate-limit headers providers send, each in its own unit.</summary>
internal static class RateLimitHeaders
{
    public static double? Number(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A reset given as Unix epoch seconds (Bluesky's RateLimit-Reset).</summary>
    public static DateTimeOffset? EpochSeconds(HttpResponseMessage response, string header) =>
        Number(response, header) is { } seconds && seconds is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds((long)seconds) : null;

    /// <summary>A reset given as an ISO 8601 time (Mastodon's X-RateLimit-Reset).</summary>
    public static DateTimeOffset? Timestamp(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values)
        && DateTimeOffset.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>A reset given as seconds from now (Reddit's X-Ratelimit-Reset).</summary>
    public static DateTimeOffset? SecondsFromNow(HttpResponseMessage response, string header, TimeProvider timeProvider) =>
        Number(response, header) is { } seconds && seconds is >= 0 and < 86400 ? timeProvider.GetUtcNow().AddSeconds(seconds) : null;

    /// <summary>Retry-After (seconds or a date), the fallback every provider may send.</summary>
    public static DateTimeOffset? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider) => response.Headers.RetryAfter switch
    {
        { Date: { } date } => date,
        { Delta: { } delta } => timeProvider.GetUtcNow() + delta,
        _ => null,
    };

    public static string Describe(DateTimeOffset? reset) =>
        reset is { } r ? "until " + r.ToString("u", CultureInfo.InvariantCulture) : "until a time it did not say";
}

/// <summary>
/// One run's allowance for waiting on a provider's rate limit (its RateLimitWaitBudget): a 429 with a reset,
/// or a page that said no calls are left, waits for the reset once when that fits what is left; otherwise
/// the run ends with what it has (<see cref="SourceRateLimitedException"/>), and the next run resumes.
/// </summary>
internal sealed class RateLimitBudget(TimeSpan budget, TimeProvider timeProvider, string setting)
{
    /// <summary>Reset headers have whole seconds and clocks differ: wait this much past a reset.</summary>
    internal static readonly TimeSpan ResetMargin = TimeSpan.FromSeconds(1);

    public TimeSpan Waited { get; private set; }

    public async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (SourceRateLimitedException ex) when (!waited)
            {
                await WaitAsync(ex.ResetAt, ex.Message, cancellationToken).ConfigureAwait(false);
                waited = true;
            }
        }
    }

    /// <summary>Before the next page: when the last response said the window is spent, wait for its reset or end the run.</summary>
    public Task PaceAsync(RateLimitState state, CancellationToken cancellationToken) =>
        state.Spent ? WaitAsync(state.ResetAt, "The provider said no calls are left in its rate-limit window.", cancellationToken) : Task.CompletedTask;

    private async Task WaitAsync(DateTimeOffset? reset, string said, CancellationToken cancellationToken)
    {
        if (reset is null)
        {
            throw new SourceRateLimitedException(said + " It did not say when the limit resets, so the run ends here.", null);
        }

        var wait = reset.Value - timeProvider.GetUtcNow() + ResetMargin;
        wait = wait < ResetMargin ? ResetMargin : wait;
        if (Waited + wait > budget)
        {
            throw new SourceRateLimitedException(
                string.Create(CultureInfo.InvariantCulture, $"{said} Waiting {wait.TotalSeconds:0} s for the reset is beyond what is left of {setting} ({(budget - Waited).TotalSeconds:0} s)."),
                reset);
        }

        await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        Waited += wait;
    }
}

/// <summary>Reading the JSON bodies the source clients receive.</summary>
internal static class SourceJson
{
    /// <summary>
    /// A successful response's body in the provider's documented shape (a lone surrogate escaped in a post
    /// is replaced first, so one post cannot make the page unreadable); any other body fails the call with
    /// a message naming <paramref name="where"/>, and nothing is enqueued.
    /// </summary>
    public static T? Read<T>(string body, JsonTypeInfo<T> type, string where, HttpStatusCode status)
    {
        try
        {
            return JsonSerializer.Deserialize(JsonText.ReplaceLoneSurrogateEscapes(body), type);
        }
        catch (JsonException ex)
        {
            throw new SourceApiException($"{where} returned HTTP {(int)status} with a body that is not valid JSON of the documented shape ({ex.Message}). Nothing was enqueued and the watermark is unchanged.", status, ex);
        }
    }

    /// <summary>An error or token body when it is readable, else null: the status code alone then says what went wrong.</summary>
    public static T? TryRead<T>(string body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Small text helpers the source adapters share.</summary>
internal static class SourceText
{
    /// <summary>Plain text of a post's HTML (Mastodon content, feed summaries): tags dropped, paragraphs and breaks as new lines, entities decoded once.</summary>
    public static string FromHtml(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return "";
        }

        var text = System.Text.RegularExpressions.Regex.Replace(html, @"<\s*(br|/p)\s*/?\s*>", "\n", System.Text.RegularExpressions.RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        text = System.Text.RegularExpressions.Regex.Replace(text, "<[^>]*>", "", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        return WebUtility.HtmlDecode(text).Trim();
    }

    /// <summary>Numeric order of decimal ids of different lengths (Mastodon's snowflake-like ids).</summary>
    public static int CompareIds(string a, string b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
}
