using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests;

/// <summary>Our own queue port, faked: passes through to the real queue but fails the Nth enqueue.</summary>
internal sealed class FailingMentionQueue(IMentionQueue inner, int? failOn) : IMentionQueue
{
    private int _count;

    public int? FailOn { get; set; } = failOn;

    public Task EnqueueAsync(MentionMessage mention, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _count);
        return n == FailOn
            ? throw new IOException($"enqueue number {n} failed (test fake)")
            : inner.EnqueueAsync(mention, cancellationToken);
    }
}
