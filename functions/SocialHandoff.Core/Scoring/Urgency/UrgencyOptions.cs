namespace SocialHandoff.Core.Scoring.Urgency;

public sealed class UrgencyOptions
{
    public const string SectionName = "Scoring:Urgency";

    public int AttentionThreshold { get; set; } = 50;
}
