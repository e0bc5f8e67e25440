using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class SentimentPropertyTests
{
    private static readonly SentimentAnalyzer Analyzer = new();

    private static readonly string[] Opinions = ["good", "great", "bad", "terrible", "helpful", "rude", "happy", "broken", "awesome", "awful"];

    private static readonly string[] Subjects = ["the app", "your service", "this phone", "the delivery", "my order"];

    [Property(MaxTest = 500)]
    public bool Score_AnyString_StaysInRangeAndNeverThrows(string? text)
    {
        var score = Analyzer.Score(text);
        var proportions = score.Positive + score.Neutral + score.Negative;
        return score.Compound is >= -1 and <= 1
            && (score.IsJudged ? Math.Abs(proportions - 1) < 1e-9 : proportions == 0);
    }

    [Property(MaxTest = 200)]
    public Property Score_NotBeforeSimpleOpinion_FlipsSign()
    {
        var cases = from opinion in Gen.Elements(Opinions)
                    from subject in Gen.Elements(Subjects)
                    select (opinion, subject);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var plain = Analyzer.Score($"{c.subject} is {c.opinion}").Compound;
            var negated = Analyzer.Score($"{c.subject} is not {c.opinion}").Compound;
            return plain != 0 && Math.Sign(plain) == -Math.Sign(negated);
        });
    }
}
