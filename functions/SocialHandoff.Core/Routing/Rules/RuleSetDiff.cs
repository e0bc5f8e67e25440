using System.Globalization;

namespace SocialHandoff.Core.Routing.Rules;

/// <summary>
/// What changed between two versions of the rules, in a manager's words: "rule 'refunds' added:
/// words refund, money back → billing, P2". Rules are matched by name, so a renamed rule reads as
/// one removed and one added. Pure.
/// </summary>
public static class RuleSetDiff
{
    public static IReadOnlyList<string> Describe(RuleSet? older, RuleSet newer)
    {
        ArgumentNullException.ThrowIfNull(newer);
        if (older is null)
        {
            return [$"first version: {Count(newer.Rules.Count)}; otherwise {Action(newer.Default)}"];
        }

        var changes = new List<string>();
        var before = older.Rules.Select((r, i) => (Rule: r, At: i + 1)).GroupBy(x => x.Rule.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var after = newer.Rules.Select((r, i) => (Rule: r, At: i + 1)).GroupBy(x => x.Rule.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (name, old) in before.Where(b => !after.ContainsKey(b.Key)))
        {
            changes.Add($"rule '{name}' removed (was {Summary(old.Rule)})");
        }

        foreach (var (rule, at) in newer.Rules.Select((r, i) => (r, i + 1)))
        {
            if (!before.TryGetValue(rule.Name, out var old))
            {
                changes.Add($"rule '{rule.Name}' added at position {at}: {Summary(rule)}");
                continue;
            }

            var parts = new List<string>();
            if (old.Rule.Enabled != rule.Enabled)
            {
                parts.Add(rule.Enabled ? "enabled" : "disabled");
            }

            parts.AddRange(Conditions(old.Rule.When, rule.When));
            parts.AddRange(ActionChanges(old.Rule.Then, rule.Then));
            if (old.At != at)
            {
                parts.Add(F($"moved from position {old.At} to {at}"));
            }

            if (parts.Count > 0)
            {
                changes.Add($"rule '{rule.Name}' {string.Join("; ", parts)}");
            }
        }

        if (ActionChanges(older.Default, newer.Default) is { Count: > 0 } fallback)
        {
            changes.Add($"default {string.Join("; ", fallback)}");
        }

        return changes.Count > 0 ? changes : ["no change"];
    }

    private static string Count(int rules) => rules == 1 ? "1 rule" : F($"{rules} rules");

    private static string Summary(RoutingRuleDefinition rule)
    {
        var when = ConditionText(rule.When);
        return $"{(when.Count > 0 ? string.Join(", ", when) : "any mention")} → {Action(rule.Then)}{(rule.Enabled ? "" : " (disabled)")}";
    }

    private static string Action(RuleAction action)
    {
        var parts = new List<string> { action.Team, action.Priority == "auto" ? "priority from urgency" : action.Priority };
        if (action.SlaPolicy.Length > 0)
        {
            parts.Add($"policy {action.SlaPolicy}");
        }

        if (action.Tags.Count > 0)
        {
            parts.Add($"tags {string.Join(", ", action.Tags)}");
        }

        return string.Join(", ", parts);
    }

    private static List<string> ConditionText(RuleConditions when)
    {
        var parts = new List<string>();
        foreach (var (label, list) in Lists(when))
        {
            if (list.Count > 0)
            {
                parts.Add($"{label} {string.Join(", ", list)}");
            }
        }

        foreach (var (label, value) in Scalars(when))
        {
            if (value is not null)
            {
                parts.Add($"{label} {value}");
            }
        }

        return parts;
    }

    private static IEnumerable<string> Conditions(RuleConditions old, RuleConditions now)
    {
        foreach (var ((label, was), (_, isNow)) in Lists(old).Zip(Lists(now)))
        {
            var added = isNow.Except(was, StringComparer.Ordinal).ToList();
            var removed = was.Except(isNow, StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                yield return $"{label} added {string.Join(", ", added)}";
            }

            if (removed.Count > 0)
            {
                yield return $"{label} removed {string.Join(", ", removed)}";
            }
        }

        foreach (var ((label, was), (_, isNow)) in Scalars(old).Zip(Scalars(now)))
        {
            if (was != isNow)
            {
                yield return $"{label} {was ?? "any"} → {isNow ?? "any"}";
            }
        }
    }

    private static List<string> ActionChanges(RuleAction old, RuleAction now)
    {
        var parts = new List<string>();
        if (old.Team != now.Team)
        {
            parts.Add($"team {old.Team} → {now.Team}");
        }

        if (old.Priority != now.Priority)
        {
            parts.Add($"priority {old.Priority} → {now.Priority}");
        }

        if (old.SlaPolicy != now.SlaPolicy)
        {
            parts.Add($"policy {(old.SlaPolicy.Length > 0 ? old.SlaPolicy : "team default")} → {(now.SlaPolicy.Length > 0 ? now.SlaPolicy : "team default")}");
        }

        if (!old.Tags.SequenceEqual(now.Tags, StringComparer.Ordinal))
        {
            parts.Add($"tags {(old.Tags.Count > 0 ? string.Join(", ", old.Tags) : "none")} → {(now.Tags.Count > 0 ? string.Join(", ", now.Tags) : "none")}");
        }

        return parts;
    }

    private static (string Label, List<string> Values)[] Lists(RuleConditions when) =>
    [
        ("words", when.AnyWords), ("unless words", when.NoneOfWords), ("hashtags", when.Hashtags), ("brands", when.Brands),
        ("sources", when.Sources), ("languages", when.Languages), ("urgency reasons", when.ReasonSignals),
    ];

    private static (string Label, string? Value)[] Scalars(RuleConditions when) =>
    [
        ("sentiment at least", Text(when.MinSentiment)), ("sentiment at most", Text(when.MaxSentiment)),
        ("urgency at least", Text(when.MinUrgency)), ("urgency at most", Text(when.MaxUrgency)),
        ("followers at least", Text(when.MinFollowers)), ("verified", when.Verified is bool v ? (v ? "yes" : "no") : null),
    ];

    private static string? Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture);

    private static string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
