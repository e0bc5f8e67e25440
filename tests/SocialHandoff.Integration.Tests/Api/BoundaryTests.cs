using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Access;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>
/// The API's boundaries through the local web host on Azurite: which host it answers, when the
/// App Service principal counts, who a handoff can go to, what a manager's document may name, and
/// the headers every answer carries. Identities: ana and ben (care), cy (billing, logistics), mia (manager).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BoundaryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string CareText = "@contoso is the new autumn menu vegetarian friendly?";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("evil.example:{port}")]
    [InlineData("127.0.0.1.nip.io:{port}")]
    [InlineData("127.0.0.1:1")]
    [InlineData("localhost")]
    [InlineData("[::2]:{port}")]
    public async Task Request_ForeignHostHeader_421AndNothingServed(string host)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        foreach (var path in new[] { "/api/me", "/api/rules", "/" })
        {
            var (status, head, body) = await RawAsync(api, path, host.Replace("{port}", api.Http.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

            Assert.Equal(421, status);
            Assert.Contains("content-type: application/problem+json", head, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("mia", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("localhost:{port}")]
    [InlineData("LOCALHOST:{port}")]
    [InlineData("[::1]:{port}")]
    public async Task Request_OwnLoopbackHostHeader_Served(string host)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var (status, _, body) = await RawAsync(api, "/api/me", host.Replace("{port}", api.Http.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.Equal(200, status);
        Assert.Contains("\"name\":\"mia\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Principal_OnAppServiceWithAuthenticationOff_401EvenForAWellFormedHeader()
    {
        await using var api = await ApiHost.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Api:DevIdentities"] = "" },
            services => services.AddSingleton(new AppServicePlatform(OnAppService: true, AuthenticationEnabled: false)));
        var manager = ClientPrincipal.Encode(new Caller("Mia", ["manager"]) { Id = "0e5f0000-0000-4000-8000-000000000001" });

        var refused = await api.SendAsync("", HttpMethod.Get, "api/rules", principalHeader: manager);

        Assert.Equal(401, refused.Status);
        Assert.Contains("App Service Authentication is off", (string?)refused.Body!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Principal_OnAppServiceWithAuthenticationOn_KeyedByObjectIdShownByName()
    {
        await using var api = await ApiHost.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Api:DevIdentities"] = "" },
            services => services.AddSingleton(new AppServicePlatform(OnAppService: true, AuthenticationEnabled: true)));
        var id = await api.HandOffAsync("p1", CareText);
        var first = ClientPrincipal.Encode(new Caller("Sam Lee", ["agent.care"]) { Id = "11111111-1111-4111-8111-111111111111" });
        var namesake = ClientPrincipal.Encode(new Caller("Sam Lee", ["agent.care"]) { Id = "22222222-2222-4222-8222-222222222222" });

        var me = await api.SendAsync("", HttpMethod.Get, "api/me", principalHeader: first);
        var claimed = await api.SendAsync("", HttpMethod.Post, $"api/handoffs/{id}/claim", "{}", principalHeader: first);
        var stolen = await api.SendAsync("", HttpMethod.Post, $"api/handoffs/{id}/claim", "{}", principalHeader: namesake);

        Assert.Equal("11111111-1111-4111-8111-111111111111", (string?)me.Body!["id"]);
        Assert.Equal("Sam Lee", (string?)me.Body!["name"]);
        Assert.Equal("11111111-1111-4111-8111-111111111111", (string?)claimed.Body!["assignee"]);
        Assert.Equal(409, stolen.Status);
    }

    [Fact]
    public async Task Reassign_ToSomeoneNotOfTheTargetTeam_400NamingAssignee()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var id = await api.HandOffAsync("r1", CareText);

        var ghost = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"ghost"}""");
        var otherTeam = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"cy"}""");
        var movedToWrongPerson = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"ana","team":"billing"}""");
        var typoTeam = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"team":"biling"}""");

        Assert.Equal(400, ghost.Status);
        Assert.Contains("'ghost' is not a person of team care", (string?)ghost.Body!["errors"]!["assignee"]![0], StringComparison.Ordinal);
        Assert.Equal(400, otherTeam.Status);
        Assert.NotNull(otherTeam.Body!["errors"]!["assignee"]);
        Assert.Equal(400, movedToWrongPerson.Status);
        Assert.Contains("team billing", (string?)movedToWrongPerson.Body!["errors"]!["assignee"]![0], StringComparison.Ordinal);
        Assert.Equal(400, typoTeam.Status);
        Assert.Contains("did you mean 'billing'?", (string?)typoTeam.Body!["errors"]!["team"]![0], StringComparison.Ordinal);
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"ben"}""")).Status);
        Assert.Equal(200, (await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"cy","team":"billing"}""")).Status);
        var events = (await api.GetAsync("mia", $"api/handoffs/{id}")).Body!["events"]!.AsArray();
        Assert.Equal(["Created", "Reassigned", "Moved"], events.Select(e => (string)e!["type"]!));
    }

    [Fact]
    public async Task Queue_TeamThatDoesNotExist_404WithDidYouMean()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var typo = await api.GetAsync("mia", "api/teams/biling/handoffs");

        Assert.Equal(404, typo.Status);
        Assert.Contains("did you mean 'billing'?", (string?)typo.Body!["detail"], StringComparison.Ordinal);
        Assert.Equal(200, (await api.GetAsync("mia", "api/teams/billing/handoffs")).Status);
    }

    [Fact]
    public async Task Reassign_ConfiguredMemberByDisplayName_StoresTheirObjectId()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Teams:care:Members:0:Id"] = "6f1c9a2e-0000-4000-8000-00000000d4a4",
            ["Teams:care:Members:0:Name"] = "Dana Reyes",
        });
        var id = await api.HandOffAsync("r2", CareText);

        var assigned = await api.PostAsync("mia", $"api/handoffs/{id}/reassign", """{"assignee":"Dana Reyes"}""");

        Assert.Equal(200, assigned.Status);
        Assert.Equal("6f1c9a2e-0000-4000-8000-00000000d4a4", (string?)assigned.Body!["assignee"]);
        Assert.Equal("Dana Reyes", (string?)assigned.Body!["assigneeName"]);
    }

    [Fact]
    public async Task Rules_MinimalRuleWithOmittedListsAndObjects_ValidatesDryRunsAndSaves()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        await api.HandOffAsync("m1", "@contoso where is my refund?");
        const string minimal = """{"rules":[{"name":"refunds","when":{"anyWords":["refund"]},"then":{"team":"billing"}}],"default":{"team":"care"}}""";

        var validated = await api.PostAsync("mia", "api/rules/validate", minimal);
        var dryRun = await api.PostAsync("mia", "api/rules/dry-run", minimal);
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/rules", minimal);

        Assert.True((bool)validated.Body!["valid"]!, validated.Body.ToJsonString());
        Assert.Equal(200, dryRun.Status);
        Assert.Equal(1, (int)dryRun.Body!["evaluated"]!);
        Assert.Equal(200, saved.Status);
        var stored = (await api.GetAsync("ana", "api/rules")).Body!["document"]!;
        Assert.True((bool)stored["rules"]![0]!["enabled"]!);
        Assert.Equal("auto", (string?)stored["rules"]![0]!["then"]!["priority"]);
    }

    [Fact]
    public async Task SlaPolicies_MinimalDocumentWithOmittedMembers_ValidatesAndSaves()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        // No week, holidays, team, priority or warnBefore anywhere; the rules in force name p1-24x7 and crisis-24x7, so those stay.
        const string minimal = """
            {"calendars":[{"name":"always","alwaysOpen":true}],
             "policies":[{"name":"standard","calendar":"always","firstResponse":"01:00:00","resolution":"08:00:00"},
                         {"name":"p1-24x7","priority":"P1","calendar":"always","firstResponse":"00:15:00","resolution":"04:00:00"},
                         {"name":"crisis-24x7","team":"crisis","calendar":"always","firstResponse":"00:10:00","resolution":"04:00:00"}]}
            """;

        var validated = await api.PostAsync("mia", "api/sla-policies/validate", minimal);
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", minimal);

        Assert.True((bool)validated.Body!["valid"]!, validated.Body.ToJsonString());
        Assert.Equal(200, saved.Status);
        Assert.Equal("*", (string?)(await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!["policies"]![0]!["team"]);
    }

    [Fact]
    public async Task Rules_NamingAGhostTeamPolicyOrSignal_400NamingRuleAndField()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        const string ghost = """{"rules":[{"name":"g","when":{"reasonSignals":["crissis"]},"then":{"team":"ghost","slaPolicy":"p1-24x8"}}],"default":{"team":"care"}}""";

        var validated = await api.PostAsync("mia", "api/rules/validate", ghost);
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/rules", ghost);
        var dryRun = await api.PostAsync("mia", "api/rules/dry-run", ghost);

        Assert.False((bool)validated.Body!["valid"]!);
        Assert.Equal(["then.slaPolicy", "then.team", "when.reasonSignals"], validated.Body!["errors"]!.AsArray().Select(e => (string)e!["field"]!).Order());
        Assert.Equal(400, saved.Status);
        Assert.NotNull(saved.Body!["errors"]!["rules[1].then.team"]);
        Assert.Contains("Did you mean 'p1-24x7'?", (string?)saved.Body!["errors"]!["rules[1].then.slaPolicy"]![0], StringComparison.Ordinal);
        Assert.Contains("Did you mean 'crisis'?", (string?)saved.Body!["errors"]!["rules[1].when.reasonSignals"]![0], StringComparison.Ordinal);
        Assert.Equal(400, dryRun.Status);
        Assert.Equal(1, (int)(await api.GetAsync("ana", "api/rules")).Body!["version"]!);
    }

    [Fact]
    public async Task Rules_DocumentTooLargeToStore_400AndNothingSaved()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        // Under the 1 MB body limit, but non-ASCII text is stored escaped (six characters each): far over a table row.
        var words = string.Join(",", Enumerable.Range(0, 25_000).Select(i => $"\"語語語語{i % 10}\""));
        var huge = "{\"rules\":[{\"name\":\"big\",\"when\":{\"anyWords\":[" + words + "]},\"then\":{\"team\":\"care\"}}],\"default\":{\"team\":\"care\"}}";

        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/rules", huge);

        Assert.Equal(400, saved.Status);
        Assert.Contains("too large to store", (string?)saved.Body!["errors"]!["body"]![0], StringComparison.Ordinal);
        Assert.Equal(1, (int)(await api.GetAsync("ana", "api/rules")).Body!["version"]!);
    }

    [Fact]
    public async Task SlaPolicies_TenMillionDays_RefusedNamingPolicyAndField()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);
        var document = (await api.GetAsync("mia", "api/sla-policies")).Body!["document"]!;
        document["policies"]![1]!["resolution"] = "10675198.00:00:00";

        var validated = await api.PostAsync("mia", "api/sla-policies/validate", document.ToJsonString());
        var saved = await api.SendAsync("mia", HttpMethod.Put, "api/sla-policies", document.ToJsonString());

        Assert.False((bool)validated.Body!["valid"]!);
        Assert.Contains(validated.Body!["errors"]!.AsArray(), e => ((string)e!["message"]!).StartsWith("policy 'p1-24x7', resolution:", StringComparison.Ordinal));
        Assert.Equal(400, saved.Status);
        Assert.Equal(1, (int)(await api.GetAsync("mia", "api/sla-policies")).Body!["version"]!);
    }

    [Theory]
    [InlineData("api/rules/validate", """{"rules":[],"default":{"team":"care","team":"billing"}}""", "default.team")]
    [InlineData("api/rules/validate", """{"rules":[],"Rules":[],"default":{"team":"care"}}""", "Rules")]
    [InlineData("api/sla-policies/validate", """{"calendars":[{"name":"x\ud800"}]}""", "calendars[0].name")]
    public async Task Body_DuplicateKeyOrLoneSurrogate_400NamingTheField(string path, string body, string field)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        var response = await api.PostAsync("mia", path, body);

        Assert.Equal(400, response.Status);
        Assert.NotNull(response.Body!["errors"]![field]);
    }

    [Theory]
    [InlineData("from=0001-01-01&to=0001-01-05", "from")]
    [InlineData("to=0001-01-01", "to")]
    [InlineData("from=9999-12-30&to=9999-12-31", "to")]
    [InlineData("from=0001-01-01&to=9999-12-30", "from")]
    public async Task SlaReport_DatesAtTheCalendarsLimits_400NamingTheField(string query, string field)
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        foreach (var report in new[] { "summary", "breaches.csv", "first-response" })
        {
            var response = await api.GetAsync("mia", $"api/sla/{report}?{query}");
            Assert.Equal(400, response.Status);
            Assert.NotNull(response.Body!["errors"]![field]);
        }

        Assert.Equal(200, (await api.GetAsync("mia", "api/sla/first-response?from=9999-12-20&to=9999-12-30")).Status);
    }

    [Fact]
    public async Task Responses_EveryKind_CarryNosniff()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "api/me"), (HttpMethod.Get, "api/nope"), (HttpMethod.Delete, "api/me"), (HttpMethod.Get, "api/sla/summary.csv"), (HttpMethod.Get, "api/health"), (HttpMethod.Get, "/") })
        {
            var response = await api.SendAsync("mia", method, path);
            Assert.True(response.Response.Headers.TryGetValues("X-Content-Type-Options", out var values), $"{method} {path}");
            Assert.Equal("nosniff", Assert.Single(values));
        }
    }

    [Fact]
    public async Task Request_UnexpectedException_Logged500ProblemWithoutInternals()
    {
        var clock = new BreakableClock(Harness.Start);
        var logs = new CapturingLoggerProvider();
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, configure: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        clock.Broken = true;

        var response = await api.SendAsync("mia", HttpMethod.Get, "api/sla/summary");

        Assert.Equal(500, response.Status);
        Assert.Equal("application/problem+json", response.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://socialhandoff.dev/problems/internal", (string?)response.Body!["type"]);
        Assert.DoesNotContain("secret-internal-detail", response.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId == 1603 && e.Exception?.Message == "secret-internal-detail");
    }

    /// <summary>A request written on the socket, so the Host header is whatever a rebinding page would send.</summary>
    private static async Task<(int Status, string Head, string Body)> RawAsync(ApiHost api, string path, string host)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(api.Http.BaseAddress!.Host, api.Http.BaseAddress.Port);
        await using var stream = client.GetStream();
        var request = $"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Dev-User: mia\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = text[..split];
        return (int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head, text[(split + 4)..]);
    }

    /// <summary>A clock that can be made to fail: an unexpected exception deep in a route.</summary>
    private sealed class BreakableClock(DateTimeOffset now) : TimeProvider
    {
        public bool Broken { get; set; }

        public override DateTimeOffset GetUtcNow() => Broken ? throw new InvalidOperationException("secret-internal-detail") : now;
    }

    private sealed class CapturingLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentBag<(int EventId, Exception? Exception)> Entries { get; } = [];

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Add((eventId.Id, exception));
        }
    }
}
