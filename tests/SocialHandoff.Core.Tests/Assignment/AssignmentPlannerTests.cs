using SocialHandoff.Core.Assignment;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Tests.Assignment;

public sealed class AssignmentPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Order_MixedPrioritiesDueTimesAndAges_P1FirstThenEarliestDueThenOldest()
    {
        var items = new[]
        {
            new WaitingItem("p3", 1, "P3", T0.AddMinutes(5), T0),
            new WaitingItem("p1-late", 1, "P1", T0.AddMinutes(30), T0),
            new WaitingItem("p1-soon-new", 1, "P1", T0.AddMinutes(10), T0.AddMinutes(2)),
            new WaitingItem("p1-soon-old", 1, "P1", T0.AddMinutes(10), T0.AddMinutes(1)),
            new WaitingItem("p2-no-due", 1, "P2", null, T0),
        };

        var ordered = AssignmentPlanner.Order(items).Select(i => i.Id);

        Assert.Equal(["p1-soon-old", "p1-soon-new", "p1-late", "p2-no-due", "p3"], ordered);
    }

    [Fact]
    public void Next_LeastLoaded_FewestOpenClaimsWinsAndWhySaysLoadAfterOfCapacity()
    {
        var members = new[] { new Candidate("ana", "Ana", 3, 2, false), new Candidate("ben", "Ben", 2, 0, false) };

        var choice = AssignmentPlanner.Next(DirectoryRules.AutoAssignLeastLoaded, [Item("h1")], members, null);

        Assert.Equal("ben", choice!.Member.Id);
        Assert.Equal("auto-assigned, least-loaded 1/2", choice.Why);
    }

    [Fact]
    public void Next_AwayOrFullMembers_NeverChosenAndNullWhenNobodyHasRoom()
    {
        var members = new[] { new Candidate("ana", "Ana", 5, 0, Away: true), new Candidate("ben", "Ben", 2, 2, false), new Candidate("cy", "Cy", 0, 0, false) };

        Assert.Null(AssignmentPlanner.Next(DirectoryRules.AutoAssignLeastLoaded, [Item("h1")], members, null));
        Assert.Null(AssignmentPlanner.Next(DirectoryRules.AutoAssignRoundRobin, [Item("h1")], members, null));
    }

    [Fact]
    public void Next_RoundRobin_TakesTheNextMemberWithRoomAfterTheLastAssigned()
    {
        var members = new[] { new Candidate("ana", "Ana", 5, 0, false), new Candidate("ben", "Ben", 1, 1, false), new Candidate("cy", "Cy", 5, 3, false) };

        var choice = AssignmentPlanner.Next(DirectoryRules.AutoAssignRoundRobin, [Item("h1")], members, "ana");

        Assert.Equal("cy", choice!.Member.Id);
        Assert.Equal("auto-assigned, round-robin 4/5", choice.Why);
    }

    [Fact]
    public void Next_LeastLoadedTie_RotatesAfterTheLastAssigned()
    {
        var members = new[] { new Candidate("ana", "Ana", 5, 1, false), new Candidate("ben", "Ben", 5, 1, false) };

        Assert.Equal("ben", AssignmentPlanner.Next(DirectoryRules.AutoAssignLeastLoaded, [Item("h1")], members, "ana")!.Member.Id);
        Assert.Equal("ana", AssignmentPlanner.Next(DirectoryRules.AutoAssignLeastLoaded, [Item("h1")], members, "ben")!.Member.Id);
    }

    [Fact]
    public void Next_ModeOffOrNothingWaiting_Null()
    {
        var members = new[] { new Candidate("ana", "Ana", 5, 0, false) };

        Assert.Null(AssignmentPlanner.Next(DirectoryRules.AutoAssignOff, [Item("h1")], members, null));
        Assert.Null(AssignmentPlanner.Next(DirectoryRules.AutoAssignLeastLoaded, [], members, null));
    }

    private static WaitingItem Item(string id) => new(id, 1, "P2", T0.AddHours(1), T0);
}
