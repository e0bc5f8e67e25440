using System.Diagnostics;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Api;

/// <summary>One span per API action, named by its route template (never the raw path, which holds ids).</summary>
public sealed partial class WorkApi
{
    private static readonly HashSet<string> FixedSegments = new(StringComparer.Ordinal)
    {
        "api", "health", "me", "teams", "handoffs", "sla", "rules", "sla-policies", "validate", "dry-run",
        "summary", "summary.csv", "breaches", "breaches.csv", "at-risk", "at-risk.csv",
        "claim", "release", "respond", "pause", "resume", "resolve", "reassign", "notes",
    };

    /// <summary>Answers one API request (see <c>HandleRequestAsync</c>) inside a span that records the route, the caller's method and the status.</summary>
    public async Task<ApiResponse> HandleAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var route = RouteTemplate(request.Path);
        using var activity = SocialHandoffTelemetry.ActivitySource.StartActivity($"{request.Method} {route}", ActivityKind.Internal);
        activity?.SetTag("http.request.method", request.Method);
        activity?.SetTag("http.route", route);
        try
        {
            var response = await HandleRequestAsync(request, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", response.Status);
            if (response.Status >= 500)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            return response;
        }
        catch (Exception ex)
        {
            activity.Fail(ex);
            throw;
        }
    }

    /// <summary>The path with every segment that is not a fixed route word replaced by {id}: "/api/handoffs/h-1/claim" is "/api/handoffs/{id}/claim".</summary>
    internal static string RouteTemplate(string path) =>
        "/" + string.Join('/', path.Split('?', 2)[0].Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Take(6)
            .Select(segment => FixedSegments.Contains(segment) ? segment : "{id}"));
}
