using System.Globalization;

namespace SocialHandoff.Core.Sla;

/// <summary>
/// What changed between two versions of the SLA policies, in a manager's words: "care P1 first
/// response 1 h → 30 min", "holiday 2026-12-25 added to calendar 'uk-office'". Calendars and
/// policies are matched by name, so a renamed one reads as one removed and one added. Pure.
/// </summary>
public static class SlaPolicySetDiff
{
    private static readonly string[] DayOrder = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static IReadOnlyList<string> Describe(SlaPolicySet? older, SlaPolicySet newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        if (older is null)
        {
            return [$"first version: {Count(newer.Calendars.Count, "calendar")} ({string.Join(", ", newer.Calendars.Select(c => $"'{c.Name}'"))}), {Count(newer.Policies.Count, "policy", "policies")}"];
        }

        var changes = new List<string>();
        var oldCalendars = ByName(older.Calendars, c => c.Name);
        var newCalendars = ByName(newer.Calendars, c => c.Name);
        foreach (var (name, old) in oldCalendars.Where(c => !newCalendars.ContainsKey(c.Key)))
        {
            changes.Add($"calendar '{name}' removed (was {CalendarSummary(old)})");
        }

        foreach (var calendar in newer.Calendars)
        {
            if (!oldCalendars.TryGetValue(calendar.Name, out var old))
            {
                changes.Add($"calendar '{calendar.Name}' added: {CalendarSummary(calendar)}");
                continue;
            }

            changes.AddRange(CalendarChanges(old, calendar));
        }

        var oldPolicies = ByName(older.Policies, p => p.Name);
        var newPolicies = ByName(newer.Policies, p => p.Name);
        foreach (var (name, old) in oldPolicies.Where(p => !newPolicies.ContainsKey(p.Key)))
        {
            changes.Add($"policy '{name}' removed (was {PolicySummary(old)})");
        }

        foreach (var policy in newer.Policies)
        {
            if (!oldPolicies.TryGetValue(policy.Name, out var old))
            {
                changes.Add($"policy '{policy.Name}' added: {PolicySummary(policy)}");
                continue;
            }

            var parts = new List<string>();
            if (old.Team != policy.Team || old.Priority != policy.Priority)
            {
                parts.Add($"now for {Covers(policy)} (was {Covers(old)})");
            }

            AddChange(parts, "first response", old.FirstResponse, policy.FirstResponse);
            AddChange(parts, "resolution", old.Resolution, policy.Resolution);
            AddChange(parts, "warning before", old.WarnBefore, policy.WarnBefore);
            if (old.Calendar != policy.Calendar)
            {
                parts.Add($"calendar '{old.Calendar}' → '{policy.Calendar}'");
            }

            if (!string.Equals(old.ClockStart, policy.ClockStart, StringComparison.OrdinalIgnoreCase))
            {
                parts.Add($"clocks start at {ClockStart(old)} → {ClockStart(policy)}");
            }

            if (parts.Count > 0)
            {
                changes.Add($"{Covers(policy)} (policy '{policy.Name}') {string.Join("; ", parts)}");
            }
        }

        return changes.Count > 0 ? changes : ["no change"];
    }

    private static IEnumerable<string> CalendarChanges(CalendarDefinition old, CalendarDefinition now)
    {
        var name = $"calendar '{now.Name}'";
        if (old.AlwaysOpen != now.AlwaysOpen)
        {
            yield return now.AlwaysOpen ? $"{name} now open 24/7" : $"{name} no longer 24/7: {CalendarSummary(now)}";
            yield break;
        }

        if (now.AlwaysOpen)
        {
            yield break;
        }

        if (old.TimeZone != now.TimeZone)
        {
            yield return $"{name} time zone {old.TimeZone} → {now.TimeZone}";
        }

        foreach (var day in DayOrder)
        {
            var was = Shifts(old, day);
            var isNow = Shifts(now, day);
            if (was != isNow)
            {
                yield return $"{name} {Day(day)} {was} → {isNow}";
            }
        }

        foreach (var added in now.Holidays.Except(old.Holidays, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            yield return $"holiday {added} added to {name}";
        }

        foreach (var removed in old.Holidays.Except(now.Holidays, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            yield return $"holiday {removed} removed from {name}";
        }
    }

    private static void AddChange(List<string> parts, string label, TimeSpan old, TimeSpan now)
    {
        if (old != now)
        {
            parts.Add($"{label} {SlaDuration.Format(old)} → {SlaDuration.Format(now)}");
        }
    }

    /// <summary>"care P1", "care, any priority", "every team P1", "every team, any priority".</summary>
    public static string Covers(SlaPolicyDefinition policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var team = policy.Team == "*" ? "every team" : policy.Team;
        return policy.Priority == "*" ? $"{team}, any priority" : $"{team} {policy.Priority}";
    }

    private static string PolicySummary(SlaPolicyDefinition p) =>
        $"{Covers(p)}, first response {SlaDuration.Format(p.FirstResponse)}, resolution {SlaDuration.Format(p.Resolution)}, warning {SlaDuration.Format(p.WarnBefore)} before, calendar '{p.Calendar}'"
        + (string.Equals(p.ClockStart, SlaPolicy.ClockStartPosted, StringComparison.OrdinalIgnoreCase) ? ", clocks start at posting" : "");

    private static string ClockStart(SlaPolicyDefinition p) =>
        string.Equals(p.ClockStart, SlaPolicy.ClockStartPosted, StringComparison.OrdinalIgnoreCase) ? "posting" : "handoff";

    private static string CalendarSummary(CalendarDefinition c)
    {
        if (c.AlwaysOpen)
        {
            return "open 24/7";
        }

        var days = DayOrder.Select(d => (Day: d, Shifts: Shifts(c, d))).Where(d => d.Shifts != "closed").ToList();
        var week = days.Count == 0 ? "no working hours" : string.Join(", ", days.Select(d => $"{Day(d.Day)} {d.Shifts}"));
        return $"{c.TimeZone}, {week}, {Count(c.Holidays.Count, "holiday")}";
    }

    private static string Shifts(CalendarDefinition c, string day)
    {
        var listed = c.Week.FirstOrDefault(d => string.Equals(d.Key, day, StringComparison.OrdinalIgnoreCase)).Value;
        return listed is { Count: > 0 } ? string.Join(" and ", listed.Order(StringComparer.Ordinal)) : "closed";
    }

    private static string Day(string day) => char.ToUpperInvariant(day[0]) + day[1..];

    private static Dictionary<string, T> ByName<T>(IEnumerable<T> items, Func<T, string> name) =>
        items.GroupBy(name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static string Count(int n, string one, string? many = null) =>
        n == 1 ? $"1 {one}" : string.Create(CultureInfo.InvariantCulture, $"{n} {many ?? one + "s"}");
}
