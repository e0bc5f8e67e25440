using System.Diagnostics;
using System.Globalization;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Languages;
using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Severity;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Benchmarks.Evaluation;

/// <summary>
/// Where the full score's time and allocation go, stage by stage, over the 4,200 ground-truth tweets:
/// each stage run alone on inputs the earlier stages prepared, so the figures add up to about the whole.
/// </summary>
internal static class StageProfile
{
    public static int Run(double seconds)
    {
        var texts = LabelledSets.ReadTweetsGroundTruth().Select(t => t.Text).ToArray();
        var inputs = texts.Select(t => new ScoringInput(t)).ToArray();
        var analyzer = new SentimentAnalyzer();
        var options = UrgencyOptions.CreateDefault();
        var urgency = new UrgencyScorer(options);
        var severity = new SeverityClassifier(SeverityOptions.CreateDefault());
        var scorer = new MentionScorer(analyzer, options);

        var sentiments = inputs.Select(i => analyzer.Score(i.Text, i.Language)).ToArray();
        var languages = inputs.Select(i => MentionLanguage.Resolve(i.Language, i.Text)).ToArray();
        var urgencies = inputs.Select((input, i) => urgency.Score(input, sentiments[i], languages[i])).ToArray();

        (string Name, Action<int> At)[] stages =
        [
            ("sentiment", i => analyzer.Score(inputs[i].Text, inputs[i].Language)),
            ("words and language", i => MentionLanguage.Detect(FoldedWords.For(inputs[i].Text))),
            ("urgency and reasons", i => urgency.Score(inputs[i], sentiments[i], languages[i])),
            ("severity (words read again)", i => severity.Classify(inputs[i], FoldedWords.For(inputs[i].Text), languages[i], sentiments[i], urgencies[i].Urgency, urgencies[i].Urgency >= options.AttentionThreshold, urgencies[i].MatchedGroups != 0)),
            ("whole score", i => scorer.Score(inputs[i])),
        ];

        Console.WriteLine($"Stages of the full score, {texts.Length:N0} tweets, one thread, {seconds:0.#} s each after as long a warm-up");
        Console.WriteLine("| stage | us per text | bytes per text |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, at) in stages)
        {
            Time(texts.Length, at, seconds);
            var perText = Time(texts.Length, at, seconds);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < texts.Length; i++)
            {
                at(i);
            }

            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)texts.Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {perText * 1e6:0.00} | {bytes:0.0} |"));
        }

        return 0;
    }

    private static double Time(int count, Action<int> at, double seconds)
    {
        var done = 0L;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < count; i++)
            {
                at(i);
            }

            done += count;
        }

        return watch.Elapsed.TotalSeconds / done;
    }
}
