using SocialHandoff.Local.Scoring;

// Verbs: score (stdin -> JSON lines). The pipeline runner's verbs are added beside it.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var verb = args.Length > 0 ? args[0] : "score";
return verb switch
{
    "score" => await ScoreCommand.RunAsync(args[1..], Console.In, Console.Out, cancellation.Token),
    _ => Unknown(verb),
};

static int Unknown(string verb)
{
    Console.Error.WriteLine($"unknown verb '{verb}'. Verbs: score.");
    return 2;
}
