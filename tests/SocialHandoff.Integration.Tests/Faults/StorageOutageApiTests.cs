using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using SocialHandoff.Core.Api;
using SocialHandoff.Local.Azurite;
using SocialHandoff.Local.Web;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// The API with storage gone: every route that needs storage answers 503 problem+json with
/// Retry-After at once (regression: 500 "internal" after about 6 s of SDK retries), whether storage
/// refuses connections or accepts them and never answers.
/// </summary>
public sealed class StorageOutageApiTests
{
    private const string FullRuleSet = """{"rules":[],"default":{"team":"care","priority":"auto","tags":[],"slaPolicy":""}}""";

    /// <summary>Routes that read or write storage, with a body each accepts.</summary>
    private static readonly (string Method, string Path, string? Body)[] StorageRoutes =
    [
        ("GET", "api/teams", null),
        ("GET", "api/teams/care/handoffs", null),
        ("GET", "api/handoffs/h-0123456789abcdef0123456789abcdef", null),
        ("POST", "api/handoffs/h-0123456789abcdef0123456789abcdef/claim", "{}"),
        ("POST", "api/handoffs/h-0123456789abcdef0123456789abcdef/reassign", """{"team":"billing"}"""),
        ("GET", "api/sla/summary", null),
        ("GET", "api/sla/breaches", null),
        ("GET", "api/sla/at-risk", null),
        ("GET", "api/sla/first-response", null),
        ("GET", "api/sla/summary.csv", null),
        ("GET", "api/rules", null),
        ("POST", "api/rules/dry-run", FullRuleSet),
        ("GET", "api/rules/vocabulary", null),
        ("GET", "api/rules/history", null),
        ("POST", "api/rules/try", """{"text":"refund please"}"""),
        ("PUT", "api/rules", FullRuleSet),
        ("GET", "api/sla-policies", null),
    ];

    [Fact]
    public async Task EveryStorageRoute_StorageRefusesConnections_503ProblemWithRetryAfterAtOnce()
    {
        var port = UnusedPort();
        await using var web = await StartAsync(port);
        using var http = new HttpClient { BaseAddress = web.Address };

        foreach (var (method, path, body) in StorageRoutes)
        {
            var watch = Stopwatch.StartNew();
            using var response = await SendAsync(http, method, path, body);

            AssertUnavailable(response, method, path);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"{method} {path} took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task Health_StorageRefusesConnections_503WithRetryAfter()
    {
        await using var web = await StartAsync(UnusedPort());
        using var http = new HttpClient { BaseAddress = web.Address };

        using var response = await http.GetAsync("api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(WorkApi.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Get_StorageAcceptsButNeverAnswers_503AfterTheInteractiveTimeoutNotTheSdks100Seconds()
    {
        // A listener that takes connections and says nothing: the SDK's network timeout is the only way out.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(backlog: 64);
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await silent.AcceptTcpClientAsync(stop.Token));
            }
        });
        await using var web = await StartAsync(((IPEndPoint)silent.LocalEndpoint).Port);
        using var http = new HttpClient { BaseAddress = web.Address, Timeout = TimeSpan.FromSeconds(60) };

        var watch = Stopwatch.StartNew();
        using var response = await SendAsync(http, "GET", "api/rules", null);

        AssertUnavailable(response, "GET", "api/rules");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(12), $"took {watch.Elapsed}");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
        held.ForEach(c => c.Dispose());
    }

    private static void AssertUnavailable(HttpResponseMessage response, string method, string path)
    {
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(WorkApi.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add(WorkApi.DevUserHeader, "mia");
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    /// <summary>The local runner's web host on a storage account at 127.0.0.1:<paramref name="port"/> (every service on that port).</summary>
    private static Task<LocalWebHost> StartAsync(int port)
    {
        var account = AzuriteLauncher.AccountName;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] =
                    $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={AzuriteLauncher.AccountKey};" +
                    $"QueueEndpoint=http://127.0.0.1:{port}/{account};TableEndpoint=http://127.0.0.1:{port}/{account};",
            })
            .Build();
        return LocalWebHost.StartAsync(configuration, CancellationToken.None);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
