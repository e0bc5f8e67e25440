using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SocialHandoff.Integration.Tests;

/// <summary>A real HTTP server on 127.0.0.1 (Kestrel, a free port) answering /2/tweets/search/recent as the test scripts it.</summary>
internal sealed class XLoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private XLoopbackServer(WebApplication app) => _app = app;

    /// <summary>Query string and Authorization header of every request, in order.</summary>
    public ConcurrentQueue<(IQueryCollection Query, string? Authorization)> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <param name="respond">Given the request and its 0-based number, writes the response.</param>
    public static async Task<XLoopbackServer> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new XLoopbackServer(app);
        var count = -1;
        app.MapGet("/2/tweets/search/recent", async context =>
        {
            server.Requests.Enqueue((context.Request.Query, context.Request.Headers.Authorization.ToString()));
            await respond(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First() + "/");
        return server;
    }

    public static Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
        return context.Response.WriteAsync(json);
    }

    /// <summary>The documented error shape of X API v2.</summary>
    public static string Problem(string title, string detail, int status) =>
        $$"""{"title":"{{title}}","detail":"{{detail}}","type":"about:blank","status":{{status}}}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
