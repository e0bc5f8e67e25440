using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests;

/// <summary>One request as the loopback server saw it.</summary>
internal sealed record SeenRequest(string Method, string Path, IQueryCollection Query, IHeaderDictionary Headers, string Body);

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, a free port) for the Mastodon, Bluesky, Reddit and feed source
/// tests. Each test scripts the answers in the provider's documented format (bodies, headers and errors) with
/// the helpers of its test class; the server records every request.
/// </summary>
internal sealed class SourceLoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SourceLoopbackServer(WebApplication app) => _app = app;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests to paths that start with <paramref name="pathPrefix"/> (all when null).</summary>
    public IReadOnlyList<SeenRequest> RequestsTo(string? pathPrefix) =>
        Requests.Where(r => pathPrefix is null || r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    /// <param name="respond">Given the request, the request and its 0-based number among requests to the same path, writes the response.</param>
    public static async Task<SourceLoopbackServer> StartAsync(Func<HttpContext, SeenRequest, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SourceLoopbackServer(app);
        var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            // Copies: Kestrel reuses the request's collections once the response is written.
            var seen = new SeenRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                new QueryCollection(context.Request.Query.ToDictionary(q => q.Key, q => q.Value)),
                new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)),
                body);
            server.Requests.Enqueue(seen);
            var n = counts.AddOrUpdate(seen.Path, 0, (_, c) => c + 1);
            await respond(context, seen, n);
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First() + "/");
        return server;
    }

    public static Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    public static Task JsonAsync(HttpContext context, int status, string json) => WriteAsync(context, status, "application/json; charset=utf-8", json);

    /// <summary>The app's own composition with these settings, as the hosts build it.</summary>
    public static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSocialHandoff();
        return services.BuildServiceProvider();
    }

    /// <summary>The fast retries every source test uses (the shape is the product's; only the delays are short).</summary>
    public static void AddFastResilience(Dictionary<string, string?> settings, string section)
    {
        settings[section + ":Resilience:MaxRetryAttempts"] = "2";
        settings[section + ":Resilience:RetryBaseDelay"] = "00:00:00.010";
        settings[section + ":Resilience:MaxRetryDelay"] = "00:00:02";
        settings[section + ":Resilience:AttemptTimeout"] = "00:00:10";
        settings[section + ":Resilience:TotalTimeout"] = "00:00:30";
    }

    public static IMentionSource Source(IServiceProvider services, string name) =>
        Assert.Single(SocialHandoff.Core.ServiceCollectionExtensions.CreateSources(services), s => s.Name == name);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
