namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// Deleting a team and reading a person's availability history through the API, on Azurite: a delete
/// needs a manager and If-Match, is refused (409 naming what blocks it) while handoffs, rules or SLA
/// policies use the team, leaves a history entry and a tombstone that configuration does not seed
/// again, and answers 204 again when repeated; availability history is newest first, own or a manager's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TeamDeleteApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> PressOffice = new() { ["Teams:press:DisplayName"] = "Press office" };

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task DeleteTeam_AgentMissingOrBadIfMatchUnknownTeam_403_428_400_404()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, PressOffice);

        var agent = await api.SendAsync("ana", HttpMethod.Delete, "api/teams/press", ifMatch: "*");
        var noIfMatch = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press");
        var badIfMatch = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press", ifMatch: "\"r1\"");
        var unknown = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/presss", ifMatch: "*");
        var badName = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/Bad_Name", ifMatch: "*");
        var post = await api.SendAsync("mia", HttpMethod.Post, "api/teams/press", "{}");

        Assert.Equal(403, agent.Status);
        Assert.Equal(428, noIfMatch.Status);
        Assert.Equal("application/problem+json", noIfMatch.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, badIfMatch.Status);
        Assert.NotNull(badIfMatch.Body!["errors"]!["If-Match"]);
        Assert.Equal(404, unknown.Status);
        Assert.Contains("did you mean 'press'?", (string?)unknown.Body!["detail"], StringComparison.Ordinal);
        Assert.Equal(404, badName.Status);
        Assert.Equal(405, post.Status);
        Assert.Equal(200, (await api.GetAsync("mia", "api/teams/press")).Status);
    }

    [Fact]
    public async Task DeleteTeam_InUse_409NamingTheHandoffsRulesAndPoliciesThatBlockIt()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, PressOffice);
        var id = await api.HandOffAsync("d1", "@contoso the staff at your shop were rude to me");
        var moved = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"team":"press"}""");

        var crisis = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/crisis", ifMatch: "*");
        var care = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/care", ifMatch: "*");
        var press = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press", ifMatch: "*");
        var resolved = await api.PostAsync("mia", $"api/handoffs/{id}/resolve");
        var afterResolve = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press", ifMatch: "*");

        Assert.Equal(200, moved.Status);
        Assert.Equal(409, crisis.Status);
        Assert.Equal("application/problem+json", crisis.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rule 'crisis' routes to it.", Texts(crisis.Body!["errors"]!["rules"]), StringComparison.Ordinal);
        Assert.Contains("SLA policy 'crisis-24x7' is for it.", Texts(crisis.Body!["errors"]!["slaPolicies"]), StringComparison.Ordinal);
        Assert.Equal(409, care.Status);
        Assert.Contains("the default action routes to it.", Texts(care.Body!["errors"]!["rules"]), StringComparison.Ordinal);
        Assert.Equal(409, press.Status);
        Assert.Contains("1 open handoff in its queue", Texts(press.Body!["errors"]!["handoffs"]), StringComparison.Ordinal);
        Assert.Null(press.Body!["errors"]!["rules"]);
        Assert.Equal(200, resolved.Status);
        Assert.Equal(204, afterResolve.Status);
        Assert.Equal(200, (await api.GetAsync("mia", "api/teams/crisis")).Status);
    }

    [Fact]
    public async Task DeleteTeam_ConfiguredUnusedTeam_GoneForGoodWithHistoryRepeated204AndCreatedAgainOnlyOnPurpose()
    {
        await using (var api = await ApiHost.StartAsync(azurite.ConnectionString, PressOffice))
        {
            var read = await api.GetAsync("mia", "api/teams/press");
            var stale = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press", ifMatch: "\"d7\"");
            var deleted = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press", ifMatch: read.Response.Headers.ETag!.ToString());
            var again = await api.SendAsync("mia", HttpMethod.Delete, "api/teams/press", ifMatch: read.Response.Headers.ETag!.ToString());
            var gone = await api.GetAsync("mia", "api/teams/press");
            var listed = await api.GetAsync("mia", "api/teams");
            var put = await api.SendAsync("mia", HttpMethod.Put, "api/teams/press", """{"autoAssign":"off","members":[]}""");
            var history = await api.GetAsync("mia", "api/teams/press/history");

            Assert.Equal(412, stale.Status);
            Assert.Equal(read.Response.Headers.ETag!.ToString(), (string?)stale.Body!["etag"]);
            Assert.Equal(204, deleted.Status);
            Assert.Equal(204, again.Status);
            Assert.Equal(404, gone.Status);
            Assert.DoesNotContain("\"press\"", listed.Body!.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal(404, put.Status);
            Assert.Contains("was deleted by mia", (string?)put.Body!["detail"], StringComparison.Ordinal);
            Assert.Equal(200, history.Status);
            var changes = history.Body!["changes"]!.AsArray();
            Assert.Equal([2, 1], changes.Select(c => (int)c!["revision"]!));
            Assert.Equal("team 'press' deleted by mia", (string?)changes[0]!["summary"]);
            Assert.Equal("mia", (string?)changes[0]!["author"]);
        }

        // Another instance, the same configuration: the tombstone keeps it from being seeded again.
        await using var next = await ApiHost.StartAsync(azurite.ConnectionString, PressOffice);
        Assert.Equal(404, (await next.GetAsync("mia", "api/teams/press")).Status);
        using var create = new HttpRequestMessage(HttpMethod.Put, "api/teams/press")
        {
            Content = new StringContent("""{"displayName":"Press office","autoAssign":"off","members":[]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        create.Headers.Add(Core.Api.WorkApi.DevUserHeader, "mia");
        create.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var created = await next.Http.SendAsync(create);
        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal("\"d3\"", created.Headers.ETag?.ToString());
        Assert.Equal(200, (await next.GetAsync("ana", "api/teams/press")).Status);
    }

    [Fact]
    public async Task AvailabilityHistory_ThreeChanges_NewestFirstWithWhoAndWhenOwnOrManagersOnly()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.SendAsync("ana", HttpMethod.Put, "api/people/me/availability", """{"availability":"away"}""");
        api.Harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await api.SendAsync("ana", HttpMethod.Put, "api/people/me/availability", """{"availability":"available"}""");
        api.Harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await api.SendAsync("mia", HttpMethod.Put, "api/people/ana/availability", """{"availability":"away"}""");

        var own = await api.GetAsync("ana", "api/people/me/availability/history");
        var byManager = await api.GetAsync("mia", "api/people/ana/availability/history");
        var byOtherAgent = await api.GetAsync("ben", "api/people/ana/availability/history");
        var never = await api.GetAsync("kai", "api/people/me/availability/history");
        var unknown = await api.GetAsync("mia", "api/people/zed/availability/history");
        var post = await api.PostAsync("ana", "api/people/ana/availability/history");

        Assert.Equal(200, own.Status);
        Assert.Equal("away", (string?)own.Body!["availability"]);
        var changes = own.Body!["changes"]!.AsArray();
        Assert.Equal([3, 2, 1], changes.Select(c => (int)c!["revision"]!));
        Assert.Equal(["away", "available", "away"], changes.Select(c => (string?)c!["availability"]));
        Assert.Equal(["mia", "ana", "ana"], changes.Select(c => (string?)c!["author"]));
        Assert.Equal(Harness.Start.AddMinutes(10), (DateTimeOffset)changes[0]!["at"]!);
        Assert.Equal("ana set away by mia", (string?)changes[0]!["summary"]);
        Assert.Equal(own.Body!.ToJsonString(), byManager.Body!.ToJsonString());
        Assert.Equal(403, byOtherAgent.Status);
        Assert.Equal("application/problem+json", byOtherAgent.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(200, never.Status);
        Assert.Empty(never.Body!["changes"]!.AsArray());
        Assert.Equal(404, unknown.Status);
        Assert.Equal(405, post.Status);
    }

    private static string Texts(System.Text.Json.Nodes.JsonNode? messages) => string.Join(" ", messages!.AsArray().Select(m => (string?)m));
}
