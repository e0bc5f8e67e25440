using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class ComplaintIdiomTests
{
    private static readonly SentimentAnalyzer Analyzer = new();
    private static readonly MentionScorer Scorer = new(UrgencyOptions.CreateDefault());

    public static TheoryData<string> NegativeIdioms() =>
        [.. ComplaintIdioms.Expand().Where(i => i.Valence < 0).Select(i => i.Phrase)];

    [Fact]
    public void Score_DashboardSampleComplaint_IsNegative()
    {
        // Regression: "saved" (+1.8) and "support" (+1.7) made this complaint positive (+0.73).
        var score = Analyzer.Score("@acme your app wiped my saved settings again and support never replies. Fed up, fix it properly this time!!");

        Assert.Equal(SentimentLabel.Negative, score.Label);
        Assert.True(score.Compound < -0.5, $"compound {score.Compound}");
    }

    // Complaints written apart from the idiom list and the dev files (none of them was used to choose a valence).
    [Theory]
    [InlineData("Been on hold for 40 minutes and nobody answers, absolutely sick of this")]
    [InlineData("Third email this week and still no reply. Sort it out.")]
    [InlineData("My order never arrived and your support team just hung up on me")]
    [InlineData("The app keeps freezing since the update, waste of money")]
    [InlineData("Had enough of your billing department, charged twice again")]
    [InlineData("Customer care promised a callback, never called back. Thanks for nothing")]
    [InlineData("Still waiting for my refund after two weeks, get your act together")]
    [InlineData("Your help desk said it was sorted but my card reader is still not working")]
    [InlineData("How many more times do I have to ask? At my wits end with this bank")]
    public void Score_ComplaintIdiomWithPraiseWords_IsNegative(string text)
    {
        var score = Analyzer.Score(text);

        Assert.Equal(SentimentLabel.Negative, score.Label);
    }

    [Theory]
    [MemberData(nameof(NegativeIdioms))]
    public void Score_EachNegativeIdiomInNeutralText_IsNegativeAndNamed(string idiom)
    {
        // The idiom's last word carries punctuation, as VADER keeps it on words of one or two letters.
        var score = Analyzer.Score($"the app {idiom}, today");

        Assert.Equal(SentimentLabel.Negative, score.Label);
        Assert.Contains($"'{idiom}'", score.Idioms, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I am contacting customer support about my saved settings")]
    [InlineData("The tech support team moved the help desk to the second floor")]
    public void Score_ProductNounsWithPraiseWords_IsNeutral(string text)
    {
        var score = Analyzer.Score(text);

        Assert.Equal(SentimentLabel.Neutral, score.Label);
        Assert.Null(score.Idioms);
    }

    [Theory]
    [InlineData("Your support team was amazing, thanks for the help!")]
    [InlineData("Saved me so much time, love this app")]
    [InlineData("I am not fed up at all, this is great")]
    public void Score_PraiseAroundIdiomWords_StaysPositive(string text)
    {
        var score = Analyzer.Score(text);

        Assert.Equal(SentimentLabel.Positive, score.Label);
        Assert.Null(score.Idioms);
    }

    [Fact]
    public void Score_NegatedIdiom_FlipsLikeAWord()
    {
        var plain = Analyzer.Score("we are fed up").Compound;
        var negated = Analyzer.Score("we are not fed up").Compound;

        Assert.True(plain < 0);
        Assert.True(negated > 0);
    }

    [Fact]
    public void Score_BoosterBeforeIdiom_Strengthens()
    {
        Assert.True(Analyzer.Score("we are really fed up").Compound < Analyzer.Score("we are fed up").Compound);
    }

    [Fact]
    public void Score_IdiomInComplaint_ReasonNamesIt()
    {
        var score = Scorer.Score(new ScoringInput("@acme support never replies and I am fed up"));

        var sentiment = Assert.Single(score.Reasons, r => r.Signal == "sentiment");
        Assert.Contains("'never replies'", sentiment.Text, StringComparison.Ordinal);
        Assert.Contains("'fed up'", sentiment.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_Alternatives_WritesEveryCombinationAndDropsEmptyChoices()
    {
        Assert.Equal(["how many more times", "how many times"], ComplaintIdioms.Expand("how many {more,} times"));
        Assert.Equal(["a c", "a d", "b c", "b d"], ComplaintIdioms.Expand("{a,b} {c,d}"));
    }
}
