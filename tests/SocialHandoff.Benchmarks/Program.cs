using SocialHandoff.Benchmarks.Evaluation;
using SocialHandoff.Core.Scoring.Sentiment;

var analyzer = new SentimentAnalyzer();
var tweets = LabelledSets.ReadTweetsGroundTruth();
var compounds = tweets.Select(t => analyzer.Score(t.Text).Compound).ToArray();
var gold = tweets.Select(t => t.MeanRating).ToArray();
Console.WriteLine($"pearson {Metrics.Pearson(compounds, gold):F4}");
int Cls(double v) => v >= 0.05 ? 1 : v <= -0.05 ? -1 : 0;
var cls = Metrics.Classes(compounds.Select(Cls).ToArray(), gold.Select(g => Cls(g / 4)).ToArray());
Console.WriteLine($"acc {cls.Accuracy:F4} macro {cls.MacroF1:F4} weighted {cls.WeightedF1:F4}");
var unjudged = tweets.Select(t => analyzer.Score(t.Text)).Count(s => !s.IsJudged);
Console.WriteLine($"unjudged {unjudged}");
foreach (var t in tweets.Where(t => !analyzer.Score(t.Text).IsJudged).Take(15)) Console.WriteLine("  " + t.Text);
var complaints = LabelledSets.ReadComplaints();
var c = complaints.Select(x => -analyzer.Score(x.Text).Compound).ToArray();
Console.WriteLine($"auc {Metrics.Auc(c, complaints.Select(x => x.IsComplaint).ToArray()):F4}");
foreach (var g in tweets.GroupBy(t => (gold: Cls(t.MeanRating / 4), pred: Cls(analyzer.Score(t.Text).Compound))).OrderBy(g => g.Key))
    Console.WriteLine($"{g.Key} {g.Count()}");
