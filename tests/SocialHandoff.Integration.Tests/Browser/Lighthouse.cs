using System.Text.Json;
using SocialHandoff.Local.Processes;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// Lighthouse's accessibility category (npm <c>lighthouse</c>, pinned with axe-core in Browser/axe) run
/// by node against the system Chromium (<c>CHROME_PATH</c>), headless and offline.
/// </summary>
internal static class Lighthouse
{
    /// <summary>The accessibility score (0..100) and the audits that failed, as "id: title" lines.</summary>
    public static async Task<(int Score, IReadOnlyList<string> Failed)> AccessibilityAsync(Uri page, string devUser, CancellationToken cancellationToken)
    {
        await AuditTools.EnsureInstalledAsync(cancellationToken);
        var report = Path.Combine(Path.GetTempPath(), $"lighthouse-{Guid.NewGuid():N}.json");
        try
        {
            var flags = string.Join(' ', new[] { "--headless=new" }.Concat(Chromium.Args));
            var (exitCode, output) = await ProcessRunner.RunAsync(
                "node",
                [
                    AuditTools.LighthouseCliPath, page.ToString(),
                    "--only-categories=accessibility", "--output=json", $"--output-path={report}", "--quiet",
                    $"--chrome-flags={flags}",
                    $"--extra-headers={JsonSerializer.Serialize(new Dictionary<string, string> { ["X-Dev-User"] = devUser })}",
                    "--max-wait-for-load=60000",
                ],
                AuditTools.Directory,
                new Dictionary<string, string> { ["CHROME_PATH"] = Chromium.ExecutablePath },
                cancellationToken);
            Assert.True(exitCode == 0 && File.Exists(report), $"lighthouse exited with {exitCode}: {output}");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, cancellationToken));
            var root = json.RootElement;
            if (root.TryGetProperty("runtimeError", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                Assert.Fail($"lighthouse could not audit {page}: {error}");
            }

            // A page that failed to draw its cards could score 100 on what is left. Only the cards' buttons
            // carry a visible word and a longer aria-label, so this audit applies exactly when they were drawn.
            var cards = root.GetProperty("audits").GetProperty("label-content-name-mismatch").GetProperty("scoreDisplayMode").GetString();
            Assert.True(cards != "notApplicable", $"Lighthouse saw no queue cards on {page}.");

            var category = root.GetProperty("categories").GetProperty("accessibility");
            var score = category.GetProperty("score").ValueKind == JsonValueKind.Number ? (int)Math.Round(category.GetProperty("score").GetDouble() * 100) : 0;
            var audits = root.GetProperty("audits");
            var failed = category.GetProperty("auditRefs").EnumerateArray()
                .Select(r => audits.GetProperty(r.GetProperty("id").GetString()!))
                .Where(a => a.GetProperty("score").ValueKind == JsonValueKind.Number && a.GetProperty("score").GetDouble() < 1)
                .Select(a => $"{a.GetProperty("id").GetString()}: {a.GetProperty("title").GetString()}")
                .ToList();
            return (score, failed);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
