using System.Globalization;
using BenchmarkDotNet.Running;
using SocialHandoff.Benchmarks;
using SocialHandoff.Benchmarks.Evaluation;

// eval [seconds] [rounds]: the quality and speed table (default; speed from rounds of seconds each, 2 and 5
// unless given). stages: time and allocation per text of each stage of the full score. priorities: only the priority distribution. bdn: BenchmarkDotNet with MemoryDiagnoser.
var verb = args.Length > 0 ? args[0] : "eval";
switch (verb)
{
    case "eval":
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        return EvaluationCommand.Run(seconds, rounds);
    case "stages":
        return StageProfile.Run(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1);
    case "priorities":
        EvaluationCommand.Priorities();
        return 0;
    case "export-complaints":
        EvaluationCommand.ExportComplaints(Console.Out);
        return 0;
    case "bdn":
        BenchmarkRunner.Run<ScoringBenchmarks>(args: args[1..]);
        return 0;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}'. Verbs: eval [seconds per round] [rounds], stages [seconds], priorities, export-complaints, bdn [BenchmarkDotNet arguments].");
        return 2;
}
