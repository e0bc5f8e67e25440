using System.Text.Json.Nodes;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// What the SLA policies form needs of the API, on Azurite with the harness clock (Mon 2 Nov 2026
/// 09:30 UTC, London on GMT): documents with fields left out answer 200 or 400 naming the field and
/// never 500; a misspelt team gets a suggestion; durations are read as managers write them or
/// refused plainly; the preview times an arrival both ways and counts the open handoffs that would
/// move; history reads as sentences and restores as a new version.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SlaFormApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("{}", "policies")]
    [InlineData("""{"calendars":[{}],"policies":[]}""", "calendars[0].name")]
    [InlineData("""{"calendars":[{"name":"c"}],"policies":[{"name":"p","calendar":"c","firstResponse":"1 h","resolution":"2 h"}]}""", "calendars[0].week")]
    [InlineData("""{"calendars":[{"name":"c","week":{"mon":null}}],"policies":[]}""", "calendars[0].week.mon")]
    [InlineData("""{"calendars":[{"name":"c","week":{}}],"policies":[]}""", "calendars[0].week")]
    [InlineData("""{"calendars":[{"name":"c","alwaysOpen":true}],"policies":[{}]}""", "policies[0].calendar")]
    [InlineData("""{"calendars":[{"name":"c","alwaysOpen":true}],"policies":[{"name":"p","calendar":"c"}]}""", "policies[0].firstResponse")]
    [InlineData("""{"calendars":[{"name":"c","alwaysOpen":true}],"policies":[{"name":"p","team":"*","priority":"*","calendar":"c","firstResponse":"1 h"}]}""", "policies[0].resolution")]
    [InlineData("""{"calendars":null}""", "calendars")]
    [InlineData("""{"policies":[null]}""", "policies[0]")]
    [InlineData("""{"calendars":[{"name":"c","timeZone":null}]}""", "calendars[0].timeZone")]
    [InlineData("""{"calendars":[{"name":"c","holidays":null}]}""", "calendars[0].holidays")]
    [InlineData("""{"calendars":[{"name":"c","week":{"mon":["09:00-17:00"]},"holidays":[""]}],"policies":[]}""", "calendars[0].holidays[0]")]
    [InlineData("""{"policies":[{"name":"p","firstResponse":null}]}""", "policies[0].firstResponse")]
    [InlineData("""{"policies":[{"name":"p","warnBefore":{}}]}""", "policies[0].warnBefore")]
    public async Task SlaPolicies_DocumentWithFieldsLeftOut_ValidatesOr400NamingTheFieldNever500(string body, string field)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var validated = await api.PostAsync("mia", "api/sla-policies/validate", body);
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", body);
        var previewed = await api.PostAsync("mia", "api/sla-policies/preview", body);

        Assert.Contains(validated.Status, new[] { 200, 400 });
        var fields = validated.Status == 200
            ? validated.Body!["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToList()
            : [.. validated.Body!["errors"]!.AsObject().Select(e => e.Key)];
        Assert.Contains(field, fields);
        Assert.Equal(400, saved.Status);
        Assert.Equal("application/problem+json", saved.Response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(saved.Body!["errors"]![field]);
        Assert.Equal(400, previewed.Status);
        Assert.Equal(1, (int)(await api.GetAsync("mia", "api/sla-policies")).Body!["version"]!);
    }

    [Fact]
    public async Task SlaPolicies_UnknownTeam_400AtTheTeamFieldWithSuggestion()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        var policies = document["policies"]!.AsArray();
        policies.Add(JsonNode.Parse("""{"name":"billing-p2","team":"biling","priority":"P2","calendar":"office","firstResponse":"2 h","resolution":"1 d","warnBefore":"15 min"}"""));
        var at = policies.Count - 1;

        var validated = await api.PostAsync("mia", "api/sla-policies/validate", document.ToJsonString());
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", document.ToJsonString());

        var error = Assert.Single(validated.Body!["errors"]!.AsArray())!;
        Assert.Equal($"policies[{at}].team", (string?)error["field"]);
        Assert.Equal("'biling' is not a team that exists; did you mean 'billing'?", (string?)error["text"]);
        Assert.Equal(400, saved.Status);
        Assert.Contains("did you mean 'billing'?", (string?)saved.Body!["errors"]![$"policies[{at}].team"]![0], StringComparison.Ordinal);
        Assert.Equal(1, (int)(await api.GetAsync("mia", "api/sla-policies")).Body!["version"]!);
    }

    [Theory]
    [InlineData("\"soon\"", "expected a number")]
    [InlineData("\"90\"", "without a unit")]
    [InlineData("\"-1 h\"", "negative")]
    [InlineData("\"30 min 1 h\"", "out of order")]
    [InlineData("\"2 fortnights\"", "'fortnights' is not a unit")]
    [InlineData("\"\"", "is empty")]
    [InlineData("90", "in quotes")]
    [InlineData("\"400 d\"", "longer than the 365 days")]
    [InlineData("\"0 min\"", "longer than zero")]
    public async Task SlaPolicies_BadDuration_400NamingPolicyFieldPlainly(string value, string expected)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        var body = document.ToJsonString().Replace("\"firstResponse\":\"00:15:00\"", $"\"firstResponse\":{value}", StringComparison.Ordinal);
        Assert.NotEqual(document.ToJsonString(), body);
        var at = document["policies"]!.AsArray().Select((p, i) => ((string?)p!["firstResponse"], i)).First(p => p.Item1 == "00:15:00").i;

        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", body);
        var validated = await api.PostAsync("mia", "api/sla-policies/validate", body);

        Assert.Equal(400, saved.Status);
        var messages = saved.Body!["errors"]![$"policies[{at}].firstResponse"]!.AsArray().Select(m => (string)m!).ToList();
        Assert.Contains(messages, m => m.Contains(expected, StringComparison.Ordinal));
        Assert.NotEqual(500, validated.Status);
        Assert.Equal(1, (int)(await api.GetAsync("mia", "api/sla-policies")).Body!["version"]!);
    }

    [Fact]
    public async Task SlaPolicies_DurationsAsManagersWriteThem_SavedInTheStoredForm()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        document["policies"]![0]!["firstResponse"] = "1h30";
        document["policies"]![0]!["resolution"] = "2 days";
        document["policies"]![0]!["warnBefore"] = "10 min";

        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", document.ToJsonString(), "\"v1\"");
        var stored = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!["policies"]![0]!;

        Assert.Equal(200, saved.Status);
        Assert.Equal("01:30:00", (string?)stored["firstResponse"]);
        Assert.Equal("2.00:00:00", (string?)stored["resolution"]);
        Assert.Equal("00:10:00", (string?)stored["warnBefore"]);
    }

    [Fact]
    public async Task SlaPreview_HolidayTodayAndLunchBreak_DueTimesMoveAndOpenHandoffsCounted()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var handoff = await api.HandOffAsync("sla1", "@contoso is the new autumn menu vegetarian friendly?");
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        var office = document["calendars"]!.AsArray().First(c => (string?)c!["name"] == "office")!;
        office["holidays"]!.AsArray().Add("2026-11-02");
        office["week"]!["tue"] = new JsonArray("09:00-09:30", "10:30-17:30");

        var preview = await api.PostAsync("mia", "api/sla-policies/preview?team=care&priority=P2", document.ToJsonString());
        var unchanged = await api.PostAsync("mia", "api/sla-policies/preview?team=care&priority=P2", (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!.ToJsonString());

        Assert.Equal(200, preview.Status);
        var sample = preview.Body!["sample"]!;
        // p2-office, 1 h: Mon 09:30 + 1 h = 10:30 today; with today a holiday, Tue 09:00-09:30 then 10:30-11:00.
        Assert.Equal("p2-office", (string?)sample["current"]!["policy"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 10, 30, 0, TimeSpan.Zero), (DateTimeOffset)sample["current"]!["firstResponseDueAt"]!);
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 11, 0, 0, TimeSpan.Zero), (DateTimeOffset)sample["proposed"]!["firstResponseDueAt"]!);
        Assert.Equal("Europe/London", (string?)sample["proposed"]!["timeZone"]);
        Assert.Equal(1, (int)preview.Body!["openEvaluated"]!);
        Assert.Equal(1, (int)preview.Body!["openChanged"]!);
        var row = Assert.Single(preview.Body!["changes"]!.AsArray())!;
        Assert.Equal(handoff, (string?)row["id"]);
        Assert.Equal("@contoso is the new autumn menu vegetarian friendly?", (string?)row["text"]);
        Assert.True((DateTimeOffset)row["to"]!["firstResponseDueAt"]! > (DateTimeOffset)row["from"]!["firstResponseDueAt"]!);
        Assert.Equal(0, (int)unchanged.Body!["openChanged"]!);
        Assert.Equal(1, (int)(await api.GetAsync("mia", "api/sla-policies")).Body!["version"]!);
    }

    [Theory]
    [InlineData("team=carre&priority=P1", "team", "did you mean 'care'?")]
    [InlineData("team=care&priority=P9", "priority", "P1, P2, P3 or P4")]
    [InlineData("team=care&at=yesterday", "at", "within a year")]
    [InlineData("team=care&at=2099-01-01T00:00:00Z", "at", "within a year")]
    public async Task SlaPreview_BadQuery_400NamingIt(string query, string field, string expected)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;

        var preview = await api.PostAsync("mia", $"api/sla-policies/preview?{query}", document.ToJsonString());
        var agent = await api.PostAsync("ana", "api/sla-policies/preview", document.ToJsonString());

        Assert.Equal(400, preview.Status);
        Assert.Contains(expected, (string?)preview.Body!["errors"]![field]![0], StringComparison.Ordinal);
        Assert.Equal(403, agent.Status);
    }

    [Fact]
    public async Task SlaHistory_SavedChange_ReadableDifferenceAndRestoreAsNewVersion()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        var original = document.ToJsonString();
        document["policies"]!.AsArray().First(p => (string?)p!["name"] == "p1-24x7")!["firstResponse"] = "10 min";
        document["calendars"]!.AsArray().First(c => (string?)c!["name"] == "office")!["holidays"]!.AsArray().Add("2026-12-24");
        Assert.Equal(200, (await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", document.ToJsonString())).Status);

        var history = (await api.GetAsync("ana", "api/sla-policies/history")).Body!;
        var first = (await api.GetAsync("mia", "api/sla-policies/history/1")).Body!;
        var restored = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", first["document"]!.ToJsonString(), "\"v2\"");
        var after = (await api.GetAsync("mia", "api/sla-policies/history")).Body!;
        var missing = await api.GetAsync("mia", "api/sla-policies/history/99");

        Assert.Equal(2, (int)history["current"]!);
        var latest = history["versions"]![0]!;
        Assert.Equal("mia", (string?)latest["author"]);
        var changes = latest["changes"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Contains("every team P1 (policy 'p1-24x7') first response 15 min → 10 min", changes);
        Assert.Contains("holiday 2026-12-24 added to calendar 'office'", changes);
        Assert.Equal(2, changes.Count);
        Assert.StartsWith("first version:", (string?)history["versions"]![1]!["changes"]![0], StringComparison.Ordinal);
        Assert.Equal(200, restored.Status);
        Assert.Equal(3, (int)restored.Body!["version"]!);
        Assert.Contains("holiday 2026-12-24 removed from calendar 'office'", after["versions"]![0]!["changes"]!.AsArray().Select(c => (string)c!));
        var now = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original)!["calendars"], now["calendars"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original)!["policies"], now["policies"]));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task SlaVocabulary_SignedInUser_OffersTeamsTimeZonesPrioritiesAndClockStarts()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var vocabulary = await api.GetAsync("ana", "api/sla-policies/vocabulary");
        var wrongMethod = await api.PostAsync("mia", "api/sla-policies/vocabulary");

        Assert.Equal(200, vocabulary.Status);
        var body = vocabulary.Body!;
        Assert.Contains("care", body["teams"]!.AsArray().Select(t => (string)t!));
        Assert.Contains("Europe/London", body["timeZones"]!.AsArray().Select(t => (string)t!));
        Assert.Contains("America/New_York", body["timeZones"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["*", "P1", "P2", "P3", "P4"], body["priorities"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["handoff", "posted"], body["clockStarts"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(405, wrongMethod.Status);
    }
}
