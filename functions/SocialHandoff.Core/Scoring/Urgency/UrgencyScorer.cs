using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Core.Scoring.Urgency;

internal sealed class UrgencyScorer(UrgencyOptions options)
{
    public MentionScore Score(ScoringInput input, SentimentScore sentiment) =>
        new(sentiment, 0, []) { NeedsAttention = options.AttentionThreshold <= 0 };
}
