using Microsoft.Extensions.Options;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Core.Tests.Incidents;

public sealed class IncidentRulesTests
{
    private static readonly DateTimeOffset Posted = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_BeyondTheListLimit_CountAndReachExactListBounded()
    {
        var options = new IncidentOptions { MaxMembersListed = 3, SurgeCount = 100 };
        var incident = New();
        for (var i = 1; i < 50; i++)
        {
            incident = IncidentRules.Add(incident, Member(i, Posted.AddMinutes(i)), 100, options).Updated;
        }

        Assert.Equal(50, incident.Count);
        Assert.Equal(10 + (49 * 100), incident.Reach);
        Assert.Equal(["x:0", "x:1", "x:2"], incident.Members.Select(m => m.MentionKey));
        Assert.Equal(Posted.AddMinutes(49), incident.LastPostedAt);
    }

    [Fact]
    public void Add_SurgeCountWithinSurgeWindow_SurgesOnceWithTheReason()
    {
        var options = new IncidentOptions { SurgeCount = 5, SurgeWindow = TimeSpan.FromMinutes(30) };
        var incident = New();
        var surges = 0;
        for (var i = 1; i < 12; i++)
        {
            (incident, var surged) = IncidentRules.Add(incident, Member(i, Posted.AddMinutes(i * 5)), null, options);
            surges += surged ? 1 : 0;
        }

        Assert.Equal(1, surges);
        Assert.Equal(Posted.AddMinutes(20), incident.Surge!.At);
        Assert.Contains("5 copies within 20 min", incident.Surge.Reason, StringComparison.Ordinal);
        Assert.False(incident.Surge.Applied);
        Assert.Equal(12, incident.RecentPostedAt.Count);
    }

    [Fact]
    public void Add_CopiesSpreadWiderThanSurgeWindow_NoSurge()
    {
        var options = new IncidentOptions { SurgeCount = 5, SurgeWindow = TimeSpan.FromMinutes(30) };
        var incident = New();
        for (var i = 1; i < 20; i++)
        {
            var (updated, surged) = IncidentRules.Add(incident, Member(i, Posted.AddMinutes(i * 10)), null, options);
            Assert.False(surged);
            incident = updated;
        }

        Assert.Null(incident.Surge);
    }

    [Fact]
    public void Add_CopiesArrivingOutOfOrder_SurgeJudgedByPostingTime()
    {
        var options = new IncidentOptions { SurgeCount = 3, SurgeWindow = TimeSpan.FromMinutes(10) };
        var incident = New();
        incident = IncidentRules.Add(incident, Member(1, Posted.AddHours(2)), null, options).Updated;
        incident = IncidentRules.Add(incident, Member(2, Posted.AddMinutes(3)), null, options).Updated;
        var (after, surged) = IncidentRules.Add(incident, Member(3, Posted.AddMinutes(6)), null, options);

        Assert.True(surged);
        Assert.Equal(Posted.AddMinutes(6), after.Surge!.At);
    }

    [Theory]
    [InlineData("P4", "P3")]
    [InlineData("P3", "P2")]
    [InlineData("P2", "P1")]
    [InlineData("P1", "P1")]
    public void OneStepUp_EachPriority_OneStepAndNeverDown(string from, string to)
    {
        Assert.Equal(to, IncidentRules.OneStepUp(from));
    }

    [Theory]
    [InlineData(-25, false)]
    [InlineData(-23, true)]
    [InlineData(0, true)]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public void InWindow_PostedRelativeToTheIncidentsSpan_WithinTheWindowOfFirstAndLast(int hours, bool expected)
    {
        var incident = New() with { LastPostedAt = Posted.AddHours(6) };

        Assert.Equal(expected, IncidentRules.InWindow(incident, Posted.AddHours(hours), TimeSpan.FromHours(24)));
    }

    [Theory]
    [InlineData("SimilarityThreshold", "0.1")]
    [InlineData("Window", "00:00:10")]
    [InlineData("MinTextChars", "2")]
    [InlineData("MaxMembersListed", "51")]
    [InlineData("SurgeCount", "1")]
    [InlineData("SurgeWindow", "2.00:00:00")]
    public void Validate_OutOfRange_FailsNamingTheSetting(string setting, string value)
    {
        var options = new IncidentOptions();
        var property = typeof(IncidentOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var result = new IncidentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Incidents:{setting}", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.Equal(ValidateOptionsResult.Success, new IncidentOptionsValidator().Validate(null, new IncidentOptions()));
        Assert.True(new IncidentOptions().ExcludedTierSet().SetEquals(["request", "praise", "other"]));
    }

    [Fact]
    public void Succeed_LeaderEnded_SuccessorsIdWithoutTheLeadersCountReachListingOrPostingTime()
    {
        var options = new IncidentOptions { SurgeCount = 3, SurgeWindow = TimeSpan.FromHours(1) };
        var incident = New();
        for (var i = 1; i <= 3; i++)
        {
            incident = IncidentRules.Add(incident, Member(i, Posted.AddMinutes(i)), 100, options).Updated;
        }

        var leader = new MentionMessage(
            1, "c", "x", "0", new MentionAuthor("a", "user0", "User", 10, false), "charged twice", "en", new MentionMetrics(0, 0, 0, 0), null, Posted, "northwind");

        var next = IncidentRules.Succeed(incident, "h-2", [Posted.AddMinutes(1), Posted.AddMinutes(2), Posted.AddMinutes(3)], leader);

        Assert.Equal(("h-2", 3, 300L), (next.Id, next.Count, next.Reach));
        Assert.Equal(["x:1", "x:2", "x:3"], next.Members.Select(m => m.MentionKey));
        Assert.Equal((Posted.AddMinutes(1), Posted.AddMinutes(3)), (next.FirstPostedAt, next.LastPostedAt));
        Assert.Equal([Posted.AddMinutes(1), Posted.AddMinutes(2), Posted.AddMinutes(3)], next.RecentPostedAt);
        Assert.Equal(incident.Surge, next.Surge);
        Assert.Equal(incident.Representative, next.Representative);
    }

    private static Incident New() => new("h-1", "northwind", 1, 10, [Member(0, Posted)], Posted, Posted, [Posted], null, "charged twice");

    private static IncidentMember Member(int i, DateTimeOffset posted) => new($"x:{i}", $"user{i}", $"https://x.com/u/{i}", posted);
}
