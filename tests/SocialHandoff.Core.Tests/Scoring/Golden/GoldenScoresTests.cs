using System.Globalization;
using System.Text;
using SocialHandoff.Benchmarks.Evaluation;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Scoring.Golden;

/// <summary>
/// Every score of the shared labelled sets (../shared/data: tweets_GroundTruth and complaints-dev) is
/// in scores.golden.tsv: compound, label, urgency, priority and tier per row (no texts). Any change to
/// the scorer that moves one of them fails here and writes scores.actual.tsv beside the golden file;
/// review the diff (git diff --no-index) and, when it is intended, accept it with
/// SOCIALHANDOFF_UPDATE_GOLDEN=1 dotnet test --filter GoldenScoresTests, and commit the file.
/// </summary>
public sealed class GoldenScoresTests
{
    private const string Header = "set\trow\tcompound\tlabel\turgency\tpriority\ttier";
    private const int MaxDifferencesShown = 15;

    [Fact]
    public void Score_SharedLabelledSets_EqualTheGoldenFile()
    {
        var actual = Render();
        var golden = Path.Combine(SourceFolder(), "scores.golden.tsv");
        if (Environment.GetEnvironmentVariable("SOCIALHANDOFF_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, actual);
        }

        Assert.True(File.Exists(golden), $"{golden} is missing; create it with SOCIALHANDOFF_UPDATE_GOLDEN=1.");
        var expected = File.ReadAllText(golden).ReplaceLineEndings("\n");
        if (expected == actual)
        {
            return;
        }

        var actualPath = Path.Combine(SourceFolder(), "scores.actual.tsv");
        File.WriteAllText(actualPath, actual);
        var differences = Diff(expected.Split('\n'), actual.Split('\n'));
        Assert.Fail($"{differences.Count} scores changed (first {Math.Min(MaxDifferencesShown, differences.Count)} below); review "
            + $"'git diff --no-index {golden} {actualPath}' and accept with SOCIALHANDOFF_UPDATE_GOLDEN=1.\n"
            + string.Join("\n", differences.Take(MaxDifferencesShown)));
    }

    [Fact]
    public void Diff_OneScoreMoved_NamesTheRow()
    {
        // The check itself can fail: a moved urgency is reported with its set and row.
        var expected = new[] { Header, "tweets\t1\t0.5000\tpositive\t10\tP4\tother" };
        var actual = new[] { Header, "tweets\t1\t0.5000\tpositive\t11\tP4\tother" };
        var differences = Diff(expected, actual);
        Assert.Equal(["- tweets\t1\t0.5000\tpositive\t10\tP4\tother", "+ tweets\t1\t0.5000\tpositive\t11\tP4\tother"], differences);
        Assert.Empty(Diff(expected, expected));
    }

    private static string Render()
    {
        var scorer = new MentionScorer(UrgencyOptions.CreateDefault());
        var text = new StringBuilder().Append(Header).Append('\n');
        var tweets = LabelledSets.ReadTweetsGroundTruth();
        for (var i = 0; i < tweets.Count; i++)
        {
            Append(text, "tweets", i + 1, scorer.Score(new ScoringInput(tweets[i].Text)));
        }

        var complaints = LabelledSets.ReadComplaints();
        for (var i = 0; i < complaints.Count; i++)
        {
            Append(text, "complaints", i + 1, scorer.Score(new ScoringInput(complaints[i].Text)));
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string set, int row, MentionScore score) =>
        text.Append(CultureInfo.InvariantCulture, $"{set}\t{row}\t{score.Sentiment.Compound:0.0000}\t{score.Sentiment.Label.ToString().ToLowerInvariant()}\t{score.Urgency}\t{score.Severity.Priority}\t{score.Severity.Tier}\n");

    // Lines that differ, row by row ("- expected", "+ actual"); the files have one line per row in a fixed order.
    private static List<string> Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var differences = new List<string>();
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var before = i < expected.Count ? expected[i] : null;
            var after = i < actual.Count ? actual[i] : null;
            if (before != after)
            {
                differences.Add($"- {before ?? "(none)"}");
                differences.Add($"+ {after ?? "(none)"}");
            }
        }

        return differences;
    }

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(path)!;
}
