namespace SocialHandoff.Core.Scoring.Urgency;

/// <summary>One contribution to an urgency score, written for the agent who reads it: "complaint: 'charged twice'".</summary>
/// <param name="Signal">complaint, request, question, crisis, praise, sentiment, reach, engagement, context, or other (the base and minor signals).</param>
/// <param name="Text">The readable reason.</param>
/// <param name="Points">Urgency points it added (or, when negative, took away); a score's reasons add up to its urgency.</param>
public sealed record UrgencyReason(string Signal, string Text, int Points)
{
    /// <summary>The signal of the line that holds the base score, function words and signals too small to name.</summary>
    public const string OtherSignal = "other";

    public override string ToString() => Text;

    /// <summary>
    /// At most <paramref name="max"/> reasons in their order; when there are more, the first
    /// <paramref name="max"/> - 1 and one line that sums the rest ("3 more signals"), so the total is kept.
    /// </summary>
    public static IReadOnlyList<UrgencyReason> Summarise(IReadOnlyList<UrgencyReason> reasons, int max)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        if (reasons.Count <= max)
        {
            return reasons;
        }

        var kept = reasons.Take(max - 1).ToList();
        var rest = reasons.Skip(max - 1).ToList();
        kept.Add(new UrgencyReason(OtherSignal, $"base and {rest.Count - (rest.Any(r => r.Signal == OtherSignal) ? 1 : 0)} more signals", rest.Sum(r => r.Points)));
        return kept;
    }
}
