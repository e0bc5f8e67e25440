using SocialHandoff.Core.Routing.Rules;

namespace SocialHandoff.Core.Tests.Routing;

public sealed class RuleSetDiffTests
{
    private static RoutingRuleDefinition Refunds() => new()
    {
        Name = "refunds",
        When = new RuleConditions { AnyWords = ["refund", "money back"] },
        Then = new RuleAction { Team = "billing", Priority = "P2" },
    };

    private static RoutingRuleDefinition Press() => new()
    {
        Name = "press",
        When = new RuleConditions { AnyWords = ["journalist"], MinFollowers = 10000 },
        Then = new RuleAction { Team = "pr" },
    };

    private static RuleSet Set(params RoutingRuleDefinition[] rules) => new() { Rules = [.. rules], Default = new RuleAction { Team = "care" } };

    [Fact]
    public void Describe_RuleAdded_ReadsItsWordsTeamAndPriority()
    {
        var changes = RuleSetDiff.Describe(Set(Press()), Set(Refunds(), Press()));

        Assert.Equal(["rule 'refunds' added at position 1: words refund, money back → billing, P2", "rule 'press' moved from position 1 to 2"], changes);
    }

    [Fact]
    public void Describe_ConditionsActionEnabledAndDefaultChanged_OneLinePerRuleNamingEachChange()
    {
        var changed = Refunds();
        changed.Enabled = false;
        changed.When.AnyWords = ["refund", "chargeback"];
        changed.When.MinUrgency = 40;
        changed.Then = new RuleAction { Team = "care", Priority = "P2", Tags = ["vip"], SlaPolicy = "p1-24x7" };
        var newer = Set(changed);
        newer.Default = new RuleAction { Team = "billing", Priority = "P3" };

        var changes = RuleSetDiff.Describe(Set(Refunds()), newer);

        Assert.Equal(
            [
                "rule 'refunds' disabled; words added chargeback; words removed money back; urgency at least any → 40; team billing → care; policy team default → p1-24x7; tags none → vip",
                "default team care → billing; priority auto → P3",
            ],
            changes);
    }

    [Fact]
    public void Describe_RuleRemovedOrNothingChanged_SaysSo()
    {
        Assert.Equal(["rule 'press' removed (was words journalist, followers at least 10000 → pr, priority from urgency)"], RuleSetDiff.Describe(Set(Refunds(), Press()), Set(Refunds())));
        Assert.Equal(["no change"], RuleSetDiff.Describe(Set(Refunds()), Set(Refunds())));
        Assert.Equal(["first version: 1 rule; otherwise care, priority from urgency"], RuleSetDiff.Describe(null, Set(Refunds())));
    }
}
