using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Sla.Notifications;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class NotificationTargetsTests
{
    private static SlaOptions Options()
    {
        var options = new SlaOptions();
        options.Notifications["crisis-teams"] = new WebhookSettings { Kind = WebhookKind.Teams, Url = new Uri("https://hooks.example/crisis") };
        options.Notifications["#care"] = new WebhookSettings { Kind = WebhookKind.Slack, Url = new Uri("https://hooks.example/care") };
        options.Teams["care"] = new SlaTeamOptions { Webhooks = [new WebhookSettings { Url = new Uri("https://hooks.example/care-config") }] };
        return options;
    }

    [Fact]
    public void For_TeamNamesTargets_OnlyThoseByNameConfiguredWebhooksNotUsed()
    {
        var targets = NotificationTargets.For("care", ["#CARE", "crisis-teams", "#care"], Options());

        Assert.Equal(["n-%23care", "n-crisis-teams"], targets.Select(t => t.RowKey));
        Assert.Equal(new WebhookTarget(WebhookKind.Slack, new Uri("https://hooks.example/care")), targets[0].Webhook);
        Assert.Equal(WebhookKind.Teams, targets[1].Webhook.Kind);
    }

    [Theory]
    [InlineData("care", 1)]
    [InlineData("crisis", 0)]
    public void For_TeamNamesOnlyTargetsNotConfigured_ItsConfiguredWebhooksStillGetIt(string team, int expected)
    {
        var options = Options();

        var targets = NotificationTargets.For(team, ["crisis-pager"], options);

        Assert.Equal(expected, targets.Count);
        Assert.All(targets, t => Assert.Equal(new Uri("https://hooks.example/care-config"), t.Webhook.Url));
        Assert.Equal(["crisis-pager"], NotificationTargets.Unconfigured(["crisis-pager", "crisis-teams"], options));
    }

    [Fact]
    public void For_TeamNamesAConfiguredAndAnUnconfiguredTarget_OnlyTheConfiguredOne()
    {
        var target = Assert.Single(NotificationTargets.For("care", ["crisis-pager", "crisis-teams"], Options()));

        Assert.Equal("crisis-teams", target.Name);
    }

    [Fact]
    public void For_TeamNamesNoTargets_ItsConfiguredWebhooksByIndexElseNothing()
    {
        var care = Assert.Single(NotificationTargets.For("care", [], Options()));
        var billing = NotificationTargets.For("billing", [], Options());

        Assert.Equal("0", care.RowKey);
        Assert.Equal(new Uri("https://hooks.example/care-config"), care.Webhook.Url);
        Assert.Empty(billing);
    }
}
