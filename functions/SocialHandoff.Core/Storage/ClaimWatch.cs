using System.Diagnostics;

namespace SocialHandoff.Core.Storage;

/// <summary>
/// Watches another writer's claim on a row (a claim id and the time it holds until, written with the
/// row's ETag) for a reader that must wait while the claim is live and take over once it lapses: the
/// team-message send of a new handoff and the finishing of a handoff's pending event. A claim is live
/// while the row's own clock says so and this reader has not yet watched that same claim for a whole
/// lease on its own clock (two instances' clocks may differ, so neither alone decides). The waits
/// between reads double from 10 ms to 200 ms.
/// </summary>
public sealed class ClaimWatch(TimeSpan lease, TimeProvider timeProvider)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(200);

    private readonly Stopwatch _watched = Stopwatch.StartNew();
    private string? _claim;
    private TimeSpan _pause = FirstPause;

    /// <summary>True while <paramref name="claim"/> holds: not past <paramref name="claimedUntil"/> and not watched for a whole lease.</summary>
    public bool IsLive(string? claim, DateTimeOffset? claimedUntil)
    {
        if (string.IsNullOrEmpty(claim))
        {
            return false;
        }

        if (claim != _claim)
        {
            // A new claim (another taker, or a retry) gets a whole lease of its own.
            _claim = claim;
            _watched.Restart();
        }

        return claimedUntil is { } until && until > timeProvider.GetUtcNow() && _watched.Elapsed < lease;
    }

    /// <summary>A real wait before the next read (whatever clock the SLA arithmetic runs on), longer each time.</summary>
    public Task PauseAsync(CancellationToken cancellationToken)
    {
        var pause = _pause;
        _pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
        return Task.Delay(pause, cancellationToken);
    }
}
