using System.Globalization;
using System.Text.Json;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Spam;

namespace SocialHandoff.Benchmarks.Evaluation;

/// <summary>
/// Precision and recall of the spam filter on the sample's labelled rows ("kind": "spam" against every
/// other kind), per split: "dev" (the rows the thresholds and phrases were set on) and "holdout" (not
/// tuned on). The filter runs as in ProcessMention: complaint guard, classifier, identical posts counted
/// per source, author and text fingerprint in posting order, only for the authors the filter watches.
/// </summary>
internal static class SpamEvaluation
{
    public static void Print(MentionScorer scorer)
    {
        var classifier = new SpamClassifier(new SpamOptions());
        var seen = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var results = new List<(string Split, bool Labelled, bool Filtered, string Kind, string Text, string Why)>();
        foreach (var line in File.ReadLines(PriorityDistribution.FindSample()).Where(l => !string.IsNullOrWhiteSpace(l)))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            long? Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
            DateTimeOffset? Date(string name) => Text(name) is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture) : null;
            var text = Text("text") ?? "";
            var followers = Number("followers");
            var created = Date("authorCreatedAt");
            var posted = Date("postedAt") ?? DateTimeOffset.UnixEpoch;
            var score = scorer.Score(new ScoringInput(text, Text("lang"), followers, null, Number("likes"), Number("reposts")));
            var complaint = SpamClassifier.ComplaintIn(score);
            var input = new SpamInput(text, followers, created, posted, 1, complaint);
            var verdict = classifier.Classify(input);
            if (complaint is not { Named: true } && !verdict.IsSpam && Text("handle") is { } handle && classifier.WatchesRepetition(followers, created, posted))
            {
                var key = $"{Text("source") ?? "sample"}|{handle.ToLowerInvariant()}|{SpamClassifier.Fingerprint(text)}";
                var ids = seen.TryGetValue(key, out var set) ? set : seen[key] = new HashSet<string>(StringComparer.Ordinal);
                ids.Add(Text("id") ?? "");
                verdict = classifier.Classify(input with { IdenticalPosts = ids.Count });
            }

            var kind = Text("kind") ?? "unknown";
            results.Add((Text("split") ?? "dev", kind == "spam", verdict.IsSpam, kind, text, complaint is { Named: true } ? "complaint: " + complaint.Why : string.Join("; ", verdict.Reasons)));
        }

        Console.WriteLine();
        Console.WriteLine("Spam filter on the sample's labelled rows (kind spam against every other kind; default Spam settings)");
        Console.WriteLine();
        Console.WriteLine("| split | rows | spam | filtered | true positives | false positives | false negatives | precision | recall | complaints filtered |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var split in results.GroupBy(r => r.Split).OrderBy(g => g.Key == "holdout" ? 1 : 0).Append(results.GroupBy(_ => "all").Single()))
        {
            int tp = split.Count(r => r.Labelled && r.Filtered), fp = split.Count(r => !r.Labelled && r.Filtered), fn = split.Count(r => r.Labelled && !r.Filtered);
            var precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
            var recall = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {split.Key} | {split.Count()} | {tp + fn} | {tp + fp} | {tp} | {fp} | {fn} | {precision:0.000} | {recall:0.000} | {split.Count(r => r.Filtered && r.Kind is "complaint" or "crisis")} |"));
        }

        Console.WriteLine();
        foreach (var miss in results.Where(r => r.Labelled != r.Filtered))
        {
            Console.WriteLine($"  {(miss.Filtered ? "false positive" : "missed")} ({miss.Split}, {miss.Kind}): {miss.Text} [{miss.Why}]");
        }
    }
}
