using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Tests.Storage;

public sealed class ClaimWatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void IsLive_NoClaim_NotLive(string? claim)
    {
        var watch = new ClaimWatch(TimeSpan.FromMinutes(1), new FixedClock(Now));

        Assert.False(watch.IsLive(claim, Now.AddMinutes(1)));
    }

    [Fact]
    public void IsLive_ClaimUntilLaterByTheRowsClock_LiveUntilThatTimePasses()
    {
        var clock = new FixedClock(Now);
        var watch = new ClaimWatch(TimeSpan.FromMinutes(1), clock);

        var before = watch.IsLive("a", Now.AddSeconds(15));
        clock.At = Now.AddSeconds(15);
        var at = watch.IsLive("a", Now.AddSeconds(15));

        Assert.True(before);
        Assert.False(at);
        Assert.False(watch.IsLive("a", null));
    }

    [Fact]
    public async Task IsLive_SameClaimWatchedForAWholeLease_LapsesThoughTheRowsClockSaysLive()
    {
        // Another instance's clock far ahead keeps "until" in the future: this reader's own watch ends the wait.
        var watch = new ClaimWatch(TimeSpan.FromMilliseconds(40), new FixedClock(Now));
        Assert.True(watch.IsLive("a", Now.AddHours(1)));

        await Task.Delay(80);

        Assert.False(watch.IsLive("a", Now.AddHours(1)));
        Assert.True(watch.IsLive("b", Now.AddHours(1)), "a new claim (another taker) gets a whole lease of its own");
    }

    private sealed class FixedClock(DateTimeOffset at) : TimeProvider
    {
        public DateTimeOffset At { get; set; } = at;

        public override DateTimeOffset GetUtcNow() => At;
    }
}
