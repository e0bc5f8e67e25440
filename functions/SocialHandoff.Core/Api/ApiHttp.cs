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
    /// <summary>Reads the request (a body over <see cref="WorkApi.MaxBodyBytes"/> is a 413), asks the API, writes its answer.</summary>
    public static async Task ServeApiAsync(HttpContext context, WorkApi api)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(api);
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

    /// <summary>GET or HEAD of a dashboard file; any other method is a 405.</summary>
    public static async Task ServeFileAsync(HttpContext context, DashboardFiles files)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(files);
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        await WriteAsync(context, await files.GetAsync(context.Request.Path.Value ?? "/", context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(response);
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
