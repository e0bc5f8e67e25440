namespace SocialHandoff.Core.Routing.Rules;

/// <summary>"Did you mean" for a name that is not one of the known ones: the closest by edit distance, when close.</summary>
public static class DidYouMean
{
    /// <summary>The closest known name within a third of its length (at least one edit), else null.</summary>
    public static string? Closest(string value, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return null;
        }

        var lower = value.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(lower, candidate.ToLowerInvariant());
            if (distance < bestDistance && distance <= Math.Max(1, candidate.Length / 3))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>" (did you mean 'x'?)" or, with no close one, " (known: a, b, c)".</summary>
    public static string Hint(string value, IReadOnlyCollection<string> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        if (Closest(value, known) is { } close)
        {
            return $"did you mean '{close}'?";
        }

        var listed = known.Order(StringComparer.Ordinal).Take(20).ToList();
        return listed.Count == 0 ? "none are known." : $"known: {string.Join(", ", listed)}{(known.Count > listed.Count ? ", …" : "")}.";
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 10)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
