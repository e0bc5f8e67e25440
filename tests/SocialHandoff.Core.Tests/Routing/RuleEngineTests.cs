using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Tests.Routing;

public sealed class RuleEngineTests
{
    private static readonly MentionScorer Scorer = new(UrgencyOptions.CreateDefault());

    private static (MentionMessage Mention, MentionScore Score) Mention(string text, string source = "x", string? lang = "en", long? followers = null, bool? verified = null, string query = "acme")
    {
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, Guid.NewGuid().ToString("n"), source, Guid.NewGuid().ToString("n"),
            new MentionAuthor("1", "someone", "Someone", followers, verified), text, lang,
            new MentionMetrics(0, 0, 0, 0), null, DateTimeOffset.UnixEpoch, query);
        return (mention, Scorer.Score(new ScoringInput(text, lang, followers, verified)));
    }

    private static RuleSet Rules(params RoutingRuleDefinition[] rules) => new()
    {
        Version = 3,
        Author = "manager@contoso.com",
        Rules = [.. rules],
        Default = new RuleAction { Team = "care" },
    };

    private static RoutingRuleDefinition Rule(string name, string team, RuleConditions when, string priority = "auto") =>
        new() { Name = name, When = when, Then = new RuleAction { Team = team, Priority = priority } };

    [Fact]
    public void Evaluate_FirstMatchingRuleWins_AndSaysWhy()
    {
        var engine = RuleEngine.Compile(Rules(
            Rule("safety", "legal", new RuleConditions { ReasonSignals = ["crisis"] }, "P1"),
            Rule("refunds", "billing", new RuleConditions { AnyWords = ["refund", "charged twice"] })));
        var (mention, score) = Mention("@acme got food poisoning and want a refund");
        var match = engine.Evaluate(mention, score);
        Assert.Equal("safety", match.Rule);
        Assert.Equal("legal", match.Action.Team);
        Assert.Equal(3, match.RuleSetVersion);
        Assert.Contains("reason safety term: 'food poisoning'", match.Why);
    }

    [Theory]
    [InlineData("@acme llevo dos semanas esperando el reembolso y nadie me responde", "es", "reembolso")]
    [InlineData("@acme ich wurde doppelt belastet und warte seit Tagen", "de", "belastet")]
    [InlineData("@acme toujours pas de remboursement après trois semaines", "fr", "remboursement")]
    [InlineData("@acme cadê meu estorno? já faz um mês", "pt", "estorno")]
    [InlineData("@acme still no refund after three weeks", "en", "refund")]
    public void Evaluate_RuleWordInAnotherLanguage_MatchesAndSaysWhich(string text, string lang, string said)
    {
        var engine = RuleEngine.Compile(Rules(Rule("billing", "billing", new RuleConditions { AnyWords = ["refund", "charged"] })));
        var (mention, score) = Mention(text, lang: lang);
        var match = engine.Evaluate(mention, score);
        Assert.Equal("billing", match.Rule);
        Assert.Contains(match.Why, w => w.StartsWith($"mentions '{said}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_RuleWordInALanguageTheRuleDoesNotList_NoMatch()
    {
        var engine = RuleEngine.Compile(Rules(Rule("billing", "billing", new RuleConditions { AnyWords = ["refund"], Languages = ["en", "es"] })));
        Assert.Equal("billing", engine.Evaluate(Mention("@acme sin reembolso todavía", lang: null).Mention, Mention("@acme sin reembolso todavía", lang: null).Score).Rule);
        var german = Mention("@acme keine Erstattung bis heute", lang: "de");
        Assert.Equal("default", engine.Evaluate(german.Mention, german.Score).Rule);
    }

    [Fact]
    public void Evaluate_TierCondition_ManagerChangesATiersPriority()
    {
        var engine = RuleEngine.Compile(Rules(Rule("outages to ops", "ops", new RuleConditions { Tiers = ["outage"] }, "P2")));
        var (mention, score) = Mention("@acme is anyone else getting errors on the app? servers are down");
        var match = engine.Evaluate(mention, score);
        Assert.Equal("ops", match.Action.Team);
        Assert.Equal("P2", match.Action.Priority);
        Assert.Contains(match.Why, w => w.StartsWith("tier outage", StringComparison.Ordinal));
        Assert.Equal("default", engine.Evaluate(Mention("@acme my order is late").Mention, Mention("@acme my order is late").Score).Rule);
    }

    [Theory]
    [InlineData("mastodon", "social")]
    [InlineData("bluesky", "social")]
    [InlineData("reddit", "community")]
    [InlineData("rss", "pr")]
    [InlineData("x", "care")]
    public void Evaluate_SourcesCondition_RoutesEachNewSourceByName(string source, string team)
    {
        var engine = RuleEngine.Compile(Rules(
            Rule("fediverse", "social", new RuleConditions { Sources = ["mastodon", "bluesky"] }),
            Rule("forums", "community", new RuleConditions { Sources = ["reddit"] }),
            Rule("press", "pr", new RuleConditions { Sources = ["rss"] })));
        var (mention, score) = Mention("contoso is down again", source: source);

        Assert.Equal(team, engine.Evaluate(mention, score).Action.Team);
    }

    [Fact]
    public void Evaluate_WholeWordsOnly_CaseInsensitive()
    {
        var engine = RuleEngine.Compile(Rules(Rule("refunds", "billing", new RuleConditions { AnyWords = ["Refund"] })));
        Assert.Equal("refunds", engine.Evaluate(Mention("@acme REFUND please").Mention, Mention("x").Score).Rule);
        Assert.Equal("default", engine.Evaluate(Mention("@acme refundable tickets?").Mention, Mention("x").Score).Rule);
    }

    [Fact]
    public void Evaluate_ExcludedWord_SkipsTheRule()
    {
        var engine = RuleEngine.Compile(Rules(Rule("press", "pr", new RuleConditions { AnyWords = ["journalist", "press"], NoneOfWords = ["press release"] })));
        var (plain, score) = Mention("I'm a journalist, who is your press contact?");
        var (excluded, _) = Mention("saw your press release today");
        Assert.Equal("pr", engine.Evaluate(plain, score).Action.Team);
        Assert.Equal("care", engine.Evaluate(excluded, score).Action.Team);
    }

    [Fact]
    public void Evaluate_RangesFollowersVerifiedLanguageHashtagSource_AllMustHold()
    {
        var engine = RuleEngine.Compile(Rules(Rule("vip", "pr", new RuleConditions
        {
            Sources = ["x"], Languages = ["en"], Hashtags = ["fail"], MinFollowers = 100_000, Verified = true, MaxSentiment = -0.05, MinUrgency = 10,
        })));
        var (vip, vipScore) = Mention("@acme worst update ever #fail", followers: 250_000, verified: true, lang: "en-GB");
        var match = engine.Evaluate(vip, vipScore);
        Assert.Equal("vip", match.Rule);
        Assert.Contains("250,000 followers >= 100,000", match.Why);
        Assert.Contains("hashtag #fail", match.Why);

        var (small, smallScore) = Mention("@acme worst update ever #fail", followers: 900, verified: true);
        Assert.Equal("default", engine.Evaluate(small, smallScore).Rule);
        var (mastodon, mastodonScore) = Mention("@acme worst update ever #fail", source: "mastodon", followers: 250_000, verified: true);
        Assert.Equal("default", engine.Evaluate(mastodon, mastodonScore).Rule);
    }

    [Fact]
    public void Evaluate_DisabledRule_Skipped()
    {
        var rule = Rule("refunds", "billing", new RuleConditions { AnyWords = ["refund"] }) with { Enabled = false };
        var (mention, score) = Mention("refund please");
        Assert.Equal("default", RuleEngine.Compile(Rules(rule)).Evaluate(mention, score).Rule);
    }

    [Fact]
    public void Validate_EveryInvalidRule_NamesRuleAndField()
    {
        var rules = Rules(
            Rule("", "care", new RuleConditions { AnyWords = ["x"] }),
            Rule("bad team", "Customer Care!", new RuleConditions { AnyWords = ["x"] }),
            Rule("bad range", "care", new RuleConditions { MinUrgency = 80, MaxUrgency = 20 }),
            Rule("bad sentiment", "care", new RuleConditions { MinSentiment = -3 }),
            Rule("bad priority", "care", new RuleConditions { AnyWords = ["y"] }, "urgent"),
            Rule("bad signal", "care", new RuleConditions { ReasonSignals = ["panic"] }),
            Rule("empty word", "care", new RuleConditions { AnyWords = [" "] }),
            Rule("catch all", "care", new RuleConditions()),
            Rule("bad range", "care", new RuleConditions { AnyWords = ["z"] }));
        var errors = RuleEngine.Validate(rules).Select(e => e.ToString()).ToArray();
        Assert.Contains("rule 1 (''), name: is required.", errors);
        Assert.Contains(errors, e => e.StartsWith("rule 2 ('bad team'), then.team:", StringComparison.Ordinal));
        Assert.Contains("rule 3 ('bad range'), when.urgency: minimum 80 is above maximum 20.", errors);
        Assert.Contains(errors, e => e.StartsWith("rule 4 ('bad sentiment'), when.sentiment:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rule 5 ('bad priority'), then.priority:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rule 6 ('bad signal'), when.reasonSignals: 'panic'", StringComparison.Ordinal));
        Assert.Contains("rule 7 ('empty word'), when.anyWords: has an empty entry.", errors);
        Assert.Contains(errors, e => e.StartsWith("rule 8 ('catch all'), when: has no condition", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("rule 9 ('bad range'), name: is used by an earlier rule", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NamesATeamPolicyOrSignalThatDoesNotExist_InvalidWithDidYouMean()
    {
        var references = new RuleReferences(new HashSet<string> { "care", "crisis", "billing" }, new HashSet<string> { "p1-24x7", "standard" });
        var rules = Rules(
            new RoutingRuleDefinition { Name = "typo team", When = new RuleConditions { AnyWords = ["a"] }, Then = new RuleAction { Team = "crisys" } },
            new RoutingRuleDefinition { Name = "ghost team", When = new RuleConditions { AnyWords = ["b"] }, Then = new RuleAction { Team = "ghost" } },
            new RoutingRuleDefinition { Name = "typo policy", When = new RuleConditions { AnyWords = ["c"] }, Then = new RuleAction { Team = "care", SlaPolicy = "p1-24x8" } },
            new RoutingRuleDefinition { Name = "typo signal", When = new RuleConditions { ReasonSignals = ["complant"] }, Then = new RuleAction { Team = "care" } });

        var errors = RuleEngine.Validate(rules, references).Select(e => e.ToString()).ToArray();

        Assert.Contains("rule 1 ('typo team'), then.team: Team 'crisys' does not exist. Did you mean 'crisis'?", errors);
        Assert.Contains("rule 2 ('ghost team'), then.team: Team 'ghost' does not exist. Known: billing, care, crisis.", errors);
        Assert.Contains("rule 3 ('typo policy'), then.slaPolicy: SLA policy 'p1-24x8' does not exist in the policies in force. Did you mean 'p1-24x7'?", errors);
        Assert.Contains("rule 4 ('typo signal'), when.reasonSignals: 'complant' is not an urgency reason. Did you mean 'complaint'?", errors);
        Assert.Equal(4, errors.Length);
    }

    [Fact]
    public void Validate_StoredVersionWithoutReferences_TeamsAreNotCheckedSoRoutingNeverStops()
    {
        var rules = Rules(Rule("old", "legacy-team", new RuleConditions { AnyWords = ["x"] }));

        Assert.Empty(RuleEngine.Validate(rules));
        Assert.Single(RuleEngine.Validate(rules, new RuleReferences(new HashSet<string> { "care" }, new HashSet<string>())));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"rules\":[{\"name\":\"refunds\",\"when\":{\"anyWords\":[\"refund\"]},\"then\":{\"team\":\"care\"}}],\"default\":{\"team\":\"care\"}}")]
    [InlineData("{\"rules\":[{\"name\":\"refunds\",\"when\":{},\"then\":{}}]}")]
    public void Read_MinimalDocumentWithOmittedListsAndObjects_EmptyNotNull(string json)
    {
        var rules = System.Text.Json.JsonSerializer.Deserialize(json, Policies.PolicyJsonContext.Default.RuleSet)!;

        Assert.NotNull(rules.Rules);
        Assert.NotNull(rules.Default.Tags);
        Assert.Equal("auto", rules.Default.Priority);
        foreach (var rule in rules.Rules)
        {
            Assert.True(rule.Enabled);
            Assert.NotNull(rule.When.AnyWords);
            Assert.NotNull(rule.When.ReasonSignals);
            Assert.NotNull(rule.Then.Tags);
            Assert.Equal("", rule.Then.SlaPolicy);
        }

        // Validation answers with errors or none, and never throws.
        _ = RuleEngine.Validate(rules, new RuleReferences(new HashSet<string> { "care" }, new HashSet<string>()));
    }

    [Fact]
    public void Compile_InvalidRuleSet_NeverApplied()
    {
        var invalid = Rules(Rule("bad", "care", new RuleConditions { MinUrgency = 500 }));
        var error = Assert.Throws<RuleSetInvalidException>(() => RuleEngine.Compile(invalid));
        Assert.Single(error.Errors);
        Assert.Contains("when.urgency", error.Message);
    }

    [Fact]
    public void DryRun_ProposedRules_ReportsWhatMovesWhere()
    {
        var current = RuleEngine.Compile(Rules());
        var proposed = RuleEngine.Compile(Rules(
            Rule("refunds", "billing", new RuleConditions { AnyWords = ["refund"] }),
            Rule("press", "pr", new RuleConditions { AnyWords = ["journalist"] })));
        var recent = new[]
        {
            Mention("refund please"), Mention("I want a refund"), Mention("journalist here"), Mention("love it"),
        };
        var report = RuleEngine.DryRun(current, proposed, recent, (m, _) => new RouteOutcome(m.Rule, m.Action.Team, m.Action.Priority, m.Action.SlaPolicy, m.Action.Tags));
        Assert.Equal(4, report.Evaluated);
        Assert.Equal(3, report.Moved);
        Assert.Equal(2, report.MovesByRoute["care -> billing"]);
        Assert.Equal(1, report.MovesByRoute["care -> pr"]);
    }
}
