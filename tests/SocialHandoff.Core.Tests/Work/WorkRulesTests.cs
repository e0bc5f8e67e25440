using Azure;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Tests.Work;

public sealed class WorkRulesTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Caller Ana = new("ana", ["agent.care"]);
    private static readonly Caller Ben = new("ben", ["agent.care"]);
    private static readonly Caller Mia = new("mia", ["manager"]);
    private static readonly Caller IncidentPipeline = SocialHandoff.Core.Incidents.IncidentGrouping.Pipeline;
    private static readonly SlaPolicy CarePolicy = new("care", 1, BusinessCalendar.AlwaysOpen(), TimeSpan.FromMinutes(60), TimeSpan.FromHours(8), TimeSpan.FromMinutes(10));
    private static readonly SlaPolicy BillingPolicy = new("billing", 1, BusinessCalendar.AlwaysOpen(), TimeSpan.FromMinutes(30), TimeSpan.FromHours(4), TimeSpan.FromMinutes(5));

    [Fact]
    public void Decide_ClaimHeldByAnother_ConflictNamingTheHolder()
    {
        var decision = Decide(Open() with { Assignee = "ana" }, new WorkCommand(WorkVerb.Claim), Ben);

        Assert.Equal(409, decision.Refusal!.Status);
        Assert.Equal("ana", decision.Refusal.Holder);
    }

    [Fact]
    public void Decide_ClaimAlreadyMine_NothingToDo()
    {
        Assert.True(Decide(Open() with { Assignee = "ANA" }, new WorkCommand(WorkVerb.Claim), Ana).IsUnchanged);
    }

    [Fact]
    public void Decide_OtherTeam_Forbidden()
    {
        var decision = Decide(Open(), new WorkCommand(WorkVerb.Note, "hi"), new Caller("cy", ["agent.billing"]));

        Assert.Equal(403, decision.Refusal!.Status);
    }

    [Fact]
    public void Decide_FirstReply_StopsFirstResponseClockClaimsAndRecordsBeforeAfter()
    {
        var at = Created.AddMinutes(12);

        var decision = Decide(Open(), new WorkCommand(WorkVerb.Respond, "https://x.com/contoso/status/1"), Ana, at);

        var after = decision.After!;
        Assert.Equal(at, after.Sla!.FirstResponse.StoppedAt);
        Assert.True(after.Sla.Resolution.IsRunning);
        Assert.Equal("ana", after.Assignee);
        Assert.Equal(new FirstResponseRecord(at, "ana", "https://x.com/contoso/status/1"), after.FirstResponse);
        Assert.Equal(1, after.Revision);
        Assert.Equal(WorkRules.Responded, decision.Event!.Type);
        Assert.Null(decision.Event.Before["assignee"]);
        Assert.Equal("ana", decision.Event.After["assignee"]);
        Assert.False(decision.Event.Before.ContainsKey("team"));
    }

    [Fact]
    public void Decide_SecondReply_RecordedAsReplyClockUntouched()
    {
        var first = Decide(Open(), new WorkCommand(WorkVerb.Respond, "one"), Ana, Created.AddMinutes(5)).After!;

        var second = Decide(first, new WorkCommand(WorkVerb.Respond, "two"), Ana, Created.AddMinutes(30));

        Assert.Equal(WorkRules.Replied, second.Event!.Type);
        Assert.Equal(first.FirstResponse, second.After!.FirstResponse);
        Assert.Equal("two", second.Event.Text);
    }

    [Fact]
    public void Decide_PauseThenResume_OnlyTheResolutionClockStops()
    {
        var paused = Decide(Open(), new WorkCommand(WorkVerb.Pause), Ana, Created.AddMinutes(10)).After!;
        Assert.True(paused.IsWaiting);
        Assert.True(paused.Sla!.FirstResponse.IsRunning);
        Assert.Equal(409, Decide(paused, new WorkCommand(WorkVerb.Pause), Ana).Refusal!.Status);

        var resumed = Decide(paused, new WorkCommand(WorkVerb.Resume), Ana, Created.AddMinutes(40)).After!;

        Assert.False(resumed.IsWaiting);
        Assert.Equal(TimeSpan.FromMinutes(10), resumed.Sla!.Resolution.Elapsed(BusinessCalendar.AlwaysOpen(), Created.AddMinutes(40)));
        Assert.Equal(409, Decide(resumed, new WorkCommand(WorkVerb.Resume), Ana).Refusal!.Status);
    }

    [Fact]
    public void Decide_ResolvedItem_OnlyNotesAreAccepted()
    {
        var resolved = Decide(Open(), new WorkCommand(WorkVerb.Resolve), Ana).After!;
        Assert.Equal(HandoffStore.StatusResolved, resolved.Status);
        Assert.NotNull(resolved.Sla!.Resolution.StoppedAt);

        foreach (var verb in new[] { WorkVerb.Claim, WorkVerb.Release, WorkVerb.Respond, WorkVerb.Pause, WorkVerb.Resume, WorkVerb.Reassign, WorkVerb.Resolve })
        {
            Assert.Equal(409, Decide(resolved, new WorkCommand(verb, "x", "ben", "billing"), Mia).Refusal!.Status);
        }

        Assert.Equal(WorkRules.Noted, Decide(resolved, new WorkCommand(WorkVerb.Note, "follow-up"), Ana).Event!.Type);
    }

    [Fact]
    public void Decide_ReleaseOfAnotherAgentsClaim_OnlyAManagerMay()
    {
        var held = Open() with { Assignee = "ana" };

        Assert.Equal(403, Decide(held, new WorkCommand(WorkVerb.Release), Ben).Refusal!.Status);
        Assert.Null(Decide(held, new WorkCommand(WorkVerb.Release), Mia).After!.Assignee);
        Assert.Equal(409, Decide(Open(), new WorkCommand(WorkVerb.Release), Ana).Refusal!.Status);
    }

    [Fact]
    public void Decide_ReassignToAnotherTeam_NewPolicyNewGenerationAssigneeCleared()
    {
        var held = Open() with { Assignee = "ana", FirstResponseSlaFlag = "AtRisk" };

        var decision = Decide(held, new WorkCommand(WorkVerb.Reassign, Team: "billing"), Ana, Created.AddMinutes(20));

        var after = decision.After!;
        Assert.Equal(WorkRules.Moved, decision.Event!.Type);
        Assert.Equal("billing", after.Team);
        Assert.Null(after.Assignee);
        Assert.Null(after.FirstResponseSlaFlag);
        Assert.Equal("billing", after.Sla!.PolicyName);
        Assert.Equal(1, after.Sla.Generation);
        Assert.Equal(Created.AddMinutes(30), after.Sla.FirstResponse.DueAt(BusinessCalendar.AlwaysOpen()));
        Assert.Equal("care", decision.Event.FromTeam);
    }

    [Theory]
    [InlineData(WorkVerb.Reassign)]
    [InlineData(WorkVerb.Pause)]
    public void Decide_OnAnotherAgentsClaim_AgentRefusedManagerAllowed(WorkVerb verb)
    {
        var held = Open() with { Assignee = "ana" };
        var command = new WorkCommand(verb, Assignee: "ben");

        Assert.Equal("ana", Decide(held, command, Ben).Refusal!.Holder);
        Assert.NotNull(Decide(held, command, Mia).After);
    }

    [Fact]
    public void Decide_AgentMovesWithAnAssignee_OnlyAManagerAssignsInAnotherTeam()
    {
        var command = new WorkCommand(WorkVerb.Reassign, Assignee: "cy", Team: "billing");

        Assert.Equal(403, Decide(Open(), command, Ana).Refusal!.Status);
        Assert.Equal("cy", Decide(Open(), command, Mia).After!.Assignee);
    }

    [Fact]
    public void Decide_PausedTooOften_Refused()
    {
        var h = Open();
        for (var i = 0; i < WorkRules.MaxPauses - 1; i++)
        {
            h = Decide(h, new WorkCommand(WorkVerb.Pause), Ana, Created.AddMinutes(2 * i)).After!;
            h = Decide(h, new WorkCommand(WorkVerb.Resume), Ana, Created.AddMinutes((2 * i) + 1)).After!;
        }

        Assert.Equal(409, Decide(h, new WorkCommand(WorkVerb.Pause), Ana, Created.AddHours(5)).Refusal!.Status);
    }

    [Fact]
    public void Decide_ReassignToTheSameAgent_NothingToDo()
    {
        Assert.True(Decide(Open() with { Assignee = "ben" }, new WorkCommand(WorkVerb.Reassign, Assignee: "ben"), Ben).IsUnchanged);
    }

    [Theory]
    [InlineData("ghost", null)]
    [InlineData("cy", null)]
    [InlineData("ben", "pr")]
    public void Decide_ReassignToSomeoneNotOfTheTargetTeam_400NamingAssignee(string assignee, string? team)
    {
        var decision = Decide(Open(), new WorkCommand(WorkVerb.Reassign, Assignee: assignee, Team: team), new Caller("mia", ["manager"]));

        Assert.Equal(400, decision.Refusal!.Status);
        Assert.Equal("assignee", decision.Refusal.Field);
        Assert.Contains($"'{assignee}' is not a person of team {team ?? "care"}", decision.Refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ReassignByDisplayName_StoresThePersonsKey()
    {
        var decision = WorkRules.Decide(Open(), new WorkCommand(WorkVerb.Reassign, Assignee: "Ben Jones"), new Caller("mia", ["manager"]), Created.AddMinutes(1),
            (_, _) => CarePolicy, (team, typed) => team == "care" && typed == "Ben Jones" ? "0b5e0000-0000-0000-0000-000000000002" : null);

        Assert.Equal("0b5e0000-0000-0000-0000-000000000002", decision.After!.Assignee);
    }

    // The people of each team in these tests: ana and ben work care, cy billing.
    [Fact]
    public void Decide_AssignUnclaimedToAMember_AutoAssignedEventWithTheReason()
    {
        var decision = Decide(Open(), new WorkCommand(WorkVerb.Assign, "auto-assigned, least-loaded 1/2", "BEN"), new Caller("auto-assign", ["admin"]));

        Assert.Equal("ben", decision.After!.Assignee);
        Assert.Equal(WorkRules.AutoAssigned, decision.Event!.Type);
        Assert.Equal("auto-assign", decision.Event.Actor);
        Assert.Equal("auto-assigned, least-loaded 1/2", decision.Event.Text);
        Assert.Equal("ben", decision.Event.After["assignee"]);
    }

    [Fact]
    public void Decide_AssignHeldResolvedOrNotAMember_RefusedAndTheHolderKept()
    {
        var assigner = new Caller("auto-assign", ["admin"]);

        var held = Decide(Open() with { Assignee = "ana" }, new WorkCommand(WorkVerb.Assign, "x", "ben"), assigner);
        var resolved = Decide(Open() with { Status = HandoffStore.StatusResolved, ResolvedAt = Created }, new WorkCommand(WorkVerb.Assign, "x", "ben"), assigner);
        var stranger = Decide(Open(), new WorkCommand(WorkVerb.Assign, "x", "cy"), assigner);

        Assert.Equal((409, "ana"), (held.Refusal!.Status, held.Refusal.Holder));
        Assert.Equal(409, resolved.Refusal!.Status);
        Assert.Equal((400, "assignee"), (stranger.Refusal!.Status, stranger.Refusal.Field));
    }

    private static string? PersonOf(string team, string typed) =>
        (team, typed.ToLowerInvariant()) is ("care", "ana" or "ben") or ("billing", "cy") ? typed.ToLowerInvariant() : null;

    [Fact]
    public void Decide_RaiseOneStep_PriorityAndSlaTargetsChangeWithTheReasonInTheEvent()
    {
        // The P1 policy of the team (tighter targets) times it from now on; the clocks keep their start.
        var decision = WorkRules.Decide(
            Open(), new WorkCommand(WorkVerb.Raise, "incident surge: 10 copies within 5 min", Priority: "P1"), IncidentPipeline, Created.AddMinutes(5),
            (_, priority) => priority == "P1" ? BillingPolicy : CarePolicy, PersonOf);

        var after = decision.After!;
        Assert.Equal("P1", after.Priority);
        Assert.Equal("P1", after.Sla!.Priority);
        Assert.Equal(BillingPolicy.FirstResponse, after.Sla.FirstResponse.Target);
        Assert.Equal(Created, after.Sla.FirstResponse.Segments[0].Start);
        Assert.Equal(WorkRules.Raised, decision.Event!.Type);
        Assert.Equal("P2", decision.Event.Before["priority"]);
        Assert.Equal("P1", decision.Event.After["priority"]);
        Assert.Equal("incident surge: 10 copies within 5 min", decision.Event.Text);
        Assert.Equal("raised to P1: incident surge: 10 copies within 5 min", after.RuleWhy[^1]);
    }

    [Theory]
    [InlineData("P2")]
    [InlineData("P3")]
    [InlineData("P9")]
    public void Decide_RaiseToTheSameOrALowerPriority_NothingChanges(string priority)
    {
        Assert.True(Decide(Open(), new WorkCommand(WorkVerb.Raise, "surge", Priority: priority), IncidentPipeline).IsUnchanged);
    }

    [Fact]
    public void Decide_RaiseResolved_Conflict()
    {
        var resolved = Open() with { Status = HandoffStore.StatusResolved, ResolvedAt = Created.AddHours(1) };

        Assert.Equal(409, Decide(resolved, new WorkCommand(WorkVerb.Raise, "surge", Priority: "P1"), IncidentPipeline).Refusal!.Status);
    }

    private static WorkDecision Decide(HandoffRecord h, WorkCommand command, Caller caller, DateTimeOffset? at = null) =>
        WorkRules.Decide(h, command, caller, at ?? Created.AddMinutes(1), (team, _) => team == "billing" ? BillingPolicy : CarePolicy, PersonOf);

    private static HandoffRecord Open() => new(
        "h-0123456789abcdef0123456789abcdef", "care", HandoffStore.StatusOpen, null, 0, "P2", 70, "Negative", -0.6, [], "text", "en", null, "user", 10,
        "x:1", "corr", Created, Created, Created.AddHours(1), Created.AddHours(8), "default", [], [], 1,
        HandoffSla.Start("care", "P2", CarePolicy, Created), null, null, null, null, null, true, ETag.All);
}
