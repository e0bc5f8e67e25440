namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// Refusals and people as the dashboard shows them (issue 13, item 9): a problem's detail names the
/// holder by display name and never carries a handoff id or a person's key (an Entra object id in
/// Azure), a first response carries its author's name, and an unknown team's queue is 404 for every
/// caller, agents included.
/// Identities: ana and ben (care), cy (billing, logistics), mia (manager).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RefusalWordingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string DanaId = "6f1c9a2e-0000-4000-8000-00000000d4a4";
    private const string CareText = "@contoso is the new autumn menu vegetarian friendly?";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("respond", """{"reply":"On it!"}""")]
    [InlineData("resolve", "{}")]
    [InlineData("pause", "{}")]
    [InlineData("reassign", """{"assignee":"ben"}""")]
    [InlineData("release", "{}")]
    [InlineData("claim", "{}")]
    public async Task Act_HeldByAnotherPerson_DetailNamesThemWithoutIds(string action, string body)
    {
        await using var api = await StartAsync();
        var id = await api.HandOffAsync("w1", CareText);
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"Dana Reyes"}""")).Status);

        var refused = await api.PostAsync("ana", $"api/handoffs/{id}/{action}", body);

        Assert.InRange(refused.Status, 403, 409);
        var detail = (string?)refused.Body!["detail"];
        Assert.StartsWith("Dana Reyes ", detail, StringComparison.Ordinal);
        AssertNoIds(detail, id);
        Assert.Equal(DanaId, (string?)refused.Body!["holder"]);
        Assert.Equal("Dana Reyes", (string?)refused.Body!["holderName"]);
    }

    [Theory]
    [InlineData("respond", """{"reply":"On it!"}""")]
    [InlineData("resolve", "{}")]
    [InlineData("pause", "{}")]
    [InlineData("resume", "{}")]
    [InlineData("release", "{}")]
    public async Task Act_StateDoesNotAllowIt_DetailWithoutIds(string action, string body)
    {
        await using var api = await StartAsync();
        var id = await api.HandOffAsync("w2", CareText);
        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/resolve")).Status);

        var refused = await api.PostAsync("ana", $"api/handoffs/{id}/{action}", body);

        Assert.Equal(409, refused.Status);
        AssertNoIds((string?)refused.Body!["detail"], id);
    }

    [Fact]
    public async Task Act_StaleIfMatchWhileAnotherHoldsIt_DetailNamesHolderWithoutIdsOrVersions()
    {
        await using var api = await StartAsync();
        var id = await api.HandOffAsync("w3", CareText);
        var seen = (await api.GetAsync("ana", $"api/handoffs/{id}")).Response.Headers.ETag!.Tag;
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"Dana Reyes"}""")).Status);

        var refused = await api.PostAsync("ana", $"api/handoffs/{id}/claim", "{}", seen);

        Assert.Equal(412, refused.Status);
        var detail = (string?)refused.Body!["detail"];
        Assert.Contains("Dana Reyes is working on it now", detail, StringComparison.Ordinal);
        AssertNoIds(detail, id);
        Assert.DoesNotContain("\"r", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Act_AnotherTeamsHandoff_DetailSaysWhoseWithoutIds()
    {
        await using var api = await StartAsync();
        var id = await api.HandOffAsync("w4", CareText);

        var refused = await api.PostAsync("cy", $"api/handoffs/{id}/claim");

        Assert.Equal(403, refused.Status);
        var detail = (string?)refused.Body!["detail"];
        Assert.Contains("team care", detail, StringComparison.Ordinal);
        AssertNoIds(detail, id);
    }

    [Theory]
    [InlineData("ana", "biling")]
    [InlineData("cy", "cares")]
    [InlineData("mia", "nobody-works-here")]
    public async Task Queue_UnknownTeamForAnyCaller_404ProblemJson(string user, string team)
    {
        await using var api = await StartAsync();

        var answer = await api.GetAsync(user, $"api/teams/{team}/handoffs");

        Assert.Equal(404, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"There is no team '{team}'", (string?)answer.Body!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_KnownTeamOfSomeoneElse_Still403()
    {
        await using var api = await StartAsync();

        var answer = await api.GetAsync("ana", "api/teams/billing/handoffs");

        Assert.Equal(403, answer.Status);
        Assert.Contains("You are not an agent of team billing", (string?)answer.Body!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handoff_RespondedByAConfiguredMember_FirstResponseCarriesTheirDisplayName()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Teams:care:Members:0:Id"] = "ana",
            ["Teams:care:Members:0:Name"] = "Ana Lima",
        });
        var id = await api.HandOffAsync("w5", CareText);
        Assert.Equal(200, (await api.PostAsync("ana", $"api/handoffs/{id}/respond", """{"reply":"Yes, it is."}""")).Status);

        var first = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["firstResponse"]!;

        Assert.Equal("ana", (string?)first["by"]);
        Assert.Equal("Ana Lima", (string?)first["byName"]);
    }

    [Fact]
    public async Task SlaBreaches_HeldByAConfiguredMember_ListCarriesTheirDisplayNameBesideTheKey()
    {
        await using var api = await StartAsync();
        var id = await api.HandOffAsync("w6", "@contoso the app keeps crashing, is it down again?");
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"Dana Reyes"}""")).Status);
        api.Harness.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/respond", """{"reply":"Sorry for the wait."}""")).Status);
        var day = Harness.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var breaches = (await api.GetAsync("mia", $"api/sla/breaches?team=care&from={day}&to={day}")).Body!["items"]!.AsArray();

        var breach = Assert.Single(breaches, b => (string?)b!["id"] == id && (string?)b["clock"] == "firstResponse")!;
        Assert.Equal(DanaId, (string?)breach["assignee"]);
        Assert.Equal("Dana Reyes", (string?)breach["assigneeName"]);
    }

    private Task<ApiHost> StartAsync() => ApiHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
    {
        ["Teams:care:Members:0:Id"] = DanaId,
        ["Teams:care:Members:0:Name"] = "Dana Reyes",
    });

    private static void AssertNoIds(string? detail, string handoffId)
    {
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain(handoffId, detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(DanaId, detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("{holder}", detail, StringComparison.Ordinal);
    }
}
