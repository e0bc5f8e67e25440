using System.Reflection;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SocialHandoff.Infra.Tests;

/// <summary>
/// Every [LoggerMessage] in the product (Core, the local runner, the Functions app) has an id used
/// once and a name used once, and functions/LogEvents.md lists them as the code has them: queries
/// and alerts key on these, so a clash or a silent renumbering must fail here.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class LogEventTests(BicepFixture bicep)
{
    private const string UpdateVariable = "SOCIALHANDOFF_UPDATE_LOG_EVENTS";

    private static readonly Assembly[] Product =
    [
        typeof(SocialHandoff.Core.ServiceCollectionExtensions).Assembly,
        typeof(SocialHandoff.Local.Pipeline.QueuePumpOptions).Assembly,
        typeof(SocialHandoff.Functions.FunctionsComposition).Assembly,
    ];

    [Fact]
    public void LoggerMessages_ProductAssemblies_IdsUniqueAndNamedOnce()
    {
        var events = LogEvents();
        Assert.True(events.Count >= 25, $"only {events.Count} [LoggerMessage] methods found: is the reflection still seeing them?");
        Assert.All(events, e => Assert.True(e.Id > 0, $"{e.Where} has no EventId"));
        Assert.All(events, e => Assert.False(string.IsNullOrWhiteSpace(e.Name), $"{e.Where} (event {e.Id}) has no EventName"));
        Assert.Empty(events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Where))}"));
        Assert.Empty(events.GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Where))}"));
    }

    [Fact]
    public void LogEventsDoc_ComparedWithTheCode_ListsEveryEventAsDeclared()
    {
        var path = Path.Combine(bicep.RepositoryRoot, "functions", "LogEvents.md");
        var expected = Render(LogEvents());
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, expected);
        }

        var actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "(missing)";
        Assert.True(expected == actual, $"{path} is not what the code declares; regenerate it with {UpdateVariable}=1 dotnet test tests/SocialHandoff.Infra.Tests --filter LogEvents");
    }

    private sealed record LogEvent(int Id, string Name, LogLevel Level, string Message, string Where);

    private static List<LogEvent> LogEvents() =>
        Product
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
                .Where(x => x.Attribute is not null)
                .Select(x => new LogEvent(x.Attribute!.EventId, x.Attribute.EventName ?? "", x.Attribute.Level, x.Attribute.Message, $"{t.FullName}.{x.Method.Name}")))
            .OrderBy(e => e.Id)
            .ToList();

    private static string Render(IReadOnlyList<LogEvent> events)
    {
        var doc = new StringBuilder();
        doc.Append("# Log events\n\n");
        doc.Append("Every `[LoggerMessage]` of the product, by id. Generated from the code and checked by\n");
        doc.Append("`LogEventTests` in tests/SocialHandoff.Infra.Tests (regenerate with `SOCIALHANDOFF_UPDATE_LOG_EVENTS=1`).\n");
        doc.Append("Ranges: 11xx ingest, 12xx processing, 13xx dead letters, 14xx policies, 15xx SLA, 16xx API and\n");
        doc.Append("agent actions, 175x the team directory and auto-assignment, 177x incidents, 2xxx the local runner.\n");
        doc.Append("In Application Insights the id and name are\n");
        doc.Append("`customDimensions.EventId` / `EventName`; counts to alert on are metrics (README, Observability).\n\n");
        doc.Append("| id | name | level | message | where |\n|---|---|---|---|---|\n");
        foreach (var e in events)
        {
            var where = e.Where.Replace("SocialHandoff.", "", StringComparison.Ordinal);
            doc.Append($"| {e.Id} | {e.Name} | {e.Level} | {e.Message.Replace("|", "\\|", StringComparison.Ordinal)} | `{where}` |\n");
        }

        return doc.ToString();
    }
}
