using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// The work API through the local runner's HTTP host on Azurite, as the dashboard and integrations
/// call it. Identities are the local runner's development identities: ana and ben (agents of care),
/// cy (billing and logistics), mia (manager).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WorkApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string CareText = "@contoso is the new autumn menu vegetarian friendly?";
    private const string Complaint = "@contoso the app is broken again and I still can't log in, waiting for days!!";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Claim_TwoAgentsAtOnce_ExactlyOneWinsAndTheOtherIsToldWhoHoldsIt()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("c1", CareText);
        var etag = (await api.GetAsync("ana", $"api/handoffs/{id}")).Body!["etag"]!.GetValue<string>();

        var results = await Task.WhenAll(
            api.PostAsync("ana", $"api/handoffs/{id}/claim", ifMatch: etag),
            api.PostAsync("ben", $"api/handoffs/{id}/claim", ifMatch: etag));

        var winner = Assert.Single(results, r => r.Status == 200);
        var loser = Assert.Single(results, r => r.Status != 200);
        Assert.Contains(loser.Status, new[] { 409, 412 });
        Assert.Equal("application/problem+json", loser.Response.Content.Headers.ContentType?.MediaType);
        var holder = winner.Body!["assignee"]!.GetValue<string>();
        Assert.Equal(holder, loser.Body!["holder"]!.GetValue<string>());
        var claims = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["events"]!.AsArray().Count(e => (string?)e!["type"] == "Claimed");
        Assert.Equal(1, claims);

        // Without If-Match the second agent still cannot take it: 409 naming the holder.
        var other = holder == "ana" ? "ben" : "ana";
        var again = await api.PostAsync(other, $"api/handoffs/{id}/claim");
        Assert.Equal(409, again.Status);
        Assert.Equal(holder, again.Body!["holder"]!.GetValue<string>());
    }

    [Fact]
    public async Task Claim_TenRacesWithoutIfMatch_EachHasOneWinnerAndOneClaimedEvent()
    {
        // Without If-Match both requests pass the revision check, so only the storage ETag decides.
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        for (var i = 0; i < 10; i++)
        {
            var id = await api.HandOffAsync($"race{i}", CareText);

            var results = await Task.WhenAll(api.PostAsync("ana", $"api/handoffs/{id}/claim"), api.PostAsync("ben", $"api/handoffs/{id}/claim"));

            var winner = Assert.Single(results, r => r.Status == 200);
            var loser = Assert.Single(results, r => r.Status == 409);
            Assert.Equal((string?)winner.Body!["assignee"], (string?)loser.Body!["holder"]);
            Assert.Single((await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["events"]!.AsArray(), e => (string?)e!["type"] == "Claimed");
        }
    }

    [Fact]
    public async Task Actions_WholeLifecycle_EachIsOneAuditEventWithWhoWhenBeforeAndAfter()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("l1", Complaint);
        var path = $"api/handoffs/{id}";

        Assert.Equal(200, (await api.PostAsync("ana", $"{path}/claim")).Status);
        Assert.Equal(200, (await api.PostAsync("ana", $"{path}/notes", """{"text":"Checked the order: two charges."}""")).Status);
        api.Harness.Clock.Advance(TimeSpan.FromMinutes(7));
        var responded = await api.PostAsync("ana", $"{path}/respond", """{"reply":"Sorry! We have refunded the second charge."}""");
        Assert.Equal(200, responded.Status);
        Assert.Equal("stopped", (string?)responded.Body!["sla"]!["firstResponse"]!["state"]);
        Assert.Equal("met", (string?)responded.Body!["sla"]!["firstResponse"]!["standing"]);
        Assert.Null(responded.Body!["firstResponseDueAt"]);
        Assert.Equal(200, (await api.PostAsync("ana", $"{path}/pause")).Status);
        var waiting = (await api.GetAsync("ana", path)).Body!;
        Assert.True((bool)waiting["waiting"]!);
        Assert.Equal("paused", (string?)waiting["resolutionClock"]);
        Assert.Equal("stopped", (string?)waiting["firstResponseClock"]);
        Assert.Null(waiting["resolutionDueAt"]);
        Assert.Equal(200, (await api.PostAsync("ana", $"{path}/resume")).Status);
        Assert.Equal(200, (await api.PostAsync("ana", $"{path}/reassign", """{"assignee":"ben"}""")).Status);
        Assert.Equal(200, (await api.PostAsync("ben", $"{path}/release")).Status);
        var resolved = await api.PostAsync("ben", $"{path}/resolve", """{"note":"Customer confirmed."}""");

        Assert.Equal(200, resolved.Status);
        Assert.Equal("\"r8\"", resolved.Response.Headers.ETag?.Tag);
        var events = resolved.Body!["events"]!.AsArray().Select(e => e!).ToList();
        Assert.Equal(
            ["Created", "Claimed", "Noted", "Responded", "Paused", "Resumed", "Reassigned", "Released", "Resolved"],
            events.Select(e => (string)e["type"]!));
        var reassigned = events.Single(e => (string?)e["type"] == "Reassigned");
        Assert.Equal("ana", (string?)reassigned["actor"]);
        Assert.Equal("ana", (string?)reassigned["before"]!["assignee"]);
        Assert.Equal("ben", (string?)reassigned["after"]!["assignee"]);
        Assert.Equal(Harness.Start.AddMinutes(7), DateTimeOffset.Parse((string)events.Single(e => (string?)e["type"] == "Responded")["at"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Customer confirmed.", (string?)events[^1]["text"]);
        Assert.Equal("Resolved", (string?)resolved.Body!["status"]);
        Assert.Equal("Sorry! We have refunded the second charge.", (string?)resolved.Body!["firstResponse"]!["reply"]);

        // A resolved item takes notes and nothing else.
        Assert.Equal(409, (await api.PostAsync("ben", $"{path}/claim")).Status);
        Assert.Equal(409, (await api.PostAsync("ben", $"{path}/resolve")).Status);
        Assert.Equal(200, (await api.PostAsync("ben", $"{path}/notes", """{"text":"Follow-up sent."}""")).Status);
    }

    [Fact]
    public async Task Refusals_EachRule_ForbiddenWithProblemJson()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("r1", CareText);

        // cy is an agent of billing and logistics, not care.
        Assert.Equal(403, (await api.GetAsync("cy", "api/teams/care/handoffs")).Status);
        Assert.Equal(403, (await api.GetAsync("cy", $"api/handoffs/{id}")).Status);
        Assert.Equal(403, (await api.PostAsync("cy", $"api/handoffs/{id}/claim")).Status);
        Assert.False((bool)(await api.GetAsync("cy", "api/teams")).Body!.AsArray().Single(t => (string?)t!["name"] == "care")!["canWork"]!);

        // Only managers see SLA reports and change rules or policies.
        Assert.Equal(403, (await api.GetAsync("ana", "api/sla/summary")).Status);
        Assert.Equal(403, (await api.GetAsync("ana", "api/sla/breaches.csv")).Status);
        var rules = (await api.GetAsync("ana", "api/rules")).Body!["document"]!.ToJsonString();
        Assert.Equal(403, (await api.SendAsync("ana", HttpMethod.Put, "api/rules", rules)).Status);
        Assert.Equal(403, (await api.PostAsync("ana", "api/rules/validate", rules)).Status);
        Assert.Equal(403, (await api.PostAsync("ana", "api/rules/dry-run", rules)).Status);
        var sla = (await api.GetAsync("ana", "api/sla-policies")).Body!["document"]!.ToJsonString();
        Assert.Equal(403, (await api.SendAsync("ana", HttpMethod.Put, "api/sla-policies", sla)).Status);

        // Another agent's claim: ben cannot release or resolve it; a manager can release it.
        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/claim")).Status);
        var release = await api.PostAsync("ben", $"api/handoffs/{id}/release");
        Assert.Equal(403, release.Status);
        Assert.Equal("ana", (string?)release.Body!["holder"]);
        Assert.Equal(409, (await api.PostAsync("ben", $"api/handoffs/{id}/resolve")).Status);
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/release")).Status);

        // An identity that is not configured is not signed in.
        Assert.Equal(401, (await api.GetAsync("mallory", "api/me")).Status);
    }

    [Fact]
    public async Task SignIn_NoDevIdentities_OnlyTheAppServicePrincipalHeaderCounts()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Api:DevIdentities"] = "" });
        var id = await api.HandOffAsync("s1", CareText);

        var anonymous = await api.SendAsync("", HttpMethod.Get, "api/me");
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(401, (await api.SendAsync("ana", HttpMethod.Get, "api/me")).Status);
        Assert.Equal(401, (await api.SendAsync("", HttpMethod.Get, "api/me", principalHeader: "not base64!")).Status);

        var agent = ClientPrincipal.Encode(new Caller("dana@contoso.com", ["agent.care"]));
        var me = await api.SendAsync("", HttpMethod.Get, "api/me", principalHeader: agent);
        Assert.Equal(200, me.Status);
        Assert.Equal("dana@contoso.com", (string?)me.Body!["name"]);
        Assert.Equal(["care"], me.Body!["teams"]!.AsArray().Select(t => (string?)t));
        Assert.Null(me.Body!["devIdentities"]);
        var claimed = await api.SendAsync("", HttpMethod.Post, $"api/handoffs/{id}/claim", "{}", principalHeader: agent);
        Assert.Equal("dana@contoso.com", (string?)claimed.Body!["assignee"]);
        var billing = ClientPrincipal.Encode(new Caller("eve@contoso.com", ["agent.billing"]));
        Assert.Equal(403, (await api.SendAsync("", HttpMethod.Get, $"api/handoffs/{id}", principalHeader: billing)).Status);

        // Health is the one anonymous route.
        var health = await api.SendAsync("", HttpMethod.Get, "api/health");
        Assert.Equal(200, health.Status);
        Assert.Equal("ok", (string?)health.Body!["storage"]!["status"]);
    }

    [Theory]
    [InlineData("respond", "{}", "reply")]
    [InlineData("respond", """{"reply":"   "}""", "reply")]
    [InlineData("respond", """{"reply":42}""", "reply")]
    [InlineData("respond", """{"reply":"hi" """, "body")]
    [InlineData("notes", """{"text":""}""", "text")]
    [InlineData("reassign", "{}", "assignee")]
    [InlineData("reassign", """{"team":"nowhere"}""", "team")]
    [InlineData("claim", "[1,2]", "body")]
    [InlineData("resolve", """{"text":"a note in the wrong field"}""", "text")]
    [InlineData("claim", """{"reply":"hi"}""", "reply")]
    [InlineData("respond", """{"reply":"hi","colour":"red"}""", "colour")]
    public async Task Actions_BadBody_400ProblemNamingTheField(string action, string body, string field)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("b1", CareText);

        var result = await api.PostAsync("ana", $"api/handoffs/{id}/{action}", body);

        Assert.Equal(400, result.Status);
        Assert.Equal("application/problem+json", result.Response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(result.Body!["errors"]![field]);
        Assert.Single((await api.GetAsync("ana", $"api/handoffs/{id}")).Body!["events"]!.AsArray());
    }

    [Fact]
    public async Task Requests_BadQueryHeaderOrUnknownIds_ClearProblems()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("q1", CareText);

        var query = await api.GetAsync("ana", "api/teams/care/handoffs?status=lost&pageSize=0&priority=P9&sla=late");
        Assert.Equal(400, query.Status);
        Assert.Equal(["pageSize", "priority", "sla", "status"], query.Body!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.NotNull((await api.PostAsync("ana", $"api/handoffs/{id}/claim", ifMatch: "yesterday")).Body!["errors"]!["If-Match"]);
        Assert.NotNull((await api.GetAsync("mia", "api/sla/summary?from=2026-13-01")).Body!["errors"]!["from"]);

        Assert.Equal(404, (await api.GetAsync("ana", "api/handoffs/h-00000000000000000000000000000000")).Status);
        Assert.Equal(404, (await api.GetAsync("ana", "api/handoffs/not-an-id")).Status);
        Assert.Equal(404, (await api.PostAsync("ana", "api/handoffs/h-00000000000000000000000000000000/claim")).Status);
        Assert.Equal(404, (await api.PostAsync("ana", $"api/handoffs/{id}/teleport")).Status);
        Assert.Equal(404, (await api.GetAsync("ana", "api/nothing-here")).Status);
        Assert.Equal(405, (await api.SendAsync("ana", HttpMethod.Delete, $"api/handoffs/{id}")).Status);

        // A cross-site form can only send text/plain or form bodies: refused before anything is read.
        var form = await api.SendRawAsync("ana", HttpMethod.Post, $"api/handoffs/{id}/claim", "{}", "text/plain");
        Assert.Equal(415, form.Status);
        Assert.Single((await api.GetAsync("ana", $"api/handoffs/{id}")).Body!["events"]!.AsArray());

        // Nulls where a rules document needs objects or lists name the place, never a 500.
        foreach (var (body, field) in new[] { ("""{"rules":null}""", "rules"), ("""{"rules":[null]}""", "rules[0]"), ("""{"rules":[{"name":"a","when":null}]}""", "rules[0].when") })
        {
            var validation = await api.PostAsync("mia", "api/rules/validate", body);
            Assert.Equal(400, validation.Status);
            Assert.True(validation.Body!["errors"]![field] is not null, $"{body}: {validation.Body.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Queue_P4MoreUrgentThanP3_SortedByPriorityThenEarliestDue()
    {
        // Regression: the queue was sorted by urgency, so a P4 could sit above a P3.
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var store = api.Harness.Services.GetRequiredService<HandoffStore>();
        async Task<string> SeedAsync(string key, string priority, int urgency, TimeSpan due)
        {
            var id = HandoffIds.For(key);
            var created = await store.CreateAsync(
                new NewHandoff(id, key, "c-" + key, "care", "default", priority, urgency, "Negative", -0.5, [], "text " + key, "en", null, null, null,
                    Harness.Start, Harness.Start, Harness.Start + due, Harness.Start + due + TimeSpan.FromHours(8)),
                CancellationToken.None);
            await store.SendToTeamAsync(created, CancellationToken.None);
            return id;
        }

        var p4Loud = await SeedAsync("test:p4-loud", "P4", 95, TimeSpan.FromMinutes(10));
        var p3Late = await SeedAsync("test:p3-late", "P3", 20, TimeSpan.FromHours(6));
        var p3Soon = await SeedAsync("test:p3-soon", "P3", 10, TimeSpan.FromHours(1));
        var p1 = await SeedAsync("test:p1", "P1", 30, TimeSpan.FromHours(2));

        var page = (await api.GetAsync("ana", "api/teams/care/handoffs")).Body!;

        Assert.Equal([p1, p3Soon, p3Late, p4Loud], page["items"]!.AsArray().Select(i => (string?)i!["id"]));
        Assert.Equal(4, (int)page["total"]!);
        Assert.Equal([p3Soon, p3Late], (await api.GetAsync("ana", "api/teams/care/handoffs?priority=P3")).Body!["items"]!.AsArray().Select(i => (string?)i!["id"]));
        var second = (await api.GetAsync("ana", "api/teams/care/handoffs?pageSize=3&page=2")).Body!;
        Assert.Equal([p4Loud], second["items"]!.AsArray().Select(i => (string?)i!["id"]));
        Assert.Equal(4, (int)second["total"]!);
    }

    [Fact]
    public async Task Queue_FiltersAndPaging_PriorityThenDueEachFilterApplies()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var quiet = await api.HandOffAsync("f1", CareText);
        var loud = await api.HandOffAsync("f2", "@contoso your app is broken, I can't log in and nobody answers. Help!!", followers: 250_000);
        var third = await api.HandOffAsync("f3", "@contoso do you deliver on sundays?");
        await api.PostAsync("ben", $"api/handoffs/{third}/claim");

        foreach (var h in new[] { quiet, loud, third })
        {
            var body = (await api.GetAsync("mia", $"api/handoffs/{h}")).Body!;
            Assert.True((string?)body["team"] == "care", $"{h}: {body["team"]} {body["rule"]} {body["text"]}");
        }

        var all = (await api.GetAsync("ana", "api/teams/care/handoffs")).Body!;
        var order = all["items"]!.AsArray().Select(i => ((string)i!["priority"]!, NextDue(i))).ToList();
        Assert.Equal(3, (int)all["total"]!);
        Assert.Equal(order.OrderBy(o => o.Item1, StringComparer.Ordinal).ThenBy(o => o.Item2), order);

        var page2 = (await api.GetAsync("ana", "api/teams/care/handoffs?pageSize=2&page=2")).Body!;
        Assert.Single(page2["items"]!.AsArray());
        Assert.Equal(3, (int)page2["total"]!);
        Assert.Equal([third], (await api.GetAsync("ana", "api/teams/care/handoffs?assignee=ben")).Body!["items"]!.AsArray().Select(i => (string?)i!["id"]));
        Assert.Equal([third], (await api.GetAsync("ben", "api/teams/care/handoffs?assignee=me")).Body!["items"]!.AsArray().Select(i => (string?)i!["id"]));
        Assert.Equal(2, (await api.GetAsync("ana", "api/teams/care/handoffs?status=unclaimed")).Body!["items"]!.AsArray().Count);
        Assert.Empty((await api.GetAsync("ana", "api/teams/care/handoffs?source=x")).Body!["items"]!.AsArray());
        Assert.Equal(3, (await api.GetAsync("ana", "api/teams/care/handoffs?source=test")).Body!["items"]!.AsArray().Count);

        // After two silent weeks every first-response clock is breached (business hours count, so days are not enough).
        Assert.Empty((await api.GetAsync("ana", "api/teams/care/handoffs?sla=breached")).Body!["items"]!.AsArray());
        api.Harness.Clock.Advance(TimeSpan.FromDays(14));
        var breached = (await api.GetAsync("ana", "api/teams/care/handoffs?sla=breached")).Body!["items"]!.AsArray();
        Assert.Equal(3, breached.Count);
        Assert.Contains(breached, i => (string?)i!["id"] == quiet);
    }

    [Fact]
    public async Task Reassign_ToAnotherTeam_MovesItAndTellsTheNewTeamsQueue()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("m1", CareText);

        var moved = await api.PostAsync("ana", $"api/handoffs/{id}/reassign", """{"team":"billing","note":"About an invoice."}""");

        Assert.Equal(200, moved.Status);
        Assert.Equal("billing", (string?)moved.Body!["team"]);
        Assert.Equal("billing", (string?)moved.Body!["events"]!.AsArray()[^1]!["after"]!["team"]);
        Assert.Equal(1, await api.Harness.QueueLengthAsync(StorageNames.TeamQueue("billing")));
        Assert.Single((await api.GetAsync("cy", "api/teams/billing/handoffs")).Body!["items"]!.AsArray());
        Assert.Empty((await api.GetAsync("ana", "api/teams/care/handoffs")).Body!["items"]!.AsArray());
        Assert.Equal(403, (await api.PostAsync("ana", $"api/handoffs/{id}/claim")).Status);
    }

    [Fact]
    public async Task Get_ActionCrashedBeforeItsEventWasWritten_TheNextReadWritesIt()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("x1", CareText);
        await api.PostAsync("ana", $"api/handoffs/{id}/claim");
        var events = api.Harness.Table(StorageNames.HandoffsTable);
        var claimed = Assert.Single(events.Query<TableEntity>(e => e.PartitionKey == id), e => HandoffRow.IsEvent(e) && e.RowKey != HandoffStore.CreatedEventRowKey);

        // As if the process died after the handoff's update and before the event insert.
        await events.DeleteEntityAsync(claimed.PartitionKey, claimed.RowKey);
        await api.Harness.Table(StorageNames.HandoffsTable).UpdateEntityAsync(
            new TableEntity(id, HandoffStore.HandoffRowKey) { ["PendingEventApplied"] = false }, Azure.ETag.All, TableUpdateMode.Merge);

        var detail = await api.GetAsync("ben", $"api/handoffs/{id}");

        Assert.Contains(detail.Body!["events"]!.AsArray(), e => (string?)e!["type"] == "Claimed" && (string?)e["actor"] == "ana");
        Assert.Single(events.Query<TableEntity>(e => e.PartitionKey == id && e.RowKey == claimed.RowKey));
    }

    [Fact]
    public async Task SlaReports_AfterWork_SummaryListsAndCsvAgree()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var fast = await api.HandOffAsync("s1", CareText);
        var slow = await api.HandOffAsync("s2", "=HYPERLINK(\"http://evil\") @contoso the app keeps crashing, is it down again?");
        await api.HandOffAsync("s3", "@contoso where is my parcel?");
        api.Harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await api.PostAsync("ana", $"api/handoffs/{fast}/respond", """{"reply":"Yes it is!"}""");
        api.Harness.Clock.Advance(TimeSpan.FromDays(2));
        await api.PostAsync("ana", $"api/handoffs/{slow}/respond", """{"reply":"Sorry for the wait."}""");
        var day = Harness.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var summary = await api.GetAsync("mia", $"api/sla/summary?team=care&from={day}&to={day}");
        var row = Assert.Single(summary.Body!["rows"]!.AsArray())!;
        Assert.Equal(2, (int)row["received"]!);
        Assert.Equal(2, (int)row["firstResponded"]!);
        Assert.Equal(1, (int)row["firstResponseMet"]!);
        Assert.Equal(1, (int)row["firstResponseBreached"]!);
        Assert.Equal(0.5, (double)row["metRate"]!);

        var breaches = (await api.GetAsync("mia", $"api/sla/breaches?team=care&from={day}&to={day}")).Body!["items"]!.AsArray();
        Assert.Contains(breaches, b => (string?)b!["id"] == slow && (string?)b["clock"] == "firstResponse");
        Assert.DoesNotContain(breaches, b => (string?)b!["id"] == fast && (string?)b["clock"] == "firstResponse");
        var histogram = (await api.GetAsync("mia", $"api/sla/first-response?team=care&from={day}&to={day}")).Body!;
        Assert.Equal(2, histogram["buckets"]!.AsArray().Sum(b => (int)b!["count"]!));

        var csv = await api.TextAsync("mia", $"api/sla/breaches.csv?team=care&from={day}&to={day}");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,team,priority,clock,dueAt,minutesLate,assignee,status,text", lines[0]);
        Assert.Equal(breaches.Count, lines.Length - 1);
        Assert.Contains(lines, l => l.Contains("\"'=HYPERLINK(\"\"http://evil\"\") @contoso the app keeps crashing, is it down again?\"", StringComparison.Ordinal));
        Assert.StartsWith("team,day,received", await api.TextAsync("mia", $"api/sla/summary.csv?from={day}&to={day}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_ManagerValidatesDryRunsAndSaves_TheSecondSaveFromTheSameVersionGets412()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.HandOffAsync("d1", "@contoso my invoice is wrong, I was overcharged");
        var current = await api.GetAsync("mia", "api/rules");
        var etag = current.Response.Headers.ETag!.Tag;
        var document = current.Body!["document"]!.AsObject();

        var broken = JsonNode.Parse(document.ToJsonString())!;
        broken["rules"]![0]!["then"]!["team"] = "Not A Team";
        var validation = (await api.PostAsync("mia", "api/rules/validate", broken.ToJsonString())).Body!;
        Assert.False((bool)validation["valid"]!);
        Assert.Contains(validation["errors"]!.AsArray(), e => (int?)e!["rule"] == 1 && ((string?)e["field"])!.Contains("team", StringComparison.OrdinalIgnoreCase));
        var invalidSave = await api.SendAsync("mia", HttpMethod.Put, "api/rules", broken.ToJsonString(), etag);
        Assert.Equal(400, invalidSave.Status);
        Assert.Contains(invalidSave.Body!["errors"]!.AsObject(), e => e.Key.StartsWith("rules[1].", StringComparison.Ordinal));

        // Send billing words to care instead: the dry run reports the move and writes nothing.
        var proposal = JsonNode.Parse(document.ToJsonString())!;
        foreach (var rule in proposal["rules"]!.AsArray())
        {
            if ((string?)rule!["then"]!["team"] == "billing")
            {
                rule["enabled"] = false;
            }
        }

        var dryRun = await api.PostAsync("mia", "api/rules/dry-run?last=50", proposal.ToJsonString());
        Assert.Equal(200, dryRun.Status);
        Assert.Equal(1, (int)dryRun.Body!["evaluated"]!);
        Assert.Equal(1, (int)dryRun.Body!["moved"]!);
        Assert.Equal(etag, (await api.GetAsync("mia", "api/rules")).Response.Headers.ETag!.Tag);

        var saves = await Task.WhenAll(
            api.SendAsync("mia", HttpMethod.Put, "api/rules", proposal.ToJsonString(), etag),
            api.SendAsync("mia", HttpMethod.Put, "api/rules", document.ToJsonString(), etag));
        Assert.Single(saves, s => s.Status == 200);
        Assert.Single(saves, s => s.Status == 412);
        Assert.NotEqual(etag, (await api.GetAsync("ana", "api/rules")).Response.Headers.ETag!.Tag);
    }

    private static DateTimeOffset NextDue(JsonNode? item)
    {
        var first = (DateTimeOffset?)item!["firstResponseDueAt"];
        var resolution = (DateTimeOffset?)item["resolutionDueAt"];
        return first is { } f && (resolution is not { } r || f <= r) ? f : resolution ?? DateTimeOffset.MaxValue;
    }
}
