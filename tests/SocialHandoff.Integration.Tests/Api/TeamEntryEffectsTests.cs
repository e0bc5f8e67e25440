using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// A team's directory entry at work, on Azurite: its default policy and calendar time its next handoff
/// (saved through the API, no redeploy), the SLA preview and the rules' try box say the same, and its
/// notification targets receive its SLA notices on a loopback webhook, else its configured webhooks do.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TeamEntryEffectsTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private const string Refund = "I was double charged for my subscription and still wait for the refund";
    private const string SecondRefund = "Where is the refund for the broken kettle I returned last month?";

    private readonly WebhookServer _webhooks = new();

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _webhooks.Dispose();

    [Fact]
    public async Task HandOff_TeamDefaultPolicyAndCalendarSavedByPut_NextHandoffUsesThemAndSaysWhy()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var before = await api.HandOffAsync("t1", Refund);

        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/teams/billing",
            """{"displayName":"Billing","defaultPolicy":"crisis-24x7","calendar":"24x7","autoAssign":"off","members":[{"id":"cy","role":"agent","capacity":5}]}""");
        var after = await api.HandOffAsync("t2", SecondRefund);
        var first = (await api.GetAsync("mia", $"api/handoffs/{before}")).Body!["sla"]!;
        var second = (await api.GetAsync("mia", $"api/handoffs/{after}")).Body!["sla"]!;

        Assert.Equal(200, saved.Status);
        Assert.NotEqual("crisis-24x7", (string?)first["policy"]);
        Assert.Contains((string?)first["policySource"], new[] { SlaPolicySources.Priority, SlaPolicySources.Default });
        Assert.Equal(SlaPolicySources.CalendarOfPolicy, (string?)first["calendarSource"]);
        Assert.Equal("crisis-24x7", (string?)second["policy"]);
        Assert.Equal(SlaPolicySources.TeamDefault, (string?)second["policySource"]);
        Assert.Equal("24x7", (string?)second["calendar"]);
        Assert.Equal(SlaPolicySources.CalendarOfTeam, (string?)second["calendarSource"]);
    }

    [Fact]
    public async Task Reassign_ToATeamWithADefaultPolicyAndCalendar_TimedByThemFromNow()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.SendAsync("mia", HttpMethod.Put, "api/teams/billing",
            """{"defaultPolicy":"crisis-24x7","calendar":"24x7","autoAssign":"off","members":[{"id":"cy","role":"agent","capacity":5}]}""");
        var id = await api.HandOffAsync("t4", "@contoso is the new autumn menu vegetarian friendly?");

        var moved = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"team":"billing"}""");
        var sla = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["sla"]!;

        Assert.Equal(200, moved.Status);
        Assert.Equal("crisis-24x7", (string?)sla["policy"]);
        Assert.Equal(SlaPolicySources.TeamDefault, (string?)sla["policySource"]);
        Assert.Equal("24x7", (string?)sla["calendar"]);
        Assert.Equal(SlaPolicySources.CalendarOfTeam, (string?)sla["calendarSource"]);
    }

    [Fact]
    public async Task PreviewAndTry_TeamWithDefaultPolicyAndCalendar_ShowWhatTheNextHandoffGets()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.SendAsync("mia", HttpMethod.Put, "api/teams/billing",
            """{"defaultPolicy":"crisis-24x7","calendar":"24x7","autoAssign":"off","members":[{"id":"cy","role":"agent","capacity":5}]}""");
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!.ToJsonString();

        var preview = await api.PostAsync("mia", "api/sla-policies/preview?team=billing&priority=P2", document);
        var tried = await api.PostAsync("mia", "api/rules/try", $$"""{"text":"{{Refund}}"}""");
        var handoff = await api.HandOffAsync("t3", Refund);
        var timed = (await api.GetAsync("mia", $"api/handoffs/{handoff}")).Body!["sla"]!;

        Assert.Equal(200, preview.Status);
        var current = preview.Body!["sample"]!["current"]!;
        Assert.Equal("crisis-24x7", (string?)current["policy"]);
        Assert.Equal(SlaPolicySources.TeamDefault, (string?)current["policySource"]);
        Assert.Equal("24x7", (string?)current["calendar"]);
        Assert.Equal(SlaPolicySources.CalendarOfTeam, (string?)current["calendarSource"]);

        // crisis-24x7: 10 minutes on the 24/7 calendar from Monday 09:30.
        Assert.Equal(Harness.Start.AddMinutes(10), (DateTimeOffset)current["firstResponseDueAt"]!);
        Assert.Equal(200, tried.Status);
        Assert.Equal("billing", (string?)tried.Body!["team"]);
        Assert.Equal("crisis-24x7", (string?)tried.Body!["slaPolicy"]);
        Assert.Equal(SlaPolicySources.TeamDefault, (string?)tried.Body!["slaPolicySource"]);
        Assert.Equal((string?)tried.Body!["slaPolicy"], (string?)timed["policy"]);
    }

    [Fact]
    public async Task HandOff_TeamDefaultPolicyDroppedFromTheSet_NextTierAppliesAndSaysSo()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.SendAsync("mia", HttpMethod.Put, "api/teams/billing",
            """{"defaultPolicy":"p3-office","autoAssign":"off","members":[{"id":"cy","role":"agent","capacity":5}]}""");
        var get = await api.GetAsync("mia", "api/sla-policies");
        var document = get.Body!["document"]!;
        var policies = document["policies"]!.AsArray();
        policies.Remove(policies.First(p => (string?)p!["name"] == "p3-office"));

        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", document.ToJsonString(), ifMatch: get.Response.Headers.ETag?.ToString());
        var id = await api.HandOffAsync("t5", Refund);
        var sla = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["sla"]!;

        // The team's default names a policy the set no longer has: skipped, never a 500; the detail says what applied instead.
        Assert.Equal(200, saved.Status);
        Assert.NotEqual("p3-office", (string?)sla["policy"]);
        Assert.Contains((string?)sla["policySource"], new[] { SlaPolicySources.Priority, SlaPolicySources.Default });
    }

    [Fact]
    public async Task PutTeam_TargetItAlreadyHasButNotConfigured_KeptWhileANewUnknownOneIs400()
    {
        // Regression: crisis was seeded with crisis-teams, which this host does not configure; saving crisis for any other change was refused.
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var kept = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis",
            """{"notify":["crisis-teams"],"autoAssign":"least-loaded","members":[{"id":"kai","role":"lead","capacity":8}]}""");
        var added = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis",
            """{"notify":["crisis-teams","crisis-pager"],"autoAssign":"least-loaded","members":[{"id":"kai","role":"lead","capacity":8}]}""");

        Assert.Equal(200, kept.Status);
        Assert.Equal(400, added.Status);
        Assert.Contains("'crisis-pager' is not a configured notification target", Texts(added.Body!["errors"]!["notify[1]"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlaSweep_TeamWithNotifyTargets_NoticesGoThereElseToTheTeamsConfiguredWebhooks()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sla:Webhooks:MaxRetryAttempts"] = "0",
            ["Sla:Notifications:care-desk:Kind"] = "Slack",
            ["Sla:Notifications:care-desk:Url"] = _webhooks.Url("slack/care-desk").ToString(),
            ["Sla:Teams:care:Webhooks:0:Kind"] = "Teams",
            ["Sla:Teams:care:Webhooks:0:Url"] = _webhooks.Url("teams/care").ToString(),
            ["Sla:Teams:billing:Webhooks:0:Kind"] = "Teams",
            ["Sla:Teams:billing:Webhooks:0:Url"] = _webhooks.Url("teams/billing").ToString(),
        };
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, settings);
        var unknown = await api.SendAsync("mia", HttpMethod.Put, "api/teams/care",
            """{"notify":["care-dsk"],"autoAssign":"off","members":[{"id":"ana","role":"agent","capacity":5}]}""");
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/teams/care",
            """{"notify":["care-desk"],"autoAssign":"off","members":[{"id":"ana","role":"agent","capacity":5}]}""");
        await api.HandOffAsync("n1", "@contoso is the new autumn menu vegetarian friendly?");
        await api.HandOffAsync("n2", Refund);
        await api.HandOffAsync("n3", "My kid got food poisoning after eating your burger yesterday");

        var swept = await api.Harness.Services.GetRequiredService<SlaSweepStage>().RunAsync(Harness.Start.AddDays(10), CancellationToken.None);

        Assert.Equal(400, unknown.Status);
        Assert.Contains("did you mean 'care-desk'?", unknown.Body!["errors"]!["notify[0]"]![0]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(200, saved.Status);
        Assert.True(_webhooks.Count("slack/care-desk") > 0, "care names care-desk: its notices go there");
        Assert.Equal(0, _webhooks.Count("teams/care"));
        Assert.True(_webhooks.Count("teams/billing") > 0, "billing names no targets: its configured webhook gets its notices");
        Assert.Equal(_webhooks.Count("slack/care-desk") + _webhooks.Count("teams/billing"), swept.Sent);

        // crisis names crisis-teams (configuration seeded it), which is not configured here, and has no webhooks: on record, nothing sent.
        var rows = await api.Harness.RowsAsync(StorageNames.NotificationsTable);
        var crisis = rows.Where(r => r.GetString("Team") == "crisis").ToList();
        Assert.NotEmpty(crisis);
        Assert.All(crisis, r => Assert.Equal("NoTarget", r.GetString("State")));
        Assert.Contains("Sla:Notifications:crisis-teams:Url", crisis[0].GetString("Detail"), StringComparison.Ordinal);
        Assert.All(rows.Where(r => r.GetString("Team") == "care"), r => Assert.Equal(("n-care-desk", "care-desk"), (r.RowKey, r.GetString("TargetName"))));
    }

    private static string Texts(System.Text.Json.Nodes.JsonNode? messages) => string.Join(" ", messages!.AsArray().Select(m => (string?)m));
}
