using System.Text;
using Microsoft.AspNetCore.Http;

namespace SocialHandoff.Core.Api;

/// <summary>
/// The one translation between ASP.NET Core's HTTP types and the host-neutral API: the local runner's
/// Kestrel and the Functions app (ASP.NET Core integration) both hand their <see cref="HttpContext"/>
/// here, so the API answers the same bytes in both.
/// </summary>
public static class ApiHttp
{
    /// <summary>
    /// Reads the request (a body over <see cref="WorkApi.MaxBodyBytes"/> is a 413), asks the API, writes its
    /// answer; whatever escapes is still answered as problem+json by <see cref="WorkApi.Fault"/> (503 for storage).
    /// </summary>
    public static async Task ServeApiAsync(HttpContext context, WorkApi api)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(api);
        try
        {
            await ServeApiCoreAsync(context, api).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            await WriteAsync(context, api.Fault(ex, context.Request.Method, context.Request.Path.Value ?? "/")).ConfigureAwait(false);
        }
    }

    /// <summary>GET or HEAD of a dashboard file; any other method is a 405; a failure is problem+json as for the API.</summary>
    public static async Task ServeFileAsync(HttpContext context, DashboardFiles files, WorkApi api)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(api);
        try
        {
            await ServeFileCoreAsync(context, files).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            await WriteAsync(context, api.Fault(ex, context.Request.Method, context.Request.Path.Value ?? "/")).ConfigureAwait(false);
        }
    }

    private static async Task ServeApiCoreAsync(HttpContext context, WorkApi api)
    {
        var request = context.Request;
        string? body = null;
        if (request.ContentLength is > WorkApi.MaxBodyBytes)
        {
            await WriteAsync(context, WorkApi.BodyTooLarge()).ConfigureAwait(false);
            return;
        }

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

    private static async Task ServeFileCoreAsync(HttpContext context, DashboardFiles files)
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

    public static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(response);
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        // 204 No Content has neither a body nor a content type (a client must not try to parse one).
        if (response.Status == StatusCodes.Status204NoContent)
        {
            return;
        }

        context.Response.ContentType = response.ContentType;
        await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
