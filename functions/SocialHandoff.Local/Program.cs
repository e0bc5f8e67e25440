using System.Runtime.InteropServices;
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Scoring;

// Verbs: run (default; --once drains and exits), score (stdin -> JSON lines).
// The first Ctrl+C (SIGINT), SIGTERM or SIGQUIT asks for a clean stop; a second one ends the process at once,
// as kill -9 would (exit 137). Not Environment.Exit: the host's console lifetime makes process exit wait for
// the host to stop, which is what the second signal is there to skip.
using var cancellation = new CancellationTokenSource();
var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }
    .Select(signal => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        if (cancellation.IsCancellationRequested)
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            self.Kill();
        }

        cancellation.Cancel();
    }))
    .ToList();

try
{
    var hasVerb = args.Length > 0 && !args[0].StartsWith('-');
    var verb = hasVerb ? args[0] : "run";
    var rest = hasVerb ? args[1..] : args;
    return verb switch
    {
        "run" => await RunCommand.RunAsync(rest, Console.Out, cancellation.Token),
        "score" => await ScoreCommand.RunOnStandardStreamsAsync(rest, cancellation.Token),
        _ => Unknown(verb),
    };
}
finally
{
    signals.ForEach(s => s.Dispose());
}

static int Unknown(string verb)
{
    Console.Error.WriteLine($"unknown verb '{verb}'. Verbs: run [--once], score.");
    return 2;
}
