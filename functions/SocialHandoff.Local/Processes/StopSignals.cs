using System.Runtime.InteropServices;

namespace SocialHandoff.Local.Processes;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGQUIT: the first asks for a clean stop (<see cref="Token"/> is cancelled); one that
/// comes <see cref="RepeatWindow"/> or more after it ends the process at once, as kill -9 would (exit 137).
/// Signals within the window are the same request, not a second one: <c>dotnet run</c> forwards the SIGTERM it gets
/// to the runner, so a SIGTERM to the process group (a supervisor, <c>kill -TERM -pgid</c>) or to both arrives twice
/// within milliseconds, and used to kill the runner before its summary.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    /// <summary>How long after the first signal another one still counts as the same request. Two seconds: far more than a forward takes on a loaded machine, short for a person.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly Action _endAtOnce;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private long? _first;

    internal StopSignals(Action endAtOnce, TimeProvider time)
    {
        _endAtOnce = endAtOnce;
        _time = time;
    }

    /// <summary>Cancelled by the first stop signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Handles SIGINT, SIGTERM and SIGQUIT for this process until disposed; a repeated signal kills the process.</summary>
    public static StopSignals Register()
    {
        var signals = new StopSignals(
            () =>
            {
                // Not Environment.Exit: the host's console lifetime makes process exit wait for the host to stop,
                // which is what the repeated signal is there to skip.
                using var self = System.Diagnostics.Process.GetCurrentProcess();
                self.Kill();
            },
            TimeProvider.System);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            signals._registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                signals.Receive();
            }));
        }

        return signals;
    }

    /// <summary>One stop signal arrived: the first stops cleanly, one after the window ends the process at once.</summary>
    internal void Receive()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_first is null)
            {
                _first = now;
            }
            else if (_time.GetElapsedTime(_first.Value, now) >= RepeatWindow)
            {
                _endAtOnce();
                return;
            }
        }

        _stop.Cancel();
    }

    public void Dispose()
    {
        _registrations.ForEach(r => r.Dispose());
        _stop.Dispose();
    }
}
