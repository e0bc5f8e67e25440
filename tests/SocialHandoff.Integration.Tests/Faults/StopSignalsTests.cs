using System.Runtime.InteropServices;
using SocialHandoff.Local.Processes;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// When a stop signal is a new request: the first of any kind stops cleanly; SIGTERM again is the same request
/// (regression: the SIGTERM `dotnet run` forwards killed the runner before its summary), a second Ctrl+C or SIGQUIT
/// ends at once. The processes themselves: <see cref="RunnerLifecycleTests"/>.
/// </summary>
public sealed class StopSignalsTests
{
    private int _endedAtOnce;

    [Theory]
    [InlineData(PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGQUIT)]
    public void Receive_First_AsksForACleanStop(PosixSignal signal)
    {
        var signals = new StopSignals(() => _endedAtOnce++);

        signals.Receive(signal);

        Assert.True(signals.Token.IsCancellationRequested);
        Assert.Equal(0, _endedAtOnce);
    }

    [Theory]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGINT)]
    public void Receive_SigtermAfterAnyFirst_IsTheSameRequest(PosixSignal first)
    {
        var signals = new StopSignals(() => _endedAtOnce++);
        signals.Receive(first);

        signals.Receive(PosixSignal.SIGTERM);
        signals.Receive(PosixSignal.SIGTERM);

        Assert.True(signals.Token.IsCancellationRequested);
        Assert.Equal(0, _endedAtOnce);
    }

    [Theory]
    [InlineData(PosixSignal.SIGTERM, PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGINT, PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGINT, PosixSignal.SIGQUIT)]
    public void Receive_InterruptAfterAnyFirst_EndsAtOnce(PosixSignal first, PosixSignal second)
    {
        var signals = new StopSignals(() => _endedAtOnce++);
        signals.Receive(first);

        signals.Receive(second);

        Assert.Equal(1, _endedAtOnce);
    }
}
