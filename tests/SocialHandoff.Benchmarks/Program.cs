using System.Globalization;
using BenchmarkDotNet.Running;
using SocialHandoff.Benchmarks;
using SocialHandoff.Benchmarks.Evaluation;

// eval [seconds] [rounds] [copies] [process rounds]: the quality and speed table (default; in-process speed
// from rounds of seconds each, 2 and 5 unless given; whole-process speed of `score` and the JS port from
// process rounds (3) runs each on copies (25) of the 4,200 tweets as JSON lines; 0 process rounds skips it). stages: time and allocation per text of each stage of the full score. priorities: only the priority distribution. bdn: BenchmarkDotNet with MemoryDiagnoser.
var verb = args.Length > 0 ? args[0] : "eval";
switch (verb)
{
    case "eval":
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var copies = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 25;
        var processRounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        return EvaluationCommand.Run(seconds, rounds, copies, processRounds);
    case "spam":
        EvaluationCommand.Spam();
        return 0;
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
        Console.Error.WriteLine($"unknown verb '{verb}'. Verbs: eval [seconds per round] [rounds] [copies] [process rounds], spam, stages [seconds], priorities, export-complaints, bdn [BenchmarkDotNet arguments].");
        return 2;
}
