using System.Text.Json.Nodes;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// The teams-and-people directory through the API, on Azurite: bodies with fields left out get 400
/// naming them (never 500), unknown teams and people are refused, agents set only their own
/// availability, saves are versioned with ETags and history, reassign takes only members of the
/// target team, and auto-assignment fills members up to capacity and resumes when one resolves.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DirectoryApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("{}", "autoAssign")]
    [InlineData("""{"autoAssign":"off"}""", "members")]
    [InlineData("""{"members":[]}""", "autoAssign")]
    [InlineData("""{"autoAssign":"off","members":[{"id":"ana"}]}""", "members[0].role")]
    [InlineData("""{"autoAssign":"off","members":[{"id":"ana","role":"agent"}]}""", "members[0].capacity")]
    [InlineData("""{"autoAssign":"off","members":[{"role":"agent","capacity":2}]}""", "members[0].id")]
    [InlineData("""{"autoAssign":"off","members":[null]}""", "members[0]")]
    [InlineData("""{"autoAssign":"off","members":[{"id":"ana","role":"agent","capacity":"two"}]}""", "members[0].capacity")]
    [InlineData("""{"autoAssign":"sometimes","members":[]}""", "autoAssign")]
    [InlineData("""{"autoAssign":"off","members":[],"notify":["https://hooks.example/secret"]}""", "notify[0]")]
    [InlineData("""{"autoAssign":"off","members":[],"colour":"red"}""", "colour")]
    [InlineData("""{"autoAssign":"off","members":{}}""", "members")]
    [InlineData("[]", "body")]
    [InlineData("", "body")]
    public async Task PutTeam_OmittedOrWrongFields_400NamingTheFieldNever500(string body, string field)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var response = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.Response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Body!["errors"]![field]);
    }

    [Fact]
    public async Task Availability_OmittedOrWrongValue_400NamingAvailability()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        foreach (var body in new[] { "{}", """{"availability":null}""", """{"availability":"busy"}""", """{"availability":1}""" })
        {
            var response = await api.SendAsync("ana", HttpMethod.Put, "api/people/me/availability", body);
            Assert.Equal(400, response.Status);
            Assert.NotNull(response.Body!["errors"]!["availability"]);
        }
    }

    [Fact]
    public async Task Directory_UnknownTeamOrPerson_RefusedNamingIt()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var unknownTeam = await api.GetAsync("ana", "api/teams/crisys");
        var putUnknownTeam = await api.SendAsync("mia", HttpMethod.Put, "api/teams/nosuch", """{"autoAssign":"off","members":[]}""");
        var badTeamName = await api.SendAsync("mia", HttpMethod.Put, "api/teams/Bad_Team", """{"autoAssign":"off","members":[]}""");
        var unknownMember = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", """{"autoAssign":"off","members":[{"id":"zed","role":"agent","capacity":2}]}""");
        var unknownPerson = await api.GetAsync("mia", "api/people/zed");
        var unknownAvailability = await api.SendAsync("mia", HttpMethod.Put, "api/people/zed/availability", """{"availability":"away"}""");

        Assert.Equal(404, unknownTeam.Status);
        Assert.Contains("crisis", (string?)unknownTeam.Body!["detail"], StringComparison.Ordinal);
        Assert.Equal(404, putUnknownTeam.Status);
        Assert.Contains("If-None-Match", (string?)putUnknownTeam.Body!["detail"], StringComparison.Ordinal);
        Assert.Equal(400, badTeamName.Status);
        Assert.NotNull(badTeamName.Body!["errors"]!["team"]);
        Assert.Equal(400, unknownMember.Status);
        Assert.Contains("'zed' is not a known person", (string?)unknownMember.Body!["errors"]!["members[0].id"]![0], StringComparison.Ordinal);
        Assert.Equal(404, unknownPerson.Status);
        Assert.Equal(404, unknownAvailability.Status);
        Assert.Contains("zed", (string?)unknownAvailability.Body!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Availability_AgentSetsAnothers_403WhileOwnAndManagersSucceed()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var others = await api.SendAsync("ana", HttpMethod.Put, "api/people/ben/availability", """{"availability":"away"}""");
        var own = await api.SendAsync("ana", HttpMethod.Put, "api/people/me/availability", """{"availability":"away"}""");
        var again = await api.SendAsync("ana", HttpMethod.Put, "api/people/ana/availability", """{"availability":"away"}""");
        var shown = await api.GetAsync("ben", "api/teams/care");
        var byManager = await api.SendAsync("mia", HttpMethod.Put, "api/people/ana/availability", """{"availability":"available"}""");
        var agentEditsTeam = await api.SendAsync("ana", HttpMethod.Put, "api/teams/care", """{"autoAssign":"off","members":[]}""");

        Assert.Equal(403, others.Status);
        Assert.Equal("application/problem+json", others.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(200, own.Status);
        Assert.Equal("away", (string?)own.Body!["availability"]);
        Assert.Equal(200, again.Status);
        Assert.Equal("away", (string?)Member(shown.Body!, "ana")["availability"]);
        Assert.Equal(200, byManager.Status);
        Assert.Equal("available", (string?)byManager.Body!["availability"]);
        Assert.Equal(403, agentEditsTeam.Status);
    }

    [Fact]
    public async Task PutTeam_SameContentTwiceThenStaleETag_OneRevisionThen412AndHistoryNamesAuthor()
    {
        // A team may name only configured notification targets; nothing is sent in this test.
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Sla:Notifications:#crisis:Url"] = "http://127.0.0.1:9/crisis" });
        var seeded = await api.GetAsync("mia", "api/teams/crisis");
        var etag = seeded.Response.Headers.ETag!.ToString();
        const string Edit = """{"displayName":"Crisis desk","calendar":"24x7","autoAssign":"least-loaded","notify":["#crisis"],"members":[{"id":"kai","role":"lead","capacity":8},{"id":"ben","role":"agent","capacity":2}]}""";

        var first = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", Edit, ifMatch: etag);
        var retried = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", Edit, ifMatch: etag);
        var stale = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", Edit.Replace("\"capacity\":2", "\"capacity\":3", StringComparison.Ordinal), ifMatch: etag);
        var history = await api.GetAsync("ana", "api/teams/crisis/history");

        Assert.Equal(200, seeded.Status);

        // Regression: the body's etag is what the dashboard sends back as If-Match (it was "eTag", so the editor sent none).
        Assert.Equal(etag, (string?)seeded.Body!["etag"]);
        Assert.Equal(["kai", "lea"], seeded.Body!["members"]!.AsArray().Select(m => (string)m!["id"]!));
        Assert.Equal(200, first.Status);
        Assert.Equal(2, (int)first.Body!["revision"]!);
        Assert.Equal(200, retried.Status);
        Assert.Equal(2, (int)retried.Body!["revision"]!);
        Assert.Equal(412, stale.Status);
        var changes = history.Body!["changes"]!.AsArray();
        Assert.Equal([2, 1], changes.Select(c => (int)c!["revision"]!));
        Assert.Equal("mia", (string?)changes[0]!["author"]);
        Assert.Equal("display name Crisis response → Crisis desk; default policy crisis-24x7 → none; auto-assignment off → least-loaded; notification targets crisis-teams → #crisis; ben added as agent, capacity 2; lea removed", (string?)changes[0]!["summary"]);
    }

    [Fact]
    public async Task PutTeam_NewTeamWithIfNoneMatch_201ThenItExistsAndARetryChangesNothing()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        const string Body = """{"displayName":"Press office","autoAssign":"round-robin","members":[{"id":"ana","role":"agent","capacity":3}]}""";

        var created = await CreateAsync(api, "press", Body);
        var retried = await CreateAsync(api, "press", Body);
        var other = await CreateAsync(api, "press", Body.Replace("\"capacity\":3", "\"capacity\":4", StringComparison.Ordinal));
        var read = await api.GetAsync("ana", "api/teams/press");
        var listed = await api.GetAsync("ana", "api/teams");

        Assert.Equal(201, created);
        Assert.Equal(200, retried);
        Assert.Equal(412, other);
        Assert.Equal("Press office", (string?)read.Body!["displayName"]);
        Assert.Equal(1, (int)read.Body!["revision"]!);
        Assert.Contains(listed.Body!.AsArray(), t => (string?)t!["name"] == "press" && (bool)t["canWork"]!);
    }

    private static async Task<int> CreateAsync(ApiHost api, string team, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/teams/{team}") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add(Core.Api.WorkApi.DevUserHeader, "mia");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var response = await api.Http.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Reassign_PersonOutsideTheTargetTeam_400UntilAManagerAddsThemThenTheyWorkItsQueue()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("r1", "@contoso the staff at your shop were rude to me");
        var care = await api.GetAsync("mia", "api/teams/care");

        var refused = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"kai"}""");
        var kaiBefore = await api.GetAsync("kai", "api/teams/care/handoffs");
        var members = care.Body!["members"]!.AsArray().Select(m => $$"""{"id":"{{m!["id"]}}","role":"{{m["role"]}}","capacity":{{m["capacity"]}}}""").Append("""{"id":"kai","role":"agent","capacity":2}""");
        var added = await api.SendAsync("mia", HttpMethod.Put, "api/teams/care", $$"""{"autoAssign":"off","members":[{{string.Join(",", members)}}]}""", ifMatch: care.Response.Headers.ETag!.ToString());
        var accepted = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"kai"}""");
        var kaiAfter = await api.GetAsync("kai", "api/teams/care/handoffs");

        Assert.Equal(400, refused.Status);
        Assert.NotNull(refused.Body!["errors"]!["assignee"]);
        Assert.Equal(403, kaiBefore.Status);
        Assert.Equal(200, added.Status);
        Assert.Equal(200, accepted.Status);
        Assert.Equal("kai", (string?)accepted.Body!["assignee"]);
        Assert.Equal(200, kaiAfter.Status);
    }

    [Fact]
    public async Task AutoAssign_LeastLoadedTeamWithCapacityTwo_StopsAtTwoAndResumesWhenOneIsResolved()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await api.HandOffAsync($"f{i}", $"@contoso there is smoke and a fire in the {Harness.Place(i)} store"));
        }

        var crisis = await api.GetAsync("mia", "api/teams/crisis");
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", """{"autoAssign":"least-loaded","members":[{"id":"lea","role":"agent","capacity":2},{"id":"kai","role":"lead","capacity":0}]}""", ifMatch: crisis.Response.Headers.ETag!.ToString());
        var held = await HeldAsync(api, ids);
        var first = ids.First(id => held[id] == "lea");
        var events = (await api.GetAsync("mia", $"api/handoffs/{first}")).Body!["events"]!.AsArray();
        var resolved = await api.PostAsync("lea", $"api/handoffs/{first}/resolve");
        var after = await HeldAsync(api, ids);

        Assert.Equal(200, saved.Status);
        Assert.Equal(2, (int)Member(saved.Body!, "lea")["openClaims"]!);
        Assert.Equal(1, (int)saved.Body!["unclaimed"]!);
        Assert.Equal(2, held.Values.Count(a => a == "lea"));
        Assert.Single(held.Values, a => a is null);
        var assignedEvent = events.Single(e => (string?)e!["type"] == "AutoAssigned")!;
        Assert.Equal("auto-assign", (string?)assignedEvent["actor"]);
        Assert.StartsWith("auto-assigned, least-loaded ", (string?)assignedEvent["text"], StringComparison.Ordinal);
        Assert.EndsWith("/2", (string?)assignedEvent["text"], StringComparison.Ordinal);
        Assert.Equal(200, resolved.Status);
        Assert.Equal(2, after.Values.Count(a => a == "lea"));
        Assert.Equal(1, after.Values.Count(a => a == "resolved"));
    }

    [Fact]
    public async Task AutoAssign_OnlyMemberAway_NothingAssignedUntilTheySetAvailable()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        Assert.Equal(200, (await api.SendAsync("lea", HttpMethod.Put, "api/people/me/availability", """{"availability":"away"}""")).Status);
        var crisis = await api.GetAsync("mia", "api/teams/crisis");
        Assert.Equal(200, (await api.SendAsync("mia", HttpMethod.Put, "api/teams/crisis", """{"autoAssign":"round-robin","members":[{"id":"lea","role":"agent","capacity":3}]}""", ifMatch: crisis.Response.Headers.ETag!.ToString())).Status);
        var id = await api.HandOffAsync("a1", "@contoso the charger caught fire");

        var whileAway = (string?)(await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["assignee"];
        Assert.Equal(200, (await api.SendAsync("lea", HttpMethod.Put, "api/people/me/availability", """{"availability":"available"}""")).Status);
        var afterBack = (string?)(await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["assignee"];

        Assert.Null(whileAway);
        Assert.Equal("lea", afterBack);
    }

    private static async Task<Dictionary<string, string?>> HeldAsync(ApiHost api, IEnumerable<string> ids)
    {
        var held = new Dictionary<string, string?>();
        foreach (var id in ids)
        {
            var h = await api.GetAsync("mia", $"api/handoffs/{id}");
            held[id] = (string?)h.Body!["status"] == "Resolved" ? "resolved" : (string?)h.Body!["assignee"];
        }

        return held;
    }

    private static JsonNode Member(JsonNode team, string id) => team["members"]!.AsArray().Single(m => (string?)m!["id"] == id)!;
}
