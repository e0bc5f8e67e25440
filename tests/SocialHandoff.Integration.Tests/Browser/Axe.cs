using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// axe-core against the page as it is now, for WCAG 2.1 A and AA. Any browser test can call it in the
/// states it reaches: <c>await Axe.AssertNoViolationsAsync(page, "queue with dialog")</c>.
/// The script is injected by Playwright with a script tag from a same-origin address that the test
/// answers itself (the page's Content-Security-Policy allows only 'self' scripts and stays on);
/// the dashboard never serves it.
/// </summary>
public static class Axe
{
    /// <summary>The rule tags checked: WCAG 2.0 and 2.1, levels A and AA.</summary>
    public static readonly IReadOnlyList<string> Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    private const string ScriptPath = "/__test-audit__/axe.min.js";

    /// <summary>Fails with each violation's rule, help text and first offending elements.</summary>
    public static async Task AssertNoViolationsAsync(IPage page, string state)
    {
        ArgumentNullException.ThrowIfNull(page);
        var violations = await RunAsync(page);
        Assert.True(violations.Count == 0, Describe(state, violations));
    }

    /// <summary>The WCAG 2.1 A/AA violations on the page now (rule id, impact, help, offending elements).</summary>
    public static async Task<IReadOnlyList<AxeViolation>> RunAsync(IPage page, string? within = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        await InjectAsync(page);
        var json = await page.EvaluateAsync<JsonElement>(
            """
            async ([tags, within]) => {
              const context = within ? document.querySelector(within) : document;
              const result = await window.axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
              return result.violations.map((v) => ({
                id: v.id, impact: v.impact ?? '', help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
              }));
            }
            """,
            new object?[] { Tags, within });
        return json.EnumerateArray()
            .Select(v => new AxeViolation(
                v.GetProperty("id").GetString()!,
                v.GetProperty("impact").GetString()!,
                v.GetProperty("help").GetString()!,
                [.. v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!)]))
            .ToList();
    }

    private static async Task InjectAsync(IPage page)
    {
        if (await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            return;
        }

        var script = await AuditTools.AxeScriptAsync();
        await page.RouteAsync("**" + ScriptPath, route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "text/javascript; charset=utf-8",
            Body = script,
        }));
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Url = ScriptPath });
        await page.WaitForFunctionAsync("() => typeof window.axe === 'object'");
    }

    private static string Describe(string state, IReadOnlyList<AxeViolation> violations)
    {
        var text = new StringBuilder($"axe found {violations.Count} WCAG 2.1 A/AA violation(s) in '{state}':");
        foreach (var v in violations)
        {
            text.AppendLine().Append($"- {v.Id} ({v.Impact}): {v.Help}");
            foreach (var node in v.Nodes)
            {
                text.AppendLine().Append($"    {node}");
            }
        }

        return text.ToString();
    }
}

public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Nodes);
