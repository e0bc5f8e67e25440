using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Local.Web;

namespace SocialHandoff.Integration.Tests.Api;

/// <summary>The local runner's web host on the harness's services (Azurite, fake clock), and a client per identity.</summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly LocalWebHost _web;
    private readonly HttpClient _http;

    private ApiHost(Harness harness, LocalWebHost web)
    {
        Harness = harness;
        _web = web;
        _http = new HttpClient { BaseAddress = web.Address };
    }

    public Harness Harness { get; }

    /// <summary>The client on the host's address, for tests that write requests by hand.</summary>
    public HttpClient Http => _http;

    public static async Task<ApiHost> StartAsync(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var harness = await Harness.CreateAsync(connectionString, configure, settings, withSample: false);
        var web = await LocalWebHost.StartAsync(harness.Services, 0, DashboardFiles.DefaultRoot, CancellationToken.None);
        return new ApiHost(harness, web);
    }

    /// <summary>Hands a mention off through the real pipeline stage and returns its handoff id.</summary>
    public async Task<string> HandOffAsync(string id, string text, long followers = 120)
    {
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", followers, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", Harness.Start, "contoso");
        Assert.Equal(ProcessOutcome.HandedOff, await Harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        return HandoffIds.For(mention.Key);
    }

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(
        string user, HttpMethod method, string path, string? json = null, string? ifMatch = null, string? principalHeader = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (user.Length > 0)
        {
            request.Headers.Add(WorkApi.DevUserHeader, user);
        }

        if (principalHeader is not null)
        {
            request.Headers.Add("X-MS-CLIENT-PRINCIPAL", principalHeader);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json")
        {
            body = JsonNode.Parse(text);
        }

        return ((int)response.StatusCode, body, response);
    }

    public async Task<(int Status, JsonNode? Body)> SendRawAsync(string user, HttpMethod method, string path, string body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Add(WorkApi.DevUserHeader, user);
        var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string user, string path) => SendAsync(user, HttpMethod.Get, path);

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string user, string path, string json = "{}", string? ifMatch = null) =>
        SendAsync(user, HttpMethod.Post, path, json, ifMatch);

    public async Task<string> TextAsync(string user, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Add(WorkApi.DevUserHeader, user);
        var response = await _http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _web.DisposeAsync();
        await Harness.DisposeAsync();
    }
}
