using Microsoft.Extensions.Time.Testing;
using SocialHandoff.Local.Processes;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// When a stop signal is a new request: the first stops cleanly, a copy within the repeat window is the same request
/// (regression: the SIGTERM `dotnet run` forwards killed the runner before its summary), a later one ends at once.
/// The processes themselves: <see cref="RunnerLifecycleTests"/>.
/// </summary>
public sealed class StopSignalsTests
{
    private readonly FakeTimeProvider _time = new();
    private int _endedAtOnce;

    [Fact]
    public void Receive_First_AsksForACleanStop()
    {
        using var signals = Signals();

        signals.Receive();

        Assert.True(signals.Token.IsCancellationRequested);
        Assert.Equal(0, _endedAtOnce);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1999)]
    public void Receive_AgainWithinTheRepeatWindow_IsTheSameRequest(int millisecondsLater)
    {
        using var signals = Signals();
        signals.Receive();

        _time.Advance(TimeSpan.FromMilliseconds(millisecondsLater));
        signals.Receive();
        signals.Receive();

        Assert.True(signals.Token.IsCancellationRequested);
        Assert.Equal(0, _endedAtOnce);
    }

    [Theory]
    [InlineData(2000)]
    [InlineData(30_000)]
    public void Receive_AgainAfterTheRepeatWindow_EndsAtOnce(int millisecondsLater)
    {
        using var signals = Signals();
        signals.Receive();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        signals.Receive();

        _time.Advance(TimeSpan.FromMilliseconds(millisecondsLater - 500));
        signals.Receive();

        Assert.Equal(1, _endedAtOnce);
    }

    private StopSignals Signals()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), StopSignals.RepeatWindow);
        return new StopSignals(() => _endedAtOnce++, _time);
    }
}
