using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Scoring;

// Verbs: run (default; --once drains and exits), score (stdin -> JSON lines).
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var hasVerb = args.Length > 0 && !args[0].StartsWith('-');
var verb = hasVerb ? args[0] : "run";
var rest = hasVerb ? args[1..] : args;
return verb switch
{
    "run" => await RunCommand.RunAsync(rest, Console.Out, cancellation.Token),
    "score" => await ScoreCommand.RunAsync(rest, Console.OpenStandardInput(), Console.Out, cancellation.Token),
    _ => Unknown(verb),
};

static int Unknown(string verb)
{
    Console.Error.WriteLine($"unknown verb '{verb}'. Verbs: run [--once], score.");
    return 2;
}
