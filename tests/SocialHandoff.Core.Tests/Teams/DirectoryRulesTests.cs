using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Tests.Teams;

public sealed class DirectoryRulesTests
{
    private static readonly DirectoryContext Context = new(
        new HashSet<string> { "24x7", "office" },
        new HashSet<string> { "crisis-24x7", "standard" },
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["ana"] = "Ana", ["ben"] = "Ben" });

    [Fact]
    public void Check_EmptyEdit_EveryRequiredFieldNamedNothingElse()
    {
        var (team, errors) = DirectoryRules.Check("crisis", new TeamEdit(null, null, null, null, null, null), Context);

        Assert.Null(team);
        Assert.Equal(["autoAssign", "members"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Check_MemberWithOnlyAnId_RoleAndCapacityRequiredAtTheirPaths()
    {
        var (_, errors) = DirectoryRules.Check("crisis", new TeamEdit(null, null, null, null, "off", [new MemberEdit("ana", null, null, null)]), Context);

        Assert.Equal(["members[0].capacity", "members[0].role"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("https://contoso.webhook.office.com/webhookb2/secret", "notify[0]")]
    [InlineData("www.example.com/hook", "notify[0]")]
    [InlineData("has space", "notify[0]")]
    public void Check_NotifyTargetUrlOrNotAName_RefusedAtTheTarget(string target, string field)
    {
        var (_, errors) = DirectoryRules.Check("crisis", new TeamEdit(null, null, null, [target], "off", []), Context);

        Assert.Contains(field, errors.Keys);
    }

    [Theory]
    [InlineData("crisis-tems", "did you mean 'crisis-teams'?")]
    [InlineData("#billing-escalations", "known: #crisis, crisis-teams")]
    [InlineData("CRISIS-TEAMS", null)]
    [InlineData("#crisis", null)]
    public void Check_NotifyTargetNotConfigured_RefusedWithAHintConfiguredOnesPass(string target, string? expected)
    {
        var context = Context with { NotifyTargets = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "crisis-teams", "#crisis" } };

        var (_, errors) = DirectoryRules.Check("crisis", new TeamEdit(null, null, null, [target], "off", []), context);

        if (expected is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(expected, errors["notify[0]"][0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_NotifyTargetWithNoneConfigured_SaysHowToConfigureOne()
    {
        var (_, errors) = DirectoryRules.Check("crisis", new TeamEdit(null, null, null, ["crisis-teams"], "off", []), Context with { NotifyTargets = new HashSet<string>() });

        Assert.Contains("Sla:Notifications:crisis-teams:Url", errors["notify[0]"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void DeleteBlockers_TeamNamedByHandoffsRulesDefaultAndPolicies_EachListedUnusedTeamNone()
    {
        var rules = new Core.Routing.Rules.RuleSet
        {
            Rules = [new() { Name = "refunds", Then = new() { Team = "billing" } }, new() { Name = "other", Then = new() { Team = "care" } }],
            Default = new() { Team = "billing" },
        };
        var policies = new Core.Sla.SlaPolicySet { Policies = [new() { Name = "billing-p1", Team = "billing", Priority = "P1" }, new() { Name = "standard" }] };

        var blocked = DirectoryRules.DeleteBlockers("billing", 2, rules, policies);
        var free = DirectoryRules.DeleteBlockers("press", 0, rules, policies);

        Assert.Equal(["handoffs", "rules", "slaPolicies"], blocked.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("2 open handoffs", blocked["handoffs"][0], StringComparison.Ordinal);
        Assert.Equal(["rule 'refunds' routes to it.", "the default action routes to it.", "Change the routing rules first."], blocked["rules"]);
        Assert.Equal("SLA policy 'billing-p1' is for it.", blocked["slaPolicies"][0]);
        Assert.Empty(free);
    }

    [Fact]
    public void Check_UnknownPersonCalendarPolicyAndDuplicate_EachNamedWithAHint()
    {
        var edit = new TeamEdit(null, "ofice", "standrd", [], "least-loaded",
        [
            new MemberEdit("zed", null, "agent", 1),
            new MemberEdit("ana", null, "agent", 1),
            new MemberEdit("ANA", null, "lead", 2),
            new MemberEdit("ben", null, "boss", 51),
        ]);

        var (_, errors) = DirectoryRules.Check("crisis", edit, Context);

        Assert.Contains("office", errors["calendar"][0], StringComparison.Ordinal);
        Assert.Contains("standard", errors["defaultPolicy"][0], StringComparison.Ordinal);
        Assert.Contains("'zed' is not a known person", errors["members[0].id"][0], StringComparison.Ordinal);
        Assert.Contains("listed twice", errors["members[2].id"][0], StringComparison.Ordinal);
        Assert.Contains("agent, lead, manager", errors["members[3].role"][0], StringComparison.Ordinal);
        Assert.Contains("0 to 50", errors["members[3].capacity"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ValidEdit_KeysTakeTheKnownSpellingAndNamesDefault()
    {
        var (team, errors) = DirectoryRules.Check("crisis", new TeamEdit(" ", "24x7", null, ["#crisis", "#crisis"], "LEAST-LOADED", [new MemberEdit("BEN", null, "Agent", 2)]), Context);

        Assert.Empty(errors);
        Assert.Equal("crisis", team!.DisplayName);
        Assert.Equal(["#crisis"], team.Notify);
        Assert.Equal("least-loaded", team.AutoAssign);
        Assert.Equal(new DirectoryMember("ben", "Ben", "agent", 2), Assert.Single(team.Members));
    }

    [Fact]
    public void Describe_MemberAddedCapacityChangedModeChangedMemberRemoved_OneReadableLine()
    {
        var before = new DirectoryTeam("crisis", "Crisis", null, null, [], "off", [new DirectoryMember("ana", "Ana", "agent", 3), new DirectoryMember("kai", "Kai", "lead", 8)]);
        var after = before with { AutoAssign = "least-loaded", Members = [new DirectoryMember("ana", "Ana", "agent", 4), new DirectoryMember("ben", "Ben", "agent", 2)] };

        Assert.Equal("auto-assignment off → least-loaded; Ana: capacity 3 → 4; Ben added as agent, capacity 2; Kai removed", DirectoryRules.Describe(before, after));
        Assert.Equal("no change", DirectoryRules.Describe(before, before));
    }
}
