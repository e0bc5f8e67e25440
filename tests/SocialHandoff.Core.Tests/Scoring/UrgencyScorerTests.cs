using Microsoft.Extensions.Configuration;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class UrgencyScorerTests
{
    private static readonly MentionScorer Scorer = new(UrgencyOptions.CreateDefault());

    private static MentionScore Score(string text, long? followers = null, bool? verified = null, long? likes = null, long? reposts = null, string? lang = null) =>
        Scorer.Score(new ScoringInput(text, lang, followers, verified, likes, reposts));

    private static string[] Reasons(MentionScore score) => [.. score.Reasons.Select(r => r.Text)];

    [Theory]
    [InlineData("@acme I was charged twice for my order", "complaint: 'charged twice'")]
    [InlineData("@acme the app is not working since the update", "complaint: 'not working'")]
    [InlineData("@acme my parcel never arrived", "complaint: 'never arrived'")]
    [InlineData("@acme still waiting for my refund", "billing: 'refund'")]
    [InlineData("@acme I want to cancel my subscription", "complaint: 'cancel my'")]
    [InlineData("@acme my screen is broken", "problem: 'broken'")]
    [InlineData("@acme can you help me please?", "request: 'help'")]
    public void Score_ComplaintOrRequestCue_NamedInReasons(string text, string reason)
    {
        Assert.Contains(reason, Reasons(Score(text)));
    }

    [Theory]
    [InlineData("got food poisoning after eating at @acme", "safety term: 'food poisoning'")]
    [InlineData("my @acme charger caught fire last night", "safety term: 'caught fire'")]
    [InlineData("@acme was there a data breach? my account was hacked", "legal or security risk: 'data breach'")]
    [InlineData("we are filing a lawsuit against @acme", "legal or security risk: 'lawsuit'")]
    [InlineData("staff at @acme showed open discrimination against my son", "legal or security risk: 'discrimination'")]
    [InlineData("@acme your kettle recall came too late, my kid has an injury", "safety term: 'recall'")]
    public void Score_CrisisTerm_HighUrgencyWithReasonFirst(string text, string reason)
    {
        var score = Score(text);
        Assert.Equal(reason, score.Reasons[0].Text);
        Assert.True(score.Urgency >= 80, $"urgency {score.Urgency}");
        Assert.True(score.NeedsAttention);
    }

    [Fact]
    public void Score_Praise_LowUrgency()
    {
        var score = Score("Love my new @acme headphones, thank you!");
        Assert.False(score.NeedsAttention);
        Assert.Contains(score.Reasons, r => r.Signal == "praise" || r.Text.StartsWith("positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Score_Complaint_OutranksPraiseAndQuestion()
    {
        var complaint = Score("@acme my order arrived broken and nobody answers my emails. Still waiting for a refund");
        var question = Score("@acme what time does the store open on sunday?");
        var praise = Score("@acme great service today, thanks!");
        Assert.True(complaint.Urgency > question.Urgency);
        Assert.True(question.Urgency > praise.Urgency);
        Assert.True(complaint.NeedsAttention);
    }

    [Fact]
    public void Score_StronglyNegative_SaysSo()
    {
        var score = Score("@acme this is the worst, most horrible experience, I hate it");
        Assert.Contains(score.Reasons, r => r.Text.StartsWith("strongly negative (-0.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(120_000L, "reach: 120k followers")]
    [InlineData(2_500_000L, "reach: 2.5M followers")]
    [InlineData(4_500L, "reach: 4,500 followers")]
    public void Score_Followers_ReachReasonAndHigherUrgency(long followers, string reason)
    {
        var withReach = Score("@acme my order is late", followers);
        Assert.Contains(reason, Reasons(withReach));
        Assert.True(withReach.Urgency > Score("@acme my order is late").Urgency);
    }

    [Fact]
    public void Score_FewFollowers_NoReachReason()
    {
        Assert.DoesNotContain(Score("@acme my order is late", 150).Reasons, r => r.Signal == "reach");
    }

    [Fact]
    public void Score_VerifiedAndEngagement_AddUrgency()
    {
        var plain = Score("@acme my order is late");
        var verified = Score("@acme my order is late", verified: true);
        var viral = Score("@acme my order is late", likes: 5_000, reposts: 1_200);
        Assert.Contains("verified author", Reasons(verified));
        Assert.Contains("engagement: 5,000 likes, 1,200 reposts", Reasons(viral));
        Assert.True(verified.Urgency > plain.Urgency);
        Assert.True(viral.Urgency > plain.Urgency);
    }

    [Theory]
    [InlineData("@acme my router has been dead since monday", "problem: 'dead'")]
    [InlineData("@acme the engineer never showed up, third time now", "customer service: 'engineer'")]
    [InlineData("@acme I can't login to the app, password reset fails", "access problem: 'login'")]
    [InlineData("@acme the wifi drops every time it rains and keeps dropping", "repeat: 'every time'")]
    public void Score_LiteratureComplaintCue_NamedInReasonsAndAddsPoints(string text, string reason)
    {
        var score = Score(text);
        var found = Assert.Single(score.Reasons, r => r.Text == reason);
        Assert.True(found.Points > 0, $"{reason}: {found.Points} points");
    }

    [Fact]
    public void Score_GroupUnderTwoPointsPerMatch_ReasonOnlyFromTwoMatches()
    {
        // Every contribution under 2 points moves the score silently.
        var options = UrgencyOptions.CreateDefault();
        options.CueGroups.Single(g => g.Name == "habit").PointsPerMatch = 1.6;
        var scorer = new MentionScorer(options);
        Assert.DoesNotContain(scorer.Score(new ScoringInput("@acme the wifi drops every time it rains")).Reasons, r => r.Text.StartsWith("repeat", StringComparison.Ordinal));
        Assert.Contains(scorer.Score(new ScoringInput("@acme the wifi drops every time it rains and keeps dropping")).Reasons, r => r.Text == "repeat: 'every time'" && r.Points > 0);
    }

    [Fact]
    public void Score_WordEvidence_ReasonQuotesStrongestWordsAndCountsEachWordOnce()
    {
        var options = WithWordEvidence(("outage", 2.0), ("router", 1.0), ("modem", 0.5), ("again", 3.0), ("thanks", -1.5));
        var scorer = new MentionScorer(options);
        var once = scorer.Score(new ScoringInput("modem router again an outage"));
        var repeated = scorer.Score(new ScoringInput("modem router again an outage, outage router again"));

        // "again" counts most but is a function word: it is not quoted.
        var reason = Assert.Single(once.Reasons, r => r.Text.StartsWith("words common", StringComparison.Ordinal));
        Assert.Equal("words common in complaints: 'outage', 'router', 'modem'", reason.Text);
        Assert.DoesNotContain("again", reason.Text, StringComparison.Ordinal);
        Assert.Equal("complaint", reason.Signal);
        Assert.True(reason.Points > 0);
        Assert.Equal(reason.Text, Assert.Single(repeated.Reasons, r => r.Text.StartsWith("words common", StringComparison.Ordinal)).Text);

        // A word said twice counts once.
        var gazebo = WithWordEvidence(("gazebo", 2.0));
        gazebo.LengthPointsPerLogWords = 0;
        var counted = new MentionScorer(gazebo);
        Assert.Equal(counted.Score(new ScoringInput("@acme gazebo")).Urgency, counted.Score(new ScoringInput("@acme gazebo gazebo")).Urgency);
    }

    [Fact]
    public void Score_NegativeWordEvidence_LowersUrgencyAndSaysWhy()
    {
        var scorer = new MentionScorer(WithWordEvidence(("outage", 2.0), ("delighted", -1.5)));
        var score = scorer.Score(new ScoringInput("@acme my order is broken and late, delighted"));
        var reason = Assert.Single(score.Reasons, r => r.Text == "words seldom in complaints: 'delighted'");
        Assert.True(reason.Points < 0);
        Assert.Equal(score.Urgency, score.Reasons.Sum(r => r.Points));
    }

    [Fact]
    public void Score_WordEvidencePointsZero_TableIgnored()
    {
        var options = WithWordEvidence(("outage", 2.0));
        var with = new MentionScorer(options).Score(new ScoringInput("outage"));
        options.WordEvidencePoints = 0;
        var without = new MentionScorer(options).Score(new ScoringInput("outage"));
        Assert.True(with.Urgency > without.Urgency, $"{with.Urgency} <= {without.Urgency}");
        Assert.DoesNotContain(without.Reasons, r => r.Text.StartsWith("words", StringComparison.Ordinal));
    }

    [Fact]
    public void CreateDefault_ShippedWordEvidence_LearnedTableLoaded()
    {
        var options = UrgencyOptions.CreateDefault();
        Assert.True(options.WordEvidencePoints > 0);
        Assert.InRange(options.WordEvidence.Count, 500, 5000);
        Assert.True(options.WordEvidence["refund"] > 0, "refund should be evidence of a complaint");
        Assert.True(options.WordEvidence["great"] < 0, "great should be evidence against a complaint");
        Assert.Contains(Score("@acme still no refund, been waiting 3 weeks").Reasons, r => r.Text.StartsWith("words common in complaints: '", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_WordEvidenceFromConfiguration_ChangesOneWordKeepsTheRest()
    {
        var options = UrgencyOptions.CreateDefault();
        var shipped = options.WordEvidence.Count;
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scoring:Urgency:WordEvidence:Gazebo"] = "3.5", ["Scoring:Urgency:WordEvidence:great"] = "0" })
            .Build().GetSection(UrgencyOptions.SectionName).Bind(options);

        Assert.Equal(shipped + 1, options.WordEvidence.Count);
        var score = new MentionScorer(options).Score(new ScoringInput("@acme the gazebo"));
        Assert.Contains(score.Reasons, r => r.Text.StartsWith("words common in complaints: 'gazebo'", StringComparison.Ordinal));
        Assert.Equal(0, options.WordEvidence["great"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("crisis")]
    [InlineData("Crisis")]
    [InlineData("CRISIS")]
    public void Bind_CueGroupByIndexOrNameInAnyCase_ChangesThatGroupOnly(string key)
    {
        // Regression: the binder appended CueGroups:0 as a new group without a name (start-up failed naming group 26).
        var options = UrgencyOptions.CreateDefault();
        var shipped = options.CueGroups.Count;
        var before = Score("@NorthwindCafe my whole family has food poisoning").Urgency;

        options.Bind(Section(new() { [$"Scoring:Urgency:CueGroups:{key}:PointsPerMatch"] = "0", [$"Scoring:Urgency:CueGroups:{key}:Label"] = "hazard" }));

        Assert.Empty(options.Validate());
        Assert.Equal(shipped, options.CueGroups.Count);
        Assert.Equal(("crisis", 0.0, "hazard"), (options.CueGroups[0].Name, options.CueGroups[0].PointsPerMatch, options.CueGroups[0].Label));
        var after = new MentionScorer(options).Score(new ScoringInput("@NorthwindCafe my whole family has food poisoning"));
        Assert.True(after.Urgency < before, $"urgency {after.Urgency} should fall below {before} without the crisis points");
    }

    [Fact]
    public void Bind_CueGroupUnderANewName_AddsItNamedByTheKey()
    {
        var options = UrgencyOptions.CreateDefault();
        var shipped = options.CueGroups.Count;

        options.Bind(Section(new()
        {
            ["Scoring:Urgency:CueGroups:outrage:Signal"] = "complaint",
            ["Scoring:Urgency:CueGroups:outrage:Label"] = "outrage",
            ["Scoring:Urgency:CueGroups:outrage:PointsPerMatch"] = "9",
            ["Scoring:Urgency:CueGroups:outrage:Terms:0"] = "livid",
        }));

        Assert.Equal(shipped + 1, options.CueGroups.Count);
        Assert.Equal("outrage", options.CueGroups[^1].Name);
        Assert.Contains(new MentionScorer(options).Score(new ScoringInput("@acme I am livid")).Reasons, r => r.Text == "outrage: 'livid'");
    }

    [Fact]
    public void Bind_CueGroupListedWithANameOfItsOwn_AddedAndTheShippedGroupAtItsIndexUnchanged()
    {
        // Regression (review): a list in appsettings.json, the usual way to add a group, renamed and rewrote the shipped "crisis" at index 0.
        var options = UrgencyOptions.CreateDefault();
        var shipped = options.CueGroups.Count;
        var crisis = (options.CueGroups[0].Name, options.CueGroups[0].PointsPerMatch, options.CueGroups[0].Terms.Count);

        options.Bind(Section(new()
        {
            ["Scoring:Urgency:CueGroups:0:Name"] = "outrage",
            ["Scoring:Urgency:CueGroups:0:Signal"] = "complaint",
            ["Scoring:Urgency:CueGroups:0:Label"] = "outrage",
            ["Scoring:Urgency:CueGroups:0:PointsPerMatch"] = "9",
            ["Scoring:Urgency:CueGroups:0:Terms:0"] = "livid",
            ["Scoring:Urgency:CueGroups:1:Name"] = "CRISIS",
            ["Scoring:Urgency:CueGroups:1:Label"] = "hazard",
        }));

        Assert.Empty(options.Validate());
        Assert.Equal(shipped + 1, options.CueGroups.Count);
        Assert.Equal(crisis, (options.CueGroups[0].Name, options.CueGroups[0].PointsPerMatch, options.CueGroups[0].Terms.Count));
        Assert.Equal("hazard", options.CueGroups[0].Label);
        Assert.Equal(("outrage", 9.0), (options.CueGroups[^1].Name, options.CueGroups[^1].PointsPerMatch));
    }

    [Fact]
    public void Bind_CueGroupValueOfTheWrongType_FailsNamingIt()
    {
        // Regression: the binder dropped a list item it could not convert without a word.
        var options = UrgencyOptions.CreateDefault();

        var error = Assert.Throws<InvalidOperationException>(() => options.Bind(Section(new() { ["Scoring:Urgency:CueGroups:crisis:PointsPerMatch"] = "lots" })));

        Assert.Contains("'Scoring:Urgency:CueGroups:crisis:PointsPerMatch'", error.Message, StringComparison.Ordinal);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(UrgencyOptions.SectionName);

    [Fact]
    public void Bind_WordEvidenceInAnotherCase_ChangesTheShippedWord()
    {
        var options = UrgencyOptions.CreateDefault();
        var shipped = options.WordEvidence.Count;
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scoring:Urgency:WordEvidence:Refund"] = "0" })
            .Build().GetSection(UrgencyOptions.SectionName).Bind(options);

        Assert.Equal(shipped, options.WordEvidence.Count);
        Assert.Equal(0, options.WordEvidence["refund"]);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("Crisis")]
    [InlineData("crisis")]
    public void Constructor_CueGroupNamedAsAnotherInAnyCase_NamesBoth(string name)
    {
        var options = UrgencyOptions.CreateDefault();
        options.CueGroups.Add(new CueGroup { Name = name, Signal = "crisis", Label = "crisis again", PointsPerMatch = 1, Terms = ["meltdown"] });

        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(options));

        Assert.Contains($"Scoring:Urgency:CueGroups has 'crisis' and '{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CueGroupLanguagesThatDifferOnlyInCase_NamesBoth()
    {
        var options = UrgencyOptions.CreateDefault();
        options.CueGroups[0].TermsByLanguage = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["es"] = ["uno"], ["ES"] = ["dos"] };

        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(options));

        Assert.Contains("TermsByLanguage has 'es' and 'ES'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GroupMask_NameInAnotherCase_TheSameGroup()
    {
        var scorer = new UrgencyScorer(UrgencyOptions.CreateDefault());

        Assert.NotEqual(0u, scorer.GroupMask(["crisis"]));
        Assert.Equal(scorer.GroupMask(["crisis"]), scorer.GroupMask(["CRISIS"]));
        Assert.Equal(scorer.GroupMask(["crisis"]), scorer.GroupMask(["Crisis", "crisis"]));
    }

    [Fact]
    public void Constructor_WordEvidenceThatDiffersOnlyInCaseBuiltInCode_NamesBoth()
    {
        var options = WithWordEvidence(("refund", 1.0));
        options.WordEvidence = new Dictionary<string, double>(options.WordEvidence, StringComparer.Ordinal) { ["Refund"] = 2.0 };

        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(options));

        Assert.Contains("Scoring:Urgency:WordEvidence has 'refund' and 'Refund'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WordEvidenceNotOneWord_NamesTheSetting()
    {
        var options = WithWordEvidence(("two words", 1.0));
        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(options));
        Assert.Contains("Scoring:Urgency:WordEvidence:'two words'", error.Message);
    }

    // The shipped weights with a small, known word table (4 points per unit of evidence).
    private static UrgencyOptions WithWordEvidence(params (string Word, double Value)[] words)
    {
        var options = UrgencyOptions.CreateDefault();
        options.WordEvidencePoints = 4;
        options.WordEvidence = words.ToDictionary(w => w.Word, w => w.Value);
        return options;
    }

    [Theory]
    [InlineData("@acme win a free phone in our giveaway, follow and enter now", "promotion: 'win'")]
    public void Score_NonComplaintMarker_LowersUrgencyAndSaysWhy(string text, string reason)
    {
        var score = Score(text);
        var found = Assert.Single(score.Reasons, r => r.Text == reason);
        Assert.True(found.Points < 0, $"{reason}: {found.Points} points");

        var options = UrgencyOptions.CreateDefault();
        options.CueGroups.Single(g => g.Label == reason.Split(':')[0]).PointsPerMatch = 0;
        Assert.True(new MentionScorer(options).Score(new ScoringInput(text)).Urgency > score.Urgency);
    }

    [Theory]
    [InlineData("expect", "@acme it was supposed to arrive on friday", "broken expectation: 'supposed to'")]
    [InlineData("greet", "@acme hello, is the store open today?", "greeting: 'hello'")]
    public void Score_NearZeroDefaultGroup_NoReasonUntilWeighted(string group, string text, string reason)
    {
        Assert.DoesNotContain(reason, Reasons(Score(text)));

        var options = UrgencyOptions.CreateDefault();
        options.CueGroups.Single(g => g.Name == group).PointsPerMatch = 6;
        var weighted = new MentionScorer(options).Score(new ScoringInput(text));
        Assert.Contains(weighted.Reasons, r => r.Text == reason && r.Points > 0);
    }

    [Theory]
    [InlineData("@contosohelp my order is late", "addressed to a care account: '@contosohelp'")]
    [InlineData("@Acme_Support: the app is down again", "addressed to a care account: '@Acme_Support'")]
    [InlineData("hey @acme and @AcmeCares, my card was declined", "addressed to a care account: '@AcmeCares'")]
    public void Score_CareAccountHandle_ReasonQuotesTheHandle(string text, string reason)
    {
        var score = Score(text);
        var found = Assert.Single(score.Reasons, r => r.Text == reason);
        Assert.Equal("context", found.Signal);
        Assert.True(found.Points > 0);
    }

    [Fact]
    public void Score_CareAccountHandle_MoreUrgentThanBrandHandle()
    {
        var care = Score("@acmehelp my order is late");
        var brand = Score("@acme my order is late");
        Assert.True(care.Urgency > brand.Urgency, $"{care.Urgency} <= {brand.Urgency}");
        Assert.DoesNotContain(brand.Reasons, r => r.Text.StartsWith("addressed to a care account", StringComparison.Ordinal));
    }

    [Fact]
    public void Score_CareHandleTermsFromConfiguration_DecideWhichHandlesCount()
    {
        var options = UrgencyOptions.CreateDefault();
        options.CareHandleTerms = ["desk"];
        var scorer = new MentionScorer(options);
        Assert.Contains("addressed to a care account: '@AcmeDesk'", scorer.Score(new ScoringInput("@AcmeDesk my order is late")).Reasons.Select(r => r.Text));
        Assert.DoesNotContain(scorer.Score(new ScoringInput("@AcmeHelp my order is late")).Reasons, r => r.Text.StartsWith("addressed to a care", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_CareHandleTermWithAt_NamesTheSetting()
    {
        var options = UrgencyOptions.CreateDefault();
        options.CareHandleTerms = ["@help"];
        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(options));
        Assert.Contains("Scoring:Urgency:CareHandleTerms", error.Message);
    }

    [Fact]
    public void Score_LanguageWithoutCueLists_CuesIgnoredAndSaid()
    {
        var score = Score("Non funziona niente, voglio un refund, problem", lang: "it");
        Assert.Contains("sentiment not judged: not English", Reasons(score));
        Assert.DoesNotContain(score.Reasons, r => r.Signal == "complaint");
        Assert.DoesNotContain(score.Reasons, r => r.Text.StartsWith("words", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("@acme she loved the scarf you made for her", "about someone else")]
    [InlineData("@acme the parcel was here yesterday", "past events")]
    [InlineData("@acme my router is broken", "possessive")]
    [InlineData("@acme I got the wrong size", "purchase")]
    [InlineData("@acme I can't log in", "negation")]
    public void Score_FunctionWordGroup_CountsButIsNotAReason(string text, string label)
    {
        var score = Score(text);
        Assert.DoesNotContain(score.Reasons, r => r.Text.StartsWith(label, StringComparison.Ordinal));

        var options = UrgencyOptions.CreateDefault();
        options.CueGroups.Single(g => g.Label == label).PointsPerMatch = 0;
        Assert.NotEqual(score.Urgency, new MentionScorer(options).Score(new ScoringInput(text)).Urgency);
    }

    [Theory]
    [InlineData("@acme I was charged twice for my order and nobody answers, still waiting 3 weeks!!")]
    [InlineData("got food poisoning after eating at @acme, my son is in hospital")]
    [InlineData("Love my new @acme headphones, thank you!")]
    [InlineData("@acme what time does the store open?")]
    [InlineData("@acme llevo dos semanas esperando el reembolso")]
    [InlineData("")]
    public void Score_Reasons_PointsAddUpToTheUrgency(string text)
    {
        var score = Score(text, followers: 120_000, likes: 40);
        Assert.Equal(score.Urgency, score.Reasons.Sum(r => r.Points));
        var card = score.ReasonsForCard();
        Assert.InRange(card.Count, 1, MentionScore.CardReasons);
        Assert.Equal(score.Urgency, card.Sum(r => r.Points));
    }

    [Fact]
    public void Score_Reasons_StrongestFirstWithTheRestLast()
    {
        var score = Score("@acme the app is not working, I was charged twice and nobody answers. Unacceptable, still waiting 3 weeks", followers: 5000);
        var named = score.Reasons.Where(r => r.Signal != UrgencyReason.OtherSignal && r.Points != 0).Select(r => Math.Abs(r.Points)).ToArray();
        Assert.Equal(named.OrderDescending(), named);
        Assert.Equal(UrgencyReason.OtherSignal, score.Reasons[^1].Signal);
        Assert.DoesNotContain(score.Reasons, r => r.Text.StartsWith("addressed to an account", StringComparison.Ordinal));
    }

    [Fact]
    public void Score_WeightsFromConfiguration_ChangeTheScore()
    {
        var options = UrgencyOptions.CreateDefault();
        options.CueGroups.Single(g => g.Name == "crisis").PointsPerMatch = 0;
        var scorer = new MentionScorer(options);
        var text = new ScoringInput("got food poisoning at the mall");
        Assert.True(scorer.Score(text).Urgency < Scorer.Score(text).Urgency);
        Assert.DoesNotContain(scorer.Score(text).Reasons, r => r.Signal == "crisis");
    }

    [Fact]
    public void Score_UrgencyAlwaysInRange_EvenWithExtremeInputs()
    {
        var text = string.Concat(Enumerable.Repeat("fire lawsuit refund broken not working ", 3000));
        var score = Scorer.Score(new ScoringInput(text, null, long.MaxValue, true, long.MaxValue / 4, long.MaxValue / 4));
        Assert.InRange(score.Urgency, 0, 100);
        Assert.InRange(Score("").Urgency, 0, 100);
    }

    [Fact]
    public void Constructor_InvalidOptions_NamesTheSetting()
    {
        var options = UrgencyOptions.CreateDefault();
        options.AttentionThreshold = 140;
        options.CueGroups[0].Terms.Clear();
        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(options));
        Assert.Contains("Scoring:Urgency:AttentionThreshold", error.Message);
        Assert.Contains("Scoring:Urgency:CueGroups:0", error.Message);
    }

    [Fact]
    public void SentimentLabelsReason_CompoundsAtAndNearEveryRoundingBoundary_SameTextAsTheFormat()
    {
        // The hundredths are found by arithmetic; the format's own rounding is the reference, boundaries and signed zeros included.
        var random = new Random(16);
        var compounds = new List<double> { 0.0, -0.0, 1, -1, 0.005, -0.005, 0.015, 0.125, -0.675, 0.995, -0.995, 1.0000001, -1.5, double.NaN, double.Epsilon, -double.Epsilon };
        for (var k = -200; k <= 200; k++)
        {
            var boundary = k / 200.0;
            compounds.AddRange([boundary, Math.BitDecrement(boundary), Math.BitIncrement(boundary), boundary + 1e-10, boundary - 1e-10, boundary + 2e-9, boundary - 2e-9, boundary + 1e-7]);
        }

        compounds.AddRange(Enumerable.Range(0, 200_000).Select(_ => (random.NextDouble() * 2) - 1));
        for (var label = UrgencyScorer.SentimentLabels.StronglyNegative; label <= UrgencyScorer.SentimentLabels.Positive; label++)
        {
            var name = new[] { "strongly negative", "negative", "positive" }[label];
            foreach (var compound in compounds)
            {
                Assert.Equal($"{name} ({compound.ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture)})", UrgencyScorer.SentimentLabels.Reason(label, compound));
            }
        }
    }
}
