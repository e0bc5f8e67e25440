using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Processes;
using SocialHandoff.Local.Scoring;

// Verbs: run (default; --once drains and exits), score (stdin -> JSON lines).
// Ctrl+C (SIGINT), SIGTERM or SIGQUIT asks for a clean stop; a second Ctrl+C or SIGQUIT ends the process at once,
// as kill -9 would (exit 137); SIGTERM again does not (dotnet run forwards it). See StopSignals.
var signals = StopSignals.Register();

var hasVerb = args.Length > 0 && !args[0].StartsWith('-');
var verb = hasVerb ? args[0] : "run";
var rest = hasVerb ? args[1..] : args;
return verb switch
{
    "run" => await RunCommand.RunAsync(rest, Console.Out, signals.Token),
    "score" => await ScoreCommand.RunOnStandardStreamsAsync(rest, signals.Token),
    _ => Unknown(verb),
};

static int Unknown(string verb)
{
    Console.Error.WriteLine($"unknown verb '{verb}'. Verbs: run [--once], score.");
    return 2;
}
