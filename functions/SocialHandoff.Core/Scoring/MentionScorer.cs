using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Scoring;

/// <summary>What the scorer reads of a mention: its text, language, and the author's reach and engagement where the source gives them.</summary>
public sealed record ScoringInput(
    string? Text,
    string? Language = null,
    long? Followers = null,
    bool? Verified = null,
    long? Likes = null,
    long? Reposts = null);

/// <summary>Both scores of a mention and the reasons an agent reads next to them.</summary>
public sealed record MentionScore(SentimentScore Sentiment, int Urgency, IReadOnlyList<UrgencyReason> Reasons)
{
    /// <summary>True when urgency reaches the configured attention threshold (the complaint / act-on-it line).</summary>
    public bool NeedsAttention { get; init; }
}

/// <summary>Scores a mention for sentiment and urgency. Pure, thread-safe, no I/O.</summary>
public sealed class MentionScorer
{
    private readonly SentimentAnalyzer _sentiment;
    private readonly UrgencyScorer _urgency;

    public MentionScorer(UrgencyOptions options)
        : this(new SentimentAnalyzer(), options)
    {
    }

    public MentionScorer(SentimentAnalyzer sentiment, UrgencyOptions options)
    {
        _sentiment = sentiment;
        _urgency = new UrgencyScorer(options);
    }

    public MentionScore Score(ScoringInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sentiment = _sentiment.Score(input.Text, input.Language);
        return _urgency.Score(input, sentiment);
    }
}
