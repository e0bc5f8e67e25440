using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Tests.Teams;

public sealed class TeamDirectoryTests
{
    [Fact]
    public void Validate_MembersWithoutIdTwiceOrBadTeam_FailsNamingTheSetting()
    {
        var options = new TeamsOptions();
        options.Teams["care"] = new TeamSettings { Members = [new TeamMember { Id = "a1" }, new TeamMember { Id = "A1" }, new TeamMember { Id = " " }] };
        options.Teams["Bad Team"] = new TeamSettings();

        var result = new TeamsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Teams:care:Members:1:Id 'A1' is listed twice", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Teams:care:Members:2:Id is required", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Teams:Bad Team is not a valid team name", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ConfiguredMembers_Succeeds()
    {
        var options = new TeamsOptions();
        options.Teams["care"] = new TeamSettings { Members = [new TeamMember { Id = "6f1c9a2e-0000-4000-8000-00000000d4a4", Name = "Dana" }] };

        Assert.True(new TeamsOptionsValidator().Validate(null, options).Succeeded);
    }
}
