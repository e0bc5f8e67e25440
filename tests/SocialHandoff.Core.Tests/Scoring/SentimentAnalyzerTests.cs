using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class SentimentAnalyzerTests
{
    private static readonly SentimentAnalyzer Analyzer = new();

    private static double Compound(string text) => Analyzer.Score(text).Compound;

    [Fact]
    public void Score_SimplePositive_MatchesVaderReference()
    {
        // Python VADER 3.3.2 gives 0.4404 for "good" alone (valence 1.9, alpha 15).
        Assert.Equal(0.4404, Compound("good"), 4);
        Assert.Equal(SentimentLabel.Positive, Analyzer.Score("good").Label);
    }

    [Fact]
    public void Score_NegationDirectlyBefore_FlipsAndDampens()
    {
        var plain = Compound("The service is good");
        var negated = Compound("The service is not good");
        Assert.True(plain > 0);
        Assert.True(negated < 0);
        Assert.True(Math.Abs(negated) < plain);
    }

    [Fact]
    public void Score_NegationThreeWordsBefore_StillNegates()
    {
        Assert.True(Compound("it is not at all good") < 0);
    }

    [Fact]
    public void Score_NegationFourWordsBefore_OutsideWindow()
    {
        Assert.True(Compound("not that the service was in any way good") > 0);
    }

    [Fact]
    public void Score_ContractionWithoutApostropheOrCurly_Negates()
    {
        Assert.True(Compound("it isnt good") < 0);
        Assert.True(Compound("it isn\u2019t good") < 0);
    }

    [Fact]
    public void Score_BoosterAndDampener_MoveIntensity()
    {
        var plain = Compound("the food was good");
        Assert.True(Compound("the food was extremely good") > plain);
        Assert.True(Compound("the food was slightly good") < plain);
    }

    [Fact]
    public void Score_AllCapsWordAmongLowercase_Emphasised()
    {
        Assert.True(Compound("the food was GOOD") > Compound("the food was good"));
        // When everything is shouted, caps carry no emphasis.
        Assert.Equal(Compound("THE FOOD WAS GOOD"), Compound("the food was good"), 6);
    }

    [Fact]
    public void Score_ExclamationAndQuestionMarks_AddEmphasis()
    {
        Assert.True(Compound("the food was good!!!") > Compound("the food was good"));
        Assert.True(Compound("the food was bad??") < Compound("the food was bad"));
        Assert.Equal(Compound("good!!!!"), Compound("good!!!!!!!!"), 6);
    }

    [Fact]
    public void Score_But_WeightsTheClauseAfterIt()
    {
        var score = Compound("the food was great but the service was terrible");
        Assert.True(score < 0);
        Assert.True(Compound("the food was terrible but the service was great") > 0);
    }

    [Fact]
    public void Score_Least_Negates()
    {
        Assert.True(Compound("the least happy customer") < 0);
        Assert.True(Compound("at least happy") > 0);
    }

    [Fact]
    public void Score_Idiom_ReplacesWordValence()
    {
        Assert.True(Compound("this new phone is the shit") > 0.5);
        Assert.True(Compound("oh yeah right, great service") < Compound("oh great service"));
        Assert.True(Compound("this burger is to die for") > 0.5);
    }

    [Fact]
    public void Score_EmoticonsAndEmoji_Scored()
    {
        Assert.True(Compound("home :(") < 0);
        Assert.True(Compound("home:(") < 0);
        Assert.True(Compound("arrived \U0001F622") < 0);
        Assert.True(Compound("arrived \U0001F60D") > 0);
        // A skin tone or variation selector does not hide the emoji.
        Assert.Equal(Compound("ok \U0001F44D"), Compound("ok \U0001F44D\U0001F3FD"), 6);
    }

    [Fact]
    public void Score_ElongatedWords_FoundAndEmphasised()
    {
        var plain = Compound("this is so good");
        var stretched = Compound("this is soooo goooood");
        Assert.True(stretched > plain);
        Assert.True(Compound("lovin it") > 0);
    }

    [Fact]
    public void Score_Hashtags_ScoredAsWords()
    {
        Assert.True(Compound("new phone #fail") < 0);
        Assert.True(Compound("new phone #EpicFail") < 0);
        Assert.True(Compound("new phone #servicesucks") < 0);
    }

    [Fact]
    public void Score_HandlesAndUrls_Ignored()
    {
        Assert.Equal(Compound("great news"), Compound("@GoodBrand great news https://t.co/bad_terrible"), 6);
        Assert.Equal(0, Compound("@happy_love_great_brand what time do you open"), 6);
    }

    [Theory]
    [InlineData("https")]
    [InlineData("HTTPS is down, terrible")]
    public void Score_WordThatStartsLikeALink_IsAWord(string text)
    {
        Assert.True(Analyzer.Score(text).IsJudged);
    }

    [Fact]
    public void Score_HtmlEscapedText_Decoded()
    {
        Assert.Equal(Compound("you <3"), Compound("you &lt;3"), 6);
    }

    [Theory]
    [InlineData(null, NotJudgedReason.Empty)]
    [InlineData("", NotJudgedReason.Empty)]
    [InlineData("   \t\n", NotJudgedReason.Empty)]
    [InlineData("https://t.co/abc @brand", NotJudgedReason.NoWords)]
    [InlineData("12:30 #1 $$$", NotJudgedReason.NoWords)]
    [InlineData("El servicio es muy malo y no funciona nada", NotJudgedReason.NotEnglish)]
    [InlineData("Je ne suis pas content du tout avec cette commande", NotJudgedReason.NotEnglish)]
    [InlineData("Ich bin sehr enttäuscht, die Lieferung ist immer noch nicht da", NotJudgedReason.NotEnglish)]
    [InlineData("ひどいサービスです", NotJudgedReason.NotEnglish)]
    public void Score_TextItCannotJudge_SaysWhyAndGivesNoScore(string? text, NotJudgedReason expected)
    {
        var score = Analyzer.Score(text);
        Assert.Equal(expected, score.NotJudged);
        Assert.Equal(SentimentLabel.Unknown, score.Label);
        Assert.Equal(0, score.Compound);
    }

    [Theory]
    [InlineData("es")]
    [InlineData("pt-BR")]
    [InlineData("ja")]
    public void Score_SourceSaysNotEnglish_NotJudged(string language)
    {
        Assert.Equal(NotJudgedReason.NotEnglish, Analyzer.Score("terrible awful service", language).NotJudged);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("en-GB")]
    [InlineData("und")]
    [InlineData("qme")]
    [InlineData(null)]
    public void Score_SourceSaysEnglishOrUndetermined_Judged(string? language)
    {
        Assert.True(Analyzer.Score("terrible awful service", language).Compound < -0.5);
    }

    [Fact]
    public void Score_EnglishHeadlineFullOfNames_StillJudged()
    {
        Assert.True(Analyzer.Score("Louisiana income tax repeal advances").IsJudged);
    }

    [Fact]
    public void Score_VeryLongText_ScoresInRange()
    {
        var text = string.Concat(Enumerable.Repeat("terrible service but great food ", 3200));
        Assert.True(text.Length >= 100_000);
        var score = Analyzer.Score(text);
        Assert.True(score.IsJudged);
        Assert.InRange(score.Compound, -1, 1);
        Assert.Equal(1, score.Positive + score.Neutral + score.Negative, 6);
    }

    [Fact]
    public void Score_LoneSurrogatesAndControlCharacters_TreatedAsSpaces()
    {
        var score = Analyzer.Score("terrible\uD800service\u0000\u0007awful\uDC00");
        Assert.True(score.IsJudged);
        Assert.True(score.Compound < -0.5);
    }

    [Fact]
    public void Score_ManyEmojiInARow_DoesNotOverflowBuffers()
    {
        var text = string.Concat(Enumerable.Repeat("\U0001F622", 5000));
        Assert.True(Analyzer.Score(text).Compound < -0.9);
    }
}
