namespace SocialHandoff.Core.Scoring.Urgency;

/// <summary>One contribution to an urgency score, written for the agent who reads it: "complaint: 'charged twice'".</summary>
/// <param name="Signal">complaint, request, crisis, praise, sentiment, reach, verified, engagement.</param>
/// <param name="Text">The readable reason.</param>
/// <param name="Points">What it added to (or, when negative, took from) the score.</param>
public sealed record UrgencyReason(string Signal, string Text, int Points)
{
    public override string ToString() => Text;
}
