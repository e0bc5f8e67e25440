using BenchmarkDotNet.Attributes;
using SocialHandoff.Benchmarks.Evaluation;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Benchmarks;

/// <summary>Time and managed allocation per scored text over the 4,200 ground-truth tweets.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private const int Texts = 4200;
    private readonly SentimentAnalyzer _analyzer = new();
    private readonly MentionScorer _scorer = new(UrgencyOptions.CreateDefault());
    private string[] _texts = [];
    private ScoringInput[] _inputs = [];

    [GlobalSetup]
    public void Setup()
    {
        _texts = [.. LabelledSets.ReadTweetsGroundTruth().Select(t => t.Text).Take(Texts)];
        _inputs = [.. _texts.Select(t => new ScoringInput(t))];
    }

    [Benchmark(OperationsPerInvoke = Texts)]
    public double Sentiment()
    {
        var sum = 0.0;
        foreach (var text in _texts)
        {
            sum += _analyzer.Score(text).Compound;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Texts)]
    public int SentimentUrgencyAndReasons()
    {
        var sum = 0;
        foreach (var input in _inputs)
        {
            sum += _scorer.Score(input).Urgency;
        }

        return sum;
    }
}
