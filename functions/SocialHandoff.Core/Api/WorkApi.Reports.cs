using System.Globalization;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Api;

public sealed partial class WorkApi
{
    private const int DefaultReportDays = 14;
    private const int MaxReportDays = 92;
    private const int DefaultBreachesPage = 100;

    // Reports read whole UTC days and step a day past the range, so the calendar's last day cannot be asked for.
    private static readonly DateOnly MinReportDate = new(2000, 1, 1);
    private static readonly DateOnly MaxReportDate = DateOnly.MaxValue.AddDays(-1);

    private async Task<ApiResponse> ReportAsync(ApiRequest request, string report, Caller caller, CancellationToken ct)
    {
        if (report is not ("summary" or "summary.csv" or "breaches" or "breaches.csv" or "at-risk" or "at-risk.csv" or "first-response"))
        {
            return NotFound($"'{report}' is not an SLA report: use summary, breaches, at-risk or first-response (add .csv for a file).");
        }

        if (!caller.IsManager)
        {
            return ProblemResponse(403, "forbidden", "Managers only.", $"{caller.Name} is not a manager: SLA reports are for managers.");
        }

        var errors = new Dictionary<string, string[]>();
        var team = Query(request, "team")?.ToLowerInvariant();
        if (team is not null && !StorageNames.IsValidTeamName(team))
        {
            errors["team"] = ["must be a team name (lowercase letters, digits, hyphens)."];
        }

        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var to = DateQuery(request, "to", today, errors);
        var from = DateQuery(request, "from", to.AddDays(-(DefaultReportDays - 1)), errors);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to"))
        {
            if (from > to)
            {
                errors["from"] = ["must not be after to."];
            }
            else if (to.DayNumber - from.DayNumber >= MaxReportDays)
            {
                errors["from"] = [$"the range may span at most {MaxReportDays} days."];
            }
        }

        // The breaches list comes a page at a time: limit, and the continuation the page before gave.
        var limit = report == "breaches" ? IntQuery(request, "limit", DefaultBreachesPage, 1, SlaReports.MaxBreachesPage, errors) : 0;
        string? after = null;
        if (report == "breaches" && Query(request, "continuation") is { } continuation && (after = SlaBreachRows.FromContinuation(continuation)) is null)
        {
            errors["continuation"] = ["must be the continuation a page of breaches gave, unchanged."];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        switch (report)
        {
            case "summary":
                return JsonResponse(200, new SummaryMessage(from, to, await reports.SummaryAsync(team, from, to, ct).ConfigureAwait(false)), ApiJsonContext.Default.SummaryMessage);
            case "summary.csv":
                var rows = await reports.SummaryAsync(team, from, to, ct).ConfigureAwait(false);
                return CsvResponse($"sla-summary-{from:yyyy-MM-dd}-{to:yyyy-MM-dd}.csv", Csv.Write(
                    ["team", "day", "received", "open", "firstResponded", "firstResponseMet", "firstResponseBreached", "resolutionMet", "resolutionBreached", "atRisk", "metRate", "medianFirstResponseMinutes"],
                    rows.Select(r => (IReadOnlyList<string?>)[
                        r.Team, r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Format(r.Received), Format(r.Open), Format(r.FirstResponded),
                        Format(r.FirstResponseMet), Format(r.FirstResponseBreached), Format(r.ResolutionMet), Format(r.ResolutionBreached), Format(r.AtRisk),
                        r.MetRate is { } rate ? SlaReports.Format(rate) : "", r.MedianFirstResponseMinutes is { } median ? SlaReports.Format(median) : ""])));
            case "breaches":
                var page = await reports.BreachesAsync(team, from, to, limit, after, ct).ConfigureAwait(false);
                return JsonResponse(200, new SlaBreachesMessage(Named(page.Items), page.Continuation), ApiJsonContext.Default.SlaBreachesMessage);
            case "breaches.csv":
                return CsvResponse($"sla-breaches-{from:yyyy-MM-dd}-{to:yyyy-MM-dd}.csv", ListCsv(await reports.AllBreachesAsync(team, from, to, ct).ConfigureAwait(false), "minutesLate"));
            case "at-risk":
                return JsonResponse(200, new SlaListMessage(Named(await reports.AtRiskAsync(team, ct).ConfigureAwait(false))), ApiJsonContext.Default.SlaListMessage);
            case "at-risk.csv":
                return CsvResponse($"sla-at-risk-{today:yyyy-MM-dd}.csv", ListCsv(await reports.AtRiskAsync(team, ct).ConfigureAwait(false), "minutesLeft"));
            default:
                return JsonResponse(200, await reports.FirstResponseAsync(team, from, to, ct).ConfigureAwait(false), ApiJsonContext.Default.FirstResponseReport);
        }
    }

    /// <summary>Each assignee's display name beside the key, so the manager's lists show people, not object ids.</summary>
    private List<SlaListItem> Named(IReadOnlyList<SlaListItem> items) =>
        items.Select(i => i.Assignee is { } key ? i with { AssigneeName = directory.DisplayName(key) } : i).ToList();

    private static string ListCsv(IReadOnlyList<SlaListItem> items, string minutesColumn) => Csv.Write(
        ["id", "team", "priority", "clock", "dueAt", minutesColumn, "assignee", "status", "text"],
        items.Select(i => (IReadOnlyList<string?>)[
            i.Id, i.Team, i.Priority, i.Clock, i.DueAt?.ToString("O", CultureInfo.InvariantCulture), Format(i.Minutes), i.Assignee, i.Status, i.Text]));

    private static ApiResponse CsvResponse(string fileName, string csv) =>
        new(200, ApiResponse.CsvType, csv, WithNoStore(new Dictionary<string, string> { ["Content-Disposition"] = $"attachment; filename=\"{fileName}\"" }));

    private static DateOnly DateQuery(ApiRequest request, string name, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (Query(request, name) is not { } text)
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day >= MinReportDate && day <= MaxReportDate)
        {
            return day;
        }

        errors[name] = [$"must be a date like 2026-11-23, from {MinReportDate:yyyy-MM-dd} to {MaxReportDate:yyyy-MM-dd}."];
        return fallback;
    }
}
