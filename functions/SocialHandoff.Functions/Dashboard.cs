using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using SocialHandoff.Core.Api;

namespace SocialHandoff.Functions;

/// <summary>HTTP GET on every other path: the dashboard's static files, deployed beside the app in dashboard/.</summary>
internal sealed class Dashboard
{
    private static readonly DashboardFiles Files = new(DashboardFiles.DefaultRoot);

    [Function(nameof(Dashboard))]
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{*path}")] HttpRequestData request,
        CancellationToken cancellationToken) =>
        await HttpResponses.WriteAsync(request, await Files.GetAsync(request.Url.AbsolutePath, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
}

internal static class HttpResponses
{
    public static async Task<HttpResponseData> WriteAsync(HttpRequestData request, ApiResponse response, CancellationToken cancellationToken)
    {
        var http = request.CreateResponse((System.Net.HttpStatusCode)response.Status);
        http.Headers.Add("Content-Type", response.ContentType);
        foreach (var (name, value) in response.Headers)
        {
            http.Headers.Add(name, value);
        }

        cancellationToken.ThrowIfCancellationRequested();
        await http.WriteStringAsync(response.Body).ConfigureAwait(false);
        return http;
    }
}
