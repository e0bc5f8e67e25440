using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Urgency;
using SocialHandoff.Core.Spam;

namespace SocialHandoff.Core.Tests.Spam;

/// <summary>The spam classifier with the real scorer's complaint reading, as ProcessMention runs it.</summary>
public sealed class SpamClassifierTests
{
    private static readonly MentionScorer Scorer = new(UrgencyOptions.CreateDefault());
    private static readonly SpamClassifier Classifier = new(new SpamOptions());
    private static readonly DateTimeOffset Posted = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static SpamVerdict Verdict(string text, long? followers = 500, int? accountDays = null, int identical = 1, SpamClassifier? classifier = null)
    {
        var score = Scorer.Score(new ScoringInput(text, "en", followers));
        return (classifier ?? Classifier).Classify(new SpamInput(
            text, followers, accountDays is { } days ? Posted.AddDays(-days) : null, Posted, identical, SpamClassifier.ComplaintIn(score)));
    }

    [Theory]
    [InlineData("@acme use code SAVE20 at https://deals.example/a https://deals.example/b https://deals.example/c", "3 links")]
    [InlineData("Get rich with crypto, DM for details @acme", "promo phrases: 'dm for', 'crypto'")]
    [InlineData("FREE gift cards for the first 100 followers, click the link in bio @acme", "promo phrases:")]
    [InlineData("Follow for follow? @acme #followback #f4f", "promo phrases:")]
    [InlineData("Earn £58 a day from home!!! DM me, no experience needed #ad @acme", "promo phrases:")]
    [InlineData("Cheap kettles at totally-legit-outlet dot biz, better than @acme", "link written out: 'totally-legit-outlet dot biz'")]
    [InlineData("@acme @acme @acme @acme buy now before it sells out", "@acme 4 times")]
    [InlineData("Limited offer on blankets @acme #sale #deal #home #cosy #winter #gift", "6 hashtags")]
    [InlineData("@acme win big https://a.example/1 https://b.example/2 https://c.example/3 https://d.example/4", "4 links")]
    public void Classify_ObviousPromotionOrLinkFarm_SpamWithReason(string text, string reason)
    {
        var verdict = Verdict(text);

        Assert.True(verdict.IsSpam, string.Join("; ", verdict.Reasons));
        Assert.Contains(verdict.Reasons, r => r.StartsWith(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("@acme I was charged twice for my order, screenshot: https://imgur.com/a/x1")]
    [InlineData("@acme my kettle arrived broken https://i.imgur.com/1.jpg https://i.imgur.com/2.jpg https://i.imgur.com/3.jpg")]
    [InlineData("@acme @acmehelp @acmeceo three weeks and still no refund. Terrible service")]
    [InlineData("@acme please DM me, my refund still hasn't arrived after 12 days")]
    [InlineData("@acme your promo code SAVE20 didn't work at checkout and I was charged full price")]
    [InlineData("@acme used the discount code from your email and got charged twice. Not happy")]
    [InlineData("@acme the fryer caught fire in my kitchen, video: https://youtu.be/abc https://youtu.be/def https://youtu.be/ghi")]
    [InlineData("@acme @acme @acme my account was hacked and money is gone, help")]
    [InlineData("@acme the link in your delivery email is broken and tracking shows nothing for order 1234")]
    public void Classify_ComplaintWithLinksHandlesOrPromoWords_NotSpam(string text)
    {
        var verdict = Verdict(text, followers: 12, accountDays: 1, identical: 5);

        Assert.False(verdict.IsSpam, string.Join("; ", verdict.Reasons));
    }

    [Theory]
    [InlineData("@acme is the giveaway on your site real? Looks like a scam using your logo")]
    [InlineData("Loving my new kettle from @acme! Review on my blog: https://myblog.example/kettle")]
    [InlineData("@acme does the offer on this page apply to kettles? https://www.example.com/offers/1")]
    [InlineData("New soundbar from @acme reviewed by Tech Daily https://techdaily.example/reviews/1")]
    [InlineData("@acme do you have an ad-free version of the app? I read the FAQ")]
    public void Classify_OrdinaryMentionWithLinkOrPromoWord_NotSpam(string text)
    {
        var verdict = Verdict(text);

        Assert.False(verdict.IsSpam, string.Join("; ", verdict.Reasons));
    }

    [Fact]
    public void Classify_NewAccountIdenticalPosts_SpamNamingAgeAndCount()
    {
        var verdict = Verdict("Great offers on kettles today only @acme https://spam.link/5", followers: 3, accountDays: 2, identical: 12);

        Assert.True(verdict.IsSpam);
        Assert.Contains("account 2 days old with 12 identical posts", verdict.Reasons);
    }

    [Fact]
    public void Classify_UnknownAgeFewFollowersIdenticalPosts_SpamNamingFollowers()
    {
        var verdict = Verdict("Great offers on kettles today only @acme https://spam.link/5", followers: 8, identical: 4);

        Assert.True(verdict.IsSpam);
        Assert.Contains("4 identical posts from an account with 8 followers", verdict.Reasons);
    }

    [Theory]
    [InlineData(400, null, 12)]
    [InlineData(3, 2, 2)]
    [InlineData(5000, null, 30)]
    public void Classify_RepetitionBelowThresholdOrOldAccount_NotSpam(int accountDays, int? followersOrNull, int identical)
    {
        var verdict = Verdict("Great offers on kettles today only @acme https://spam.link/5", followers: followersOrNull ?? 900, accountDays: accountDays, identical: identical);

        Assert.False(verdict.IsSpam, string.Join("; ", verdict.Reasons));
    }

    [Fact]
    public void Classify_OnePromoPhraseAlone_NotSpam()
    {
        var verdict = Verdict("The giveaway at the Leeds store was fun @acme");

        Assert.False(verdict.IsSpam);
        Assert.Equal(1, verdict.Points);
    }

    [Theory]
    [InlineData("@acme I read the terms twice", 0)]
    [InlineData("@acme #ad for the new kettle", 1)]
    [InlineData("@acme my dad loves it", 0)]
    public void Classify_PhraseInsideAWord_NotMatched(string text, int points) => Assert.Equal(points, Verdict(text).Points);

    [Fact]
    public void Classify_ThresholdFromOptions_Applies()
    {
        var strict = new SpamClassifier(new SpamOptions { Threshold = 3 });

        Assert.False(Verdict("Get rich with crypto, DM for details @acme", classifier: strict).IsSpam);
        Assert.True(Verdict("Get rich with crypto, DM for details @acme", classifier: Classifier).IsSpam);
    }

    [Fact]
    public void Classify_ConfiguredPhrasesReplaceTheDefaults()
    {
        var custom = new SpamClassifier(new SpamOptions { PromoPhrases = ["mega sale", "join now"] });

        Assert.True(Verdict("mega sale, join now @acme", classifier: custom).IsSpam);
        Assert.False(Verdict("Get rich with crypto, DM for details @acme", classifier: custom).IsSpam);
    }

    [Fact]
    public void Fingerprint_LinksNumbersCaseAndPunctuationVary_Same() =>
        Assert.Equal(
            SpamClassifier.Fingerprint("Great offers today only @acme https://spam.link/5 code 12"),
            SpamClassifier.Fingerprint("great offers  today only!! @ACME https://other.link/x?y=1 code 4521"));

    [Fact]
    public void Fingerprint_OtherWords_Differ() =>
        Assert.NotEqual(SpamClassifier.Fingerprint("Great offers today only"), SpamClassifier.Fingerprint("Great offers tomorrow only"));

    [Theory]
    [InlineData("Threshold", "0", "Spam:Threshold must be 1-10 (got 0).")]
    [InlineData("LinkFarmLinks", "-1", "Spam:LinkFarmLinks must be 1-100 (got -1).")]
    [InlineData("IdenticalPosts", "1", "Spam:IdenticalPosts must be 2-1000 (got 1).")]
    [InlineData("PromoPhrases:0", " ", "Spam:PromoPhrases:0 must be a phrase of 1-100 characters.")]
    public void Validate_BadSetting_FailsNamingIt(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Spam:" + key] = value }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSpam()
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<SpamOptions>>().Value);

        Assert.Contains(message, error.Failures);
    }
}
