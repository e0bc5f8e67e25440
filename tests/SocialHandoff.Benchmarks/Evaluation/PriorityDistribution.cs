using System.Globalization;
using System.Text.Json;
using SocialHandoff.Core.Scoring;

namespace SocialHandoff.Benchmarks.Evaluation;

/// <summary>
/// The priority the pipeline would give (severity tiers, before any routing rule) across the shared
/// sets and the sample, by group: the share of P1, praise above P3, crises in P1.
/// </summary>
internal static class PriorityDistribution
{
    private static readonly string[] Priorities = ["P1", "P2", "P3", "P4"];

    public static void Print(MentionScorer scorer, IReadOnlyList<RatedText> tweets, IReadOnlyList<ComplaintText> complaints)
    {
        var rows = new List<(string Set, string Group, MentionScore Score)>();
        rows.AddRange(tweets.Select(t => ("tweets_GroundTruth", "all", scorer.Score(new ScoringInput(t.Text)))));
        rows.AddRange(tweets.Where(t => t.MeanRating >= 1).Select(t => ("tweets_GroundTruth", "positive (mean >= 1)", scorer.Score(new ScoringInput(t.Text)))));
        rows.AddRange(complaints.Select(c => ("complaints-dev", "all", scorer.Score(new ScoringInput(c.Text)))));
        rows.AddRange(complaints.Select(c => ("complaints-dev", c.IsComplaint ? "complaints" : "not complaints", scorer.Score(new ScoringInput(c.Text)))));
        var sample = ReadSample();
        rows.AddRange(sample.Select(s => ("sample", "all", scorer.Score(s.Input))));
        rows.AddRange(sample.Select(s => ("sample", s.Kind, scorer.Score(s.Input))));

        Console.WriteLine();
        Console.WriteLine("Priority from severity (no routing rule), by set: count (share)");
        Console.WriteLine();
        Console.WriteLine("| set | group | n | P1 | P2 | P3 | P4 | tiers giving P1 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => (r.Set, r.Group)))
        {
            var n = group.Count();
            var cells = Priorities.Select(p => group.Count(r => r.Score.Severity.Priority == p)).Select(c => $"{c} ({100.0 * c / n:0.0}%)");
            var p1Tiers = string.Join(", ", group.Where(r => r.Score.Severity.Priority == "P1").GroupBy(r => r.Score.Severity.Tier).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
            Console.WriteLine($"| {group.Key.Set} | {group.Key.Group} | {n:N0} | {string.Join(" | ", cells)} | {p1Tiers} |");
        }

        var crises = rows.Where(r => r.Set == "sample" && r.Group == "crisis").ToList();
        var praise = rows.Where(r => r.Set == "sample" && r.Group == "praise").ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sample: crises in P1 {crises.Count(r => r.Score.Severity.Priority == "P1")} of {crises.Count}; praise above P3 {praise.Count(r => r.Score.Severity.Priority is "P1" or "P2")} of {praise.Count}; urgency 100: {rows.Count(r => r.Set == "sample" && r.Group == "all" && r.Score.Urgency == 100)} of {sample.Count}."));
    }

    /// <summary>functions/SocialHandoff.Local/samples/mentions.jsonl, with the kind each row was written as.</summary>
    private static List<(string Kind, ScoringInput Input)> ReadSample()
    {
        var path = FindSample();
        var rows = new List<(string, ScoringInput)>();
        foreach (var line in File.ReadLines(path))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            long? Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
            bool? Flag(string name) => root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
            rows.Add((Text("kind") ?? "unknown", new ScoringInput(Text("text"), Text("lang"), Number("followers"), Flag("verified"), Number("likes"), Number("reposts"))));
        }

        return rows;
    }

    internal static string FindSample()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "functions", "SocialHandoff.Local", "samples", "mentions.jsonl");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("functions/SocialHandoff.Local/samples/mentions.jsonl was not found above the working directory.");
    }
}
