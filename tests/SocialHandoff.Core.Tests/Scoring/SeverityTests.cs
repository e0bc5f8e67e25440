using Microsoft.Extensions.Configuration;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Severity;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>Priority from severity tiers: ten or more mentions written for each tier.</summary>
public sealed class SeverityTests
{
    private static readonly MentionScorer Scorer = new(UrgencyOptions.CreateDefault());

    private static SeverityResult Classify(string text, long? followers = null, long? likes = null, long? reposts = null, string? lang = null) =>
        Scorer.Score(new ScoringInput(text, lang, followers, null, likes, reposts)).Severity;

    [Theory]
    [InlineData("@TailspinToys the night light I bought caught fire in my daughter's room")]
    [InlineData("@FourthCoffee a customer was injured by a falling shelf at your Main St store")]
    [InlineData("Ambulance outside @WideWorldGym after the treadmill belt snapped")]
    [InlineData("@ProseWare the power bank exploded in my bag on the train")]
    [InlineData("Got an electric shock from the @TailspinToys racing set charger")]
    [InlineData("@FourthCoffee found a piece of glass in my croissant this morning")]
    [InlineData("@AdventureWorks your e-bike battery is overheating and smells of plastic, this is dangerous")]
    [InlineData("@LitwareHome is there a recall on the 2L kettle? mine melted the base")]
    [InlineData("My son is in hospital after the @WideWorldGym climbing wall hold came loose")]
    [InlineData("Smoke pouring out of the @ProseWare laptop while it was charging, fire brigade came")]
    public void Classify_SafetyTerm_P1Safety(string text) => AssertTier(Classify(text), "safety", "P1");

    [Theory]
    [InlineData("@FourthCoffee whole table got food poisoning from the chicken wrap")]
    [InlineData("Allergic reaction after the @FourthCoffee 'nut free' muffin, told them twice")]
    [InlineData("@MargiesTravel three of us were vomiting all night after the hotel buffet")]
    [InlineData("@LitwareFoods the yoghurt smelled off, think it's contaminated, batch 4471")]
    [InlineData("@FourthCoffee salmonella confirmed by my GP after your egg salad")]
    [InlineData("@LitwareFoods there was mould in the sealed bread, kids ate half")]
    [InlineData("My dog died after eating @LitwarePets treats, vet says poisoning")]
    [InlineData("Anaphylaxis at the @FourthCoffee counter, staff had no idea what to do")]
    [InlineData("@MargiesTravel half the tour group poisoned by the ferry food")]
    [InlineData("@LitwareFoods listeria warning on your soft cheese? mine is from that batch")]
    public void Classify_HealthTerm_P1Health(string text) => AssertTier(Classify(text), "health", "P1");

    [Theory]
    [InlineData("@ContosoBank I have passed this to my solicitor")]
    [InlineData("@NorthwindCafe see you in small claims court then")]
    [InlineData("@ProseWare I'm filing a lawsuit over the lost files")]
    [InlineData("@ContosoBank taking this to the financial ombudsman")]
    [InlineData("@AdventureWorks my lawyer will be in touch about the broken frame")]
    [InlineData("@MargiesTravel reporting you to trading standards for the fake discount")]
    [InlineData("We are joining the class action against @LitwareHome")]
    [InlineData("@TailspinToys legal action is my next step if the refund doesn't come")]
    [InlineData("@ContosoBank my attorney has the letters you sent")]
    [InlineData("@WideWorldGym the regulator will hear about the contract you made me sign")]
    public void Classify_LegalTerm_P1Legal(string text) => AssertTier(Classify(text), "legal", "P1");

    [Theory]
    [InlineData("@ContosoBank my account was hacked and the email changed")]
    [InlineData("@ContosoBank four transactions I never made last night")]
    [InlineData("Got a phishing text pretending to be @ContosoBank with my real name in it")]
    [InlineData("@WoodgroveBank fraud on my card, £900 at a shop in another country")]
    [InlineData("@ProseWare someone did an account takeover on my login, 2FA was on")]
    [InlineData("@ContosoBank unauthorised direct debit from a company I've never heard of")]
    [InlineData("@WoodgroveBank identity theft, a loan was opened in my name")]
    [InlineData("@ContosoBank I think my card was cloned at the petrol station")]
    [InlineData("@WoodgroveBank fraudulent payments keep appearing, card already cancelled")]
    [InlineData("@ProseWare the game store says my account was hacked, who do I contact")]
    public void Classify_SecurityTerm_P1Security(string text) => AssertTier(Classify(text), "security", "P1");

    [Theory]
    [InlineData("@ContosoBank the app showed me someone else's account with their balance")]
    [InlineData("@MargiesTravel was there a data breach? my passport number is on a forum")]
    [InlineData("@LitwareHome your newsletter leaked every customer's email in the To field")]
    [InlineData("@ProseWare a data leak of my order history is being shared online")]
    [InlineData("Reports of a @WoodgroveBank breach and they say nothing")]
    [InlineData("@WideWorldGym your front desk printed someone else's details on my membership")]
    [InlineData("@ContosoBank this is a GDPR issue, you sent my statement to my neighbour")]
    [InlineData("@MargiesTravel the booking page exposed my card details to another user")]
    [InlineData("@ProseWare who leaked my personal data to spammers")]
    [InlineData("@LitwareHome privacy violation: your camera app uploads videos without asking")]
    public void Classify_DataExposureTerm_P1DataExposure(string text) => AssertTier(Classify(text), "data-exposure", "P1");

    [Theory]
    [InlineData("@FourthCoffee the barista made a racist comment to my friend")]
    [InlineData("@WideWorldGym the manager was openly sexist to the women's class")]
    [InlineData("@MargiesTravel we were discriminated against at check-in because of our names")]
    [InlineData("@NorthwindCafe a homophobic remark from your staff at Camden")]
    [InlineData("@AdventureWorks customer harassment by your delivery driver, he keeps texting me")]
    [InlineData("@WideWorldGym I was sexually harassed in the changing room and staff laughed")]
    [InlineData("@FourthCoffee security assaulted my brother at the door")]
    [InlineData("@MargiesTravel this is discrimination against wheelchair users")]
    [InlineData("@NorthwindCafe racism from a customer and your staff did nothing")]
    [InlineData("@WideWorldGym a transphobic trainer refused to take my booking")]
    public void Classify_DiscriminationTerm_P1Discrimination(string text) => AssertTier(Classify(text), "discrimination", "P1");

    [Theory]
    [InlineData("@FourthCoffee a man made a bomb threat in your Leeds store")]
    [InlineData("@ContosoBank your branch manager threatened me when I asked for my money")]
    [InlineData("Someone in the @WideWorldGym car park said he was going to kill the receptionist")]
    [InlineData("@ProseWare death threats in your game chat and you do nothing")]
    [InlineData("@NorthwindCafe your driver threatened to come back to my house")]
    [InlineData("@MargiesTravel a passenger threatening me on the coach, driver ignored it")]
    [InlineData("@AdventureWorks the seller threatened me after a bad review")]
    [InlineData("@FourthCoffee got a death threat from one of your staff on Instagram")]
    [InlineData("@WideWorldGym a member said he is gonna kill me if I report him")]
    [InlineData("@ProseWare players say they will shoot up the launch event")]
    public void Classify_ThreatTerm_P1Threat(string text) => AssertTier(Classify(text), "threat", "P1");

    [Theory]
    [InlineData("@ContosoBank is anyone else getting errors on the app? can't log in")]
    [InlineData("@ProseWare servers are down again, the whole game is offline")]
    [InlineData("@WoodgroveBank card payments down for everyone at the shops today")]
    [InlineData("@LitwareNet massive outage in Leeds, no broadband since 8am")]
    [InlineData("@ContosoBank website is down and the phone line is busy")]
    [InlineData("@AdventureWorks the app is down everywhere, can't unlock bikes")]
    [InlineData("@LitwareNet nationwide mobile signal gone?")]
    [InlineData("@ProseWare is anyone else stuck on the login screen")]
    [InlineData("@WoodgroveBank widespread problems with transfers this morning")]
    [InlineData("@ContosoBank the system is down at the Kingsway branch, staff can't do anything")]
    public void Classify_OutageTerm_P1Outage(string text) => AssertTier(Classify(text), "outage", "P1");

    [Theory]
    [InlineData("No one was injured but the @TailspinToys lamp did spark")]
    [InlineData("@LitwareHome not dangerous, just annoying: the timer beeps all night")]
    [InlineData("@FourthCoffee thankfully nobody got food poisoning, the sandwich was just stale")]
    [InlineData("@ContosoBank not fraud, just a charge I didn't recognise, can you explain it?")]
    [InlineData("@ProseWare no outage here, just my own wifi, sorry!")]
    [InlineData("@MargiesTravel without any injury, but the coach door did slam on my bag")]
    [InlineData("@WideWorldGym never hacked, I just forgot the password. How do I reset it?")]
    [InlineData("@AdventureWorks no recall needed, the bolt was loose, all fixed now")]
    [InlineData("@NorthwindCafe no lawyer needed, just want my order right next time")]
    [InlineData("@LitwareNet isn't an outage, my router was unplugged. Thanks anyway")]
    public void Classify_NegatedTierTerm_NotP1(string text)
    {
        var severity = Classify(text);
        Assert.NotEqual("P1", severity.Priority);
    }

    [Theory]
    [InlineData("@ContosoBank I was charged twice for the same transfer and nobody answers the chat")]
    [InlineData("@NorthwindCafe my order never arrived and the driver marked it delivered")]
    [InlineData("@LitwareHome the dishwasher stopped working after two weeks. Useless")]
    [InlineData("@AdventureWorks still waiting for my refund, 3 weeks now")]
    [InlineData("@MargiesTravel the flight was cancelled and no one has contacted me")]
    [InlineData("@ProseWare the update broke my saves and support hasn't replied in 5 days")]
    [InlineData("@WideWorldGym you took my membership fee again after I cancelled")]
    [InlineData("@FourthCoffee wrong order for the third time this week, not happy")]
    [InlineData("@LitwareNet internet keeps dropping every evening, fed up")]
    [InlineData("@TailspinToys the box arrived damaged and half the pieces are missing")]
    public void Classify_ActionableComplaint_P2Complaint(string text) => AssertTier(Classify(text), "complaint", "P2");

    [Theory]
    [InlineData("@ContosoBank I was charged twice for the same transfer and nobody answers the chat", 250_000L, 0L, 0L)]
    [InlineData("@NorthwindCafe my order never arrived and the driver marked it delivered", 80_000L, 0L, 0L)]
    [InlineData("@LitwareHome the dishwasher stopped working after two weeks. Useless", 1_200_000L, 0L, 0L)]
    [InlineData("@AdventureWorks still waiting for my refund, 3 weeks now", 200L, 900L, 120L)]
    [InlineData("@MargiesTravel the flight was cancelled and no one has contacted me", 150L, 400L, 0L)]
    [InlineData("@ProseWare the update broke my saves and support hasn't replied in 5 days", 90L, 100L, 150L)]
    [InlineData("@WideWorldGym you took my membership fee again after I cancelled", 51_000L, 2L, 0L)]
    [InlineData("@FourthCoffee wrong order for the third time this week, not happy", 300L, 2_000L, 500L)]
    [InlineData("@LitwareNet internet keeps dropping every evening, fed up", 75_000L, 10L, 1L)]
    [InlineData("@TailspinToys the box arrived damaged and half the pieces are missing", 40L, 320L, 0L)]
    public void Classify_ComplaintWithUnusualReach_P1(string text, long followers, long likes, long reposts) =>
        AssertTier(Classify(text, followers, likes, reposts), "complaint-with-reach", "P1");

    [Theory]
    [InlineData("@NorthwindCafe what time does the Deansgate shop open on Sunday?")]
    [InlineData("@ContosoBank how do I change the address on my account?")]
    [InlineData("@LitwareHome is the blender dishwasher safe?")]
    [InlineData("@AdventureWorks do you deliver to Northern Ireland?")]
    [InlineData("@MargiesTravel can I add a bag to my booking after check-in?")]
    [InlineData("@ProseWare please add a dark mode to the app")]
    [InlineData("@WideWorldGym could you send me the class timetable")]
    [InlineData("@FourthCoffee do you have oat milk at the airport store?")]
    [InlineData("@TailspinToys is there a warranty on the train set if I bought it online?")]
    [InlineData("@LitwareNet when will fibre reach Harrogate?")]
    public void Classify_QuestionOrRequest_P3Request(string text) => AssertTier(Classify(text), "request", "P3");

    [Theory]
    [InlineData("Credit where it's due, @NorthwindCafe sorted my problem in 14 minutes on chat. Impressed.")]
    [InlineData("@ContosoBank thanks for fixing the double charge so quickly, brilliant service")]
    [InlineData("@LitwareHome the replacement arrived next day, thank you!")]
    [InlineData("Shout out to @AdventureWorks support, the broken pedal was replaced free. Great job")]
    [InlineData("@ProseWare my refund came through today, thanks for the help")]
    [InlineData("@MargiesTravel lost bag found and delivered to the hotel, amazing team")]
    [InlineData("Loving my new @TailspinToys kite, the kids are delighted")]
    [InlineData("@WideWorldGym the new showers are fantastic, well done")]
    [InlineData("@FourthCoffee best flat white in Leeds, thank you Jess!")]
    [InlineData("@LitwareNet engineer came early and fixed the issue, excellent")]
    public void Classify_Praise_P4Praise(string text) => AssertTier(Classify(text), "praise", "P4");

    [Theory]
    [InlineData("Credit where it's due, @NorthwindCafe sorted my problem in 14 minutes on chat. Impressed.", 400_000L, 5_000L, 900L)]
    [InlineData("@TailspinToys thank you for the recall notice, lamp returned and refunded. Brilliant service", 0L, 0L, 0L)]
    [InlineData("@ContosoBank thank you for catching the fraud so quickly, great team", 90_000L, 600L, 50L)]
    [InlineData("@FourthCoffee lovely staff at the hospital cafe, thank you", 0L, 0L, 0L)]
    public void Classify_PraiseWithRiskOrReach_NeverAboveP3(string text, long followers, long likes, long reposts)
    {
        var severity = Classify(text, followers, likes, reposts);
        Assert.Equal("praise", severity.Tier);
        Assert.True(severity.Priority is "P3" or "P4", severity.ToString());
    }

    [Theory]
    [InlineData("@ContosoBank thanks for nothing, still no refund after 3 weeks")]
    [InlineData("@NorthwindCafe great, my order is late again")]
    [InlineData("@LitwareHome love the design but it stopped working after a week")]
    public void Classify_PraiseWordsWithTheProblemOpen_NotPraise(string text)
    {
        Assert.NotEqual("praise", Classify(text).Tier);
    }

    [Theory]
    [InlineData("Picked up a flat white from @NorthwindCafe on the way to work")]
    [InlineData("At the @WideWorldGym waiting for a friend")]
    [InlineData("Earn £500 a day from home!!! DM me, no experience needed #ad @ContosoBank")]
    [InlineData("Follow for follow? @TailspinToys #followback")]
    [InlineData("@ProseWare announced the new console colours today")]
    [InlineData("Comparing @LitwareHome with the other big names before I buy a kettle")]
    [InlineData("Crypto giveaway send 0.1 get 1 back @WoodgroveBank")]
    [InlineData("Listening to a podcast about @MargiesTravel's history")]
    [InlineData("Watching the match at @FourthCoffee with the lads")]
    [InlineData("@AdventureWorks ad: 20% off helmets with promo code RIDE20")]
    public void Classify_ChatterOrPromotion_P4(string text) => Assert.Equal("P4", Classify(text).Priority);

    [Fact]
    public void Classify_AddressedOnly_NotP1()
    {
        // The @handle signal (32 raw points) must not reach P1 alone, nor with a question mark.
        Assert.Equal("P4", Classify("@ContosoBank").Priority);
        Assert.Equal("P3", Classify("@ContosoBank @WoodgroveBank ?").Priority);
    }

    [Fact]
    public void Classify_TierPriorityFromConfiguration_ChangesThePriority()
    {
        var options = SeverityOptions.CreateDefault();
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scoring:Severity:Tiers:outage:Priority"] = "P2" })
            .Build().GetSection(SeverityOptions.SectionName).Bind(options);
        var scorer = new MentionScorer(UrgencyOptions.CreateDefault(), options);
        AssertTier(scorer.Score(new ScoringInput("@LitwareNet massive outage in Leeds, no broadband since 8am")).Severity, "outage", "P2");
    }

    [Fact]
    public void Classify_ReachFromConfiguration_ChangesTheThreshold()
    {
        var options = SeverityOptions.CreateDefault();
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scoring:Severity:ReachMinFollowers"] = "1000", ["Scoring:Severity:ComplaintPriority"] = "P3" })
            .Build().GetSection(SeverityOptions.SectionName).Bind(options);
        var scorer = new MentionScorer(UrgencyOptions.CreateDefault(), options);
        const string complaint = "@ContosoBank I was charged twice and nobody answers the chat";
        Assert.Equal("P1", scorer.Score(new ScoringInput(complaint, Followers: 5000)).Severity.Priority);
        Assert.Equal("P3", scorer.Score(new ScoringInput(complaint, Followers: 10)).Severity.Priority);
    }

    [Fact]
    public void Classify_TierTermAddedInConfiguration_Counts()
    {
        var options = SeverityOptions.CreateDefault();
        options.Tiers["safety"].Terms["en"].Add("sharp edge");
        var scorer = new MentionScorer(UrgencyOptions.CreateDefault(), options);
        AssertTier(scorer.Score(new ScoringInput("@TailspinToys the toy has a sharp edge")).Severity, "safety", "P1");
    }

    [Theory]
    [InlineData("Outage")]
    [InlineData("OUTAGE")]
    [InlineData("outage")]
    public void Bind_TierNamedInAnotherCase_ReplacesTheShippedTiersValues(string name)
    {
        // Regression: the shipped tiers were keyed case-sensitively, so "Outage" was a ninth tier with no terms (exit 2).
        var options = Bind(new Dictionary<string, string?>
        {
            [$"Scoring:Severity:Tiers:{name}:Priority"] = "P2",
            [$"Scoring:Severity:Tiers:{name}:Label"] = "network outage",
        });

        Assert.Empty(options.Validate());
        Assert.Equal(8, options.Tiers.Count);
        var severity = new MentionScorer(UrgencyOptions.CreateDefault(), options).Score(new ScoringInput("@LitwareNet massive outage in Leeds, no broadband since 8am")).Severity;
        AssertTier(severity, "outage", "P2");
        Assert.StartsWith("network outage: '", severity.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_OneTierSpelledTwoWaysAcrossSources_OneTierWithBothSettings()
    {
        // Configuration keys ignore case across sources (appsettings, environment, arguments): both spellings are one tier.
        var options = SeverityOptions.CreateDefault();
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scoring:Severity:Tiers:Recall:Label"] = "recall", ["Scoring:Severity:Tiers:Recall:Terms:en:0"] = "recall notice" })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scoring:Severity:Tiers:RECALL:Priority"] = "P2", ["Scoring:Severity:Tiers:recall:Terms:EN:1"] = "product recall" })
            .Build().GetSection(SeverityOptions.SectionName).Bind(options);

        Assert.Empty(options.Validate());
        Assert.Equal(9, options.Tiers.Count);
        var recall = options.Tiers["recall"];
        Assert.Equal(("recall", "P2"), (recall.Label, recall.Priority));
        Assert.Equal(["recall notice", "product recall"], Assert.Single(recall.Terms).Value);
    }

    [Theory]
    [InlineData("EN")]
    [InlineData("En")]
    public void Bind_TermLanguageInAnotherCase_AddsToTheShippedLanguage(string language)
    {
        // Regression: "EN" beside the shipped "en" was a second list, and building the classifier failed on the duplicate.
        var options = Bind(new Dictionary<string, string?> { [$"Scoring:Severity:Tiers:safety:Terms:{language}:0"] = "sharp edge" });

        Assert.Empty(options.Validate());
        Assert.Equal(5, options.Tiers["safety"].Terms.Count);
        var scorer = new MentionScorer(UrgencyOptions.CreateDefault(), options);
        AssertTier(scorer.Score(new ScoringInput("@TailspinToys the toy has a sharp edge")).Severity, "safety", "P1");
    }

    [Fact]
    public void Constructor_TiersThatDifferOnlyInCaseBuiltInCode_NamesBoth()
    {
        var options = SeverityOptions.CreateDefault();
        var outage = options.Tiers["outage"];
        options.Tiers = new Dictionary<string, SeverityTier>(StringComparer.Ordinal) { ["outage"] = outage, ["Outage"] = outage };

        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(UrgencyOptions.CreateDefault(), options));

        Assert.Contains("Scoring:Severity:Tiers has 'outage' and 'Outage'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TermLanguagesThatDifferOnlyInCaseBuiltInCode_NamesBoth()
    {
        var options = SeverityOptions.CreateDefault();
        options.PraiseTerms = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["en"] = ["thanks"], ["EN"] = ["cheers"] };

        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(UrgencyOptions.CreateDefault(), options));

        Assert.Contains("Scoring:Severity:PraiseTerms has 'en' and 'EN'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ComplaintPriority", "P5", "Scoring:Severity:ComplaintPriority")]
    [InlineData("NegationWindow", "-1", "Scoring:Severity:NegationWindow")]
    [InlineData("ReachMinFollowers", "0", "Scoring:Severity:ReachMinFollowers")]
    [InlineData("Tiers:safety:Priority", "urgent", "Scoring:Severity:Tiers:safety:Priority")]
    [InlineData("Tiers:complaint:Label", "mine", "Scoring:Severity:Tiers:complaint")]
    [InlineData("ComplaintWithoutCueMinUrgency", "200", "Scoring:Severity:ComplaintWithoutCueMinUrgency")]
    public void Constructor_InvalidSeverityOption_NamesTheSetting(string key, string value, string named)
    {
        var options = SeverityOptions.CreateDefault();
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Scoring:Severity:{key}"] = value })
            .Build().GetSection(SeverityOptions.SectionName).Bind(options);
        var error = Assert.Throws<ArgumentException>(() => new MentionScorer(UrgencyOptions.CreateDefault(), options));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDefault_ShippedTiers_EveryIssueCategoryInEveryCueLanguage()
    {
        var options = SeverityOptions.CreateDefault();
        Assert.Empty(options.Validate());
        Assert.Equal(["safety", "health", "legal", "security", "data-exposure", "discrimination", "threat", "outage"], options.Tiers.Keys);
        Assert.All(options.Tiers.Values, t => Assert.Equal(["de", "en", "es", "fr", "pt"], t.Terms.Keys.Order(StringComparer.Ordinal)));
    }

    private static SeverityOptions Bind(Dictionary<string, string?> settings)
    {
        var options = SeverityOptions.CreateDefault();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SeverityOptions.SectionName).Bind(options);
        return options;
    }

    private static void AssertTier(SeverityResult severity, string tier, string priority)
    {
        Assert.True(severity.Tier == tier && severity.Priority == priority, $"expected {tier} {priority}, got {severity}");
        Assert.False(string.IsNullOrWhiteSpace(severity.Reason));
    }
}
