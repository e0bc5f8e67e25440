using System.Globalization;
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
    private int _disposed;

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
        app.Use((context, next) => IsOwnHost(context) ? next(context) : ApiHttp.WriteAsync(context, MisdirectedRequest(context)));
        app.Map("/api/{**rest}", (HttpContext context) => ApiHttp.ServeApiAsync(context, api));
        app.MapFallback("{**path}", (HttpContext context) => ApiHttp.ServeFileAsync(context, files, api));
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

    /// <summary>Stops serving; a second call does nothing (the runner stops it before Azurite, then leaves its scope).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_ownedServices is not null)
        {
            await _ownedServices.DisposeAsync().ConfigureAwait(false);
        }
    }
}
