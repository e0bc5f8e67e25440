using System.Runtime.InteropServices;
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Scoring;

// Verbs: run (default; --once drains and exits), score (stdin -> JSON lines).
// The first Ctrl+C (SIGINT), SIGTERM or SIGQUIT asks for a clean stop; a second one ends the process at once
// (the host's own console lifetime also catches these signals, so without this a second one would do nothing).
using var cancellation = new CancellationTokenSource();
var signals = new[] { (PosixSignal.SIGINT, 130), (PosixSignal.SIGTERM, 143), (PosixSignal.SIGQUIT, 131) }
    .Select(s => PosixSignalRegistration.Create(s.Item1, context =>
    {
        if (cancellation.IsCancellationRequested)
        {
            Environment.Exit(s.Item2);
        }

        context.Cancel = true;
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
        "score" => await ScoreCommand.RunAsync(rest, Console.In, Console.Out, cancellation.Token),
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
