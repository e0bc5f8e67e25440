using System.Runtime.InteropServices;

namespace SocialHandoff.Local.Processes;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGQUIT: the first asks for a clean stop (<see cref="Token"/> is cancelled); a
/// Ctrl+C or SIGQUIT after it ends the process at once, as kill -9 would (exit 137). SIGTERM never does: <c>dotnet run</c>
/// forwards the SIGTERM it gets to the runner, so a SIGTERM to the process group (a supervisor, <c>kill -TERM -pgid</c>)
/// or to both arrives twice, however late the forward comes on a loaded machine; and supervisors that want it over
/// send SIGKILL themselves. <c>dotnet run</c> forwards neither SIGINT nor SIGQUIT, so a second one is a person's.
/// </summary>
internal sealed class StopSignals
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Action _endAtOnce;
    private int _received;

    // Kept for the life of the process: a signal while it exits is still handled here (ignored, or ending it at
    // once), never the default action, which would end it with another exit code.
    private readonly List<PosixSignalRegistration> _registrations = [];

    internal StopSignals(Action endAtOnce)
    {
        _endAtOnce = endAtOnce;
    }

    /// <summary>Cancelled by the first stop signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Handles SIGINT, SIGTERM and SIGQUIT for this process from now on.</summary>
    public static StopSignals Register()
    {
        var signals = new StopSignals(() =>
        {
            // Not Environment.Exit: the host's console lifetime makes process exit wait for the host to stop,
            // which is what the second signal is there to skip.
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            self.Kill();
        });
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            signals._registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                signals.Receive(context.Signal);
            }));
        }

        return signals;
    }

    /// <summary>A stop signal arrived: the first of any kind stops cleanly; a SIGINT or SIGQUIT after it ends the process at once.</summary>
    internal void Receive(PosixSignal signal)
    {
        if (Interlocked.Increment(ref _received) > 1 && signal != PosixSignal.SIGTERM)
        {
            _endAtOnce();
            return;
        }

        _stop.Cancel();
    }
}
