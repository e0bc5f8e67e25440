using Azure.Core;
using Azure.Core.Pipeline;

namespace SocialHandoff.Core.Storage;

/// <summary>
/// The storage clients' retries. The pipeline stages keep the SDK's defaults (3 retries, exponential
/// from 0.8 s with jitter, 100 s per try): a queue message can wait. A request made inside
/// <see cref="StorageClients.BeginInteractive"/> has a person waiting, so it fails fast: no retry
/// when storage cannot be reached at all (it will not be back in a second), one retry of a busy
/// answer (408/429/5xx), and at most <see cref="InteractiveNetworkTimeout"/> per try. Without this an
/// unreachable account took about 6 s of retries to report.
/// </summary>
internal sealed class StorageRetryPolicy() : RetryPolicy(DefaultMaxRetries, DelayStrategy.CreateExponentialDelayStrategy(TimeSpan.FromSeconds(0.8), TimeSpan.FromMinutes(1)))
{
    /// <summary>The SDK's default: 3.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>Tries after the first for a busy answer in an interactive request: 1.</summary>
    public const int InteractiveMaxRetries = 1;

    /// <summary>Per-try limit of an interactive request: 5 s (a table page or a queue call takes milliseconds when storage is well).</summary>
    public static readonly TimeSpan InteractiveNetworkTimeout = TimeSpan.FromSeconds(5);

    internal const string InteractiveProperty = "SocialHandoff.Storage.Interactive";

    private const string TriesProperty = "SocialHandoff.Storage.Tries";

    protected override void OnSendingRequest(HttpMessage message)
    {
        BeforeTry(message);
        base.OnSendingRequest(message);
    }

    protected override ValueTask OnSendingRequestAsync(HttpMessage message)
    {
        BeforeTry(message);
        return base.OnSendingRequestAsync(message);
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) =>
        IsInteractive(message) ? InteractiveMayRetry(message, exception) && base.ShouldRetry(message, exception) : base.ShouldRetry(message, exception);

    protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) =>
        IsInteractive(message)
            ? InteractiveMayRetry(message, exception) && await base.ShouldRetryAsync(message, exception).ConfigureAwait(false)
            : await base.ShouldRetryAsync(message, exception).ConfigureAwait(false);

    private static void BeforeTry(HttpMessage message)
    {
        if (IsInteractive(message))
        {
            message.NetworkTimeout = InteractiveNetworkTimeout;
            message.SetProperty(TriesProperty, Tries(message) + 1);
        }
    }

    /// <summary>Only an answer (a busy status) is retried, and only <see cref="InteractiveMaxRetries"/> times; no answer at all is reported at once.</summary>
    private static bool InteractiveMayRetry(HttpMessage message, Exception? exception) => exception is null && Tries(message) <= InteractiveMaxRetries;

    private static int Tries(HttpMessage message) => message.TryGetProperty(TriesProperty, out var value) && value is int tries ? tries : 0;

    private static bool IsInteractive(HttpMessage message) => message.TryGetProperty(InteractiveProperty, out var value) && value is true;
}
