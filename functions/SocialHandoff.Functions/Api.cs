using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.Api;

namespace SocialHandoff.Functions;

/// <summary>
/// HTTP api/*: the team work API. App Service Authentication (Entra ID) signs users in in front of
/// the app and passes X-MS-CLIENT-PRINCIPAL; WorkApi checks roles on every route, so the function
/// level is anonymous.
/// </summary>
internal sealed class Api(WorkApi api)
{
    [Function(nameof(Api))]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "delete", "patch", Route = "api/{*path}")] HttpRequest request) =>
        new HttpContextResult(context => ApiHttp.ServeApiAsync(context, api));
}

/// <summary>HTTP GET on every other path: the dashboard's static files, deployed beside the app in dashboard/.</summary>
internal sealed class Dashboard(WorkApi api)
{
    private static readonly DashboardFiles Files = new(DashboardFiles.DefaultRoot);

    [Function(nameof(Dashboard))]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request) =>
        new HttpContextResult(context => ApiHttp.ServeFileAsync(context, Files, api));
}

/// <summary>Writes the response through <see cref="ApiHttp"/>, the same code the local runner's Kestrel uses.</summary>
internal sealed class HttpContextResult(Func<HttpContext, Task> write) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return write(context.HttpContext);
    }
}
