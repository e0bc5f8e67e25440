namespace SocialHandoff.Core.Scoring;

/// <summary>
/// How the names that scoring settings are keyed by compare: tier names, language tags, cue group
/// names, evidence words. Case is ignored, as .NET configuration ignores it in every key, so
/// <c>Scoring:Severity:Tiers:Outage</c> is the shipped <c>outage</c> tier (and keeps that spelling)
/// rather than a second tier. Options built in code can still hold two spellings of one name in a
/// case-sensitive dictionary; validation names them.
/// </summary>
internal static class ConfiguredNames
{
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>As <see cref="Clashes(IEnumerable{string})"/> for a dictionary's keys; none at once when it ignores case itself.</summary>
    public static IEnumerable<string> Clashes<T>(Dictionary<string, T> values) =>
        values.Comparer.Equals(Comparer) ? [] : Clashes(values.Keys);

    /// <summary>Each set of names that are one name when case is ignored, as "'Outage' and 'outage'"; none when all differ.</summary>
    public static IEnumerable<string> Clashes(IEnumerable<string> names) =>
        names.GroupBy(n => n, Comparer)
            .Where(g => g.Skip(1).Any())
            .Select(g => string.Join(" and ", g.Select(n => $"'{n}'")));
}
