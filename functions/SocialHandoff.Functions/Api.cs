using System.Web;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
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
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "delete", "patch", Route = "api/{*path}")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        ApiResponse response;
        try
        {
            if (request.Headers.TryGetValues("Content-Length", out var lengths) && long.TryParse(lengths.FirstOrDefault(), out var length) && length > WorkApi.MaxBodyBytes)
            {
                return await HttpResponses.WriteAsync(request, WorkApi.BodyTooLarge(), cancellationToken).ConfigureAwait(false);
            }

            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            var query = HttpUtility.ParseQueryString(request.Url.Query);
            response = await api.HandleAsync(
                new ApiRequest(
                    request.Method.ToUpperInvariant(),
                    request.Url.AbsolutePath,
                    query.AllKeys.OfType<string>().ToDictionary(k => k, k => query[k] ?? "", StringComparer.OrdinalIgnoreCase),
                    name => request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null,
                    name => request.Cookies.FirstOrDefault(c => c.Name == name)?.Value,
                    body.Length == 0 ? null : body),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The last resort, as the local host has: whatever escaped is still problem+json, logged, with no internals.
            response = api.Fault(ex, request.Method, request.Url.AbsolutePath);
        }

        return await HttpResponses.WriteAsync(request, response, cancellationToken).ConfigureAwait(false);
    }
}
