namespace SocialHandoff.Core.Api;

/// <summary>
/// Serves the dashboard's static files from one folder, for both hosts. Files are sent as they are
/// (no templating of anything); only known text types, no directory listing, nothing outside the
/// folder. Every response carries a Content-Security-Policy that allows no inline or foreign script,
/// so hostile mention text cannot run even if a page ever put it in the DOM as markup.
/// </summary>
public sealed class DashboardFiles(string root)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json; charset=utf-8",
    };

    private readonly string _root = Path.GetFullPath(root);

    /// <summary>The folder beside the app's binaries where both hosts deploy the dashboard.</summary>
    public static string DefaultRoot => Path.Combine(AppContext.BaseDirectory, "dashboard");

    public static IReadOnlyDictionary<string, string> SecurityHeaders { get; } = new Dictionary<string, string>
    {
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["X-Content-Type-Options"] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
        ["X-Frame-Options"] = "DENY",
    };

    /// <summary>The file for a URL path ("/" is index.html), or a 404.</summary>
    public async Task<ApiResponse> GetAsync(string urlPath, CancellationToken cancellationToken)
    {
        var relative = Uri.UnescapeDataString(urlPath ?? "").TrimStart('/');
        if (relative.Length == 0)
        {
            relative = "index.html";
        }

        // A NUL (sent as %2500, decoded twice) makes the path APIs throw, so it is refused before them.
        if (relative.Contains('\0', StringComparison.Ordinal))
        {
            return new ApiResponse(404, "text/plain; charset=utf-8", "Not found.", SecurityHeaders);
        }

        var full = Path.GetFullPath(Path.Combine(_root, relative));
        var inside = full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!inside || !Types.TryGetValue(Path.GetExtension(full), out var type) || !File.Exists(full))
        {
            return new ApiResponse(404, "text/plain; charset=utf-8", "Not found.", SecurityHeaders);
        }

        var body = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(SecurityHeaders) { ["Cache-Control"] = "no-cache" };
        return new ApiResponse(200, type, body, headers);
    }
}
