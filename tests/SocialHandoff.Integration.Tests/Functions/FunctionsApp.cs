using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SocialHandoff.Functions;

namespace SocialHandoff.Integration.Tests.Functions;

/// <summary>The Functions app's own composition on Azurite, with a fake clock: the function classes are built from it as the worker builds them.</summary>
internal sealed class FunctionsApp : IAsyncDisposable
{
    private FunctionsApp(ServiceProvider services, string connectionString)
    {
        Services = services;
        ConnectionString = connectionString;
    }

    public ServiceProvider Services { get; }

    public string ConnectionString { get; }

    public FakeTimeProvider Clock => (FakeTimeProvider)Services.GetRequiredService<TimeProvider>();

    public static FunctionsApp Create(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var configuration = Harness.Configuration(connectionString, settings);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Harness.Start));
        services.AddSocialHandoffFunctions();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // As the host does at start-up: every options class bound and validated.
        provider.GetRequiredService<IStartupValidator>().Validate();
        return new FunctionsApp(provider, connectionString);
    }

    /// <summary>A function class, created as the worker creates it: constructor injection from the app's services.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public TableClient Table(string name) => new TableServiceClient(ConnectionString).GetTableClient(name);

    /// <summary>Runs an HTTP function's result against a real ASP.NET Core context, as the worker's ASP.NET Core integration does.</summary>
    public static async Task<(int Status, string ContentType, string Body, IHeaderDictionary Headers)> InvokeAsync(
        Func<HttpRequest, IActionResult> function, string method, string pathAndQuery, string? user = null, string? body = null)
    {
        var context = new DefaultHttpContext();
        var uri = new Uri("http://localhost" + pathAndQuery);
        context.Request.Method = method;
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        context.Request.Host = new HostString("localhost");
        if (user is not null)
        {
            context.Request.Headers["X-Dev-User"] = user;
        }

        if (body is not null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = "application/json";
        }

        var response = new MemoryStream();
        context.Response.Body = response;
        var result = function(context.Request);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return (context.Response.StatusCode, context.Response.ContentType ?? "", System.Text.Encoding.UTF8.GetString(response.ToArray()), context.Response.Headers);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
