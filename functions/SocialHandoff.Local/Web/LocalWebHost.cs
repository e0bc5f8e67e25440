using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core;
using SocialHandoff.Core.Api;

namespace SocialHandoff.Local.Web;

/// <summary>
/// The API and dashboard on 127.0.0.1, as the Functions app serves them in Azure: Kestrel hands
/// /api/* to <see cref="WorkApi"/> and every other path to <see cref="DashboardFiles"/>. A thin host:
/// it only translates requests and responses.
/// </summary>
public sealed class LocalWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServiceProvider? _ownedServices;

    private LocalWebHost(WebApplication app, Uri address, IServiceProvider services, ServiceProvider? ownedServices)
    {
        _app = app;
        Address = address;
        Services = services;
        _ownedServices = ownedServices;
    }

    /// <summary>The base address, e.g. http://127.0.0.1:7071/.</summary>
    public Uri Address { get; }

    /// <summary>The pipeline's services the API runs on.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Builds the pipeline's services from <paramref name="configuration"/> and serves them on a free loopback port.</summary>
    public static async Task<LocalWebHost> StartAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddSocialHandoff();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var host = await StartAsync(provider, 0, DashboardFiles.DefaultRoot, cancellationToken).ConfigureAwait(false);
        return new LocalWebHost(host._app, host.Address, provider, provider);
    }

    /// <summary>Serves the API on the given services (port 0: a free one).</summary>
    public static async Task<LocalWebHost> StartAsync(IServiceProvider services, int port, string dashboardRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var api = services.GetRequiredService<WorkApi>();
        var files = new DashboardFiles(dashboardRoot);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = WorkApi.MaxBodyBytes);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use((context, next) => IsOwnHost(context) ? next(context) : WriteAsync(context, MisdirectedRequest(context)));
        app.Map("/api/{**rest}", (HttpContext context) => ServeApiAsync(context, api));
        app.MapFallback("{**path}", (HttpContext context) => ServeFileGuardedAsync(context, files, api));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalWebHost(app, new Uri(address.TrimEnd('/') + "/"), services, null);
    }

    /// <summary>
    /// Only requests addressed to this host by its loopback name and port: a page on another origin
    /// whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name, and must not act as
    /// a development identity or read the dashboard.
    /// </summary>
    internal static bool IsOwnHost(HttpContext context)
    {
        var host = context.Request.Host;
        if (!host.HasValue)
        {
            return false;
        }

        var port = context.Connection.LocalPort;
        var portMatches = host.Port == port || (host.Port is null && port == 80);
        return portMatches && (host.Host.Equals("127.0.0.1", StringComparison.Ordinal)
            || host.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.Host.Equals("[::1]", StringComparison.Ordinal));
    }

    private static ApiResponse MisdirectedRequest(HttpContext context) => new(
        StatusCodes.Status421MisdirectedRequest,
        ApiResponse.ProblemJson,
        "{\"type\":\"https://socialhandoff.dev/problems/misdirected\",\"title\":\"Wrong host.\",\"status\":421,\"detail\":\"This server answers only requests addressed to 127.0.0.1, localhost or [::1] on port "
            + context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture) + ".\"}",
        new Dictionary<string, string> { ["Cache-Control"] = "no-store", ["X-Content-Type-Options"] = "nosniff" });

    private static async Task ServeApiAsync(HttpContext context, WorkApi api)
    {
        try
        {
            await ServeApiCoreAsync(context, api).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            // The last resort: anything the API itself did not answer is still problem+json, logged, with no internals.
            await WriteAsync(context, api.Fault(ex, context.Request.Method, context.Request.Path.Value ?? "/")).ConfigureAwait(false);
        }
    }

    private static async Task ServeApiCoreAsync(HttpContext context, WorkApi api)
    {
        var request = context.Request;

        string? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            try
            {
                body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await WriteAsync(context, WorkApi.BodyTooLarge()).ConfigureAwait(false);
                return;
            }
        }

        var apiRequest = new ApiRequest(
            request.Method,
            request.Path.Value ?? "/",
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            name => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null,
            name => request.Cookies.TryGetValue(name, out var value) ? value : null,
            body);
        await WriteAsync(context, await api.HandleAsync(apiRequest, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task ServeFileGuardedAsync(HttpContext context, DashboardFiles files, WorkApi api)
    {
        try
        {
            await ServeFileAsync(context, files).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            await WriteAsync(context, api.Fault(ex, context.Request.Method, context.Request.Path.Value ?? "/")).ConfigureAwait(false);
        }
    }

    private static async Task ServeFileAsync(HttpContext context, DashboardFiles files)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            await WriteAsync(context, new ApiResponse(
                StatusCodes.Status405MethodNotAllowed,
                ApiResponse.ProblemJson,
                "{\"type\":\"https://socialhandoff.dev/problems/method-not-allowed\",\"title\":\"Method not allowed.\",\"status\":405,\"detail\":\"The dashboard's files answer GET and HEAD.\"}",
                new Dictionary<string, string>(DashboardFiles.SecurityHeaders) { ["Allow"] = "GET, HEAD" })).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, await files.GetAsync(context.Request.Path.Value ?? "/", context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_ownedServices is not null)
        {
            await _ownedServices.DisposeAsync().ConfigureAwait(false);
        }
    }
}
