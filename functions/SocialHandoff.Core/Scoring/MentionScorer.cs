using System.Runtime.CompilerServices;
using SocialHandoff.Core.Scoring.Languages;
using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Severity;
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

/// <summary>Both scores of a mention, its severity and the reasons an agent reads next to them.</summary>
/// <param name="Sentiment">VADER's reading, or why it was not judged.</param>
/// <param name="Urgency">0-100: how likely the mention needs a person (the complaint score).</param>
/// <param name="Reasons">In urgency points, strongest first, the last one "base and minor signals": their points add up to <paramref name="Urgency"/>.</param>
public sealed record MentionScore(SentimentScore Sentiment, int Urgency, IReadOnlyList<UrgencyReason> Reasons)
{
    /// <summary>How many reasons a card shows by default (the rest are summed into the last).</summary>
    public const int CardReasons = 4;

    /// <summary>True when urgency reaches the configured attention threshold (the complaint / act-on-it line).</summary>
    public bool NeedsAttention { get; init; }

    /// <summary>The severity tier and the priority it gives (before any routing rule's override).</summary>
    public SeverityResult Severity { get; init; } = new("other", "P4", "not classified");

    /// <summary>The language the mention was read in: the source's tag, or detected (primary subtag, "en" when nothing decides).</summary>
    public string Language { get; init; } = "en";

    /// <summary>
    /// The reasons a card shows: at most <paramref name="max"/>, the strongest first; when there are
    /// more, the last one sums the rest, so the points shown still add up to the urgency.
    /// </summary>
    public IReadOnlyList<UrgencyReason> ReasonsForCard(int max = CardReasons) => UrgencyReason.Summarise(Reasons, max);
}

/// <summary>Scores a mention for sentiment and urgency. Pure, thread-safe, no I/O.</summary>
public sealed class MentionScorer
{
    private readonly SentimentAnalyzer _sentiment;
    private readonly UrgencyScorer _urgency;
    private readonly SeverityClassifier _severity;
    private readonly uint _problemGroups;

    public MentionScorer(UrgencyOptions options, SeverityOptions? severity = null)
        : this(new SentimentAnalyzer(), options, severity)
    {
    }

    /// <param name="sentiment">The sentiment reader (one per process: its lexicon is large).</param>
    /// <param name="options">Urgency weights.</param>
    /// <param name="severity">Null takes the shipped severity defaults.</param>
    public MentionScorer(SentimentAnalyzer sentiment, UrgencyOptions options, SeverityOptions? severity = null)
        : this(sentiment, new UrgencyScorer(options ?? throw new ArgumentNullException(nameof(options))), severity ?? SeverityOptions.CreateDefault())
    {
    }

    private MentionScorer(SentimentAnalyzer sentiment, UrgencyScorer urgency, SeverityOptions severity)
        : this(sentiment, urgency, new SeverityClassifier(severity), severity.ComplaintEvidenceGroups)
    {
    }

    /// <summary>
    /// From parts built beforehand: `score` builds the urgency scorer and the severity classifier while
    /// the sentiment lexicon loads on another thread, instead of after it.
    /// </summary>
    internal MentionScorer(SentimentAnalyzer sentiment, UrgencyScorer urgency, SeverityClassifier severity, IEnumerable<string> complaintEvidenceGroups)
    {
        _sentiment = sentiment;
        _urgency = urgency;
        _severity = severity;
        _problemGroups = urgency.GroupMask(complaintEvidenceGroups);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public MentionScore Score(ScoringInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sentiment = _sentiment.Score(input.Text, input.Language);

        // Read once for language detection, urgency and the severity tiers.
        var words = FoldedWords.For(input.Text);
        var language = ReadLanguage(input, sentiment, words);
        if (language != "en" && sentiment.IsJudged)
        {
            // Function words found another language the sentiment reader's own check let through.
            sentiment = SentimentScore.Unjudged(NotJudgedReason.NotEnglish);
        }

        var (urgency, reasons, matchedGroups) = _urgency.Score(input, words, sentiment, language);
        var needsAttention = urgency >= _urgency.AttentionThreshold;
        return new MentionScore(sentiment, urgency, reasons)
        {
            NeedsAttention = needsAttention,
            Severity = _severity.Classify(input, words, language, sentiment, urgency, needsAttention, (matchedGroups & _problemGroups) != 0),
            Language = language,
        };
    }

    // The source's tag when it names a language; otherwise the language its function words point to,
    // English when none does ("und" when the sentiment reader found it foreign and nothing else decides).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string ReadLanguage(ScoringInput input, SentimentScore sentiment, FoldedWords words) =>
        MentionLanguage.Primary(input.Language)
        ?? (string.IsNullOrWhiteSpace(input.Text) ? null : MentionLanguage.Detect(words))
        ?? (sentiment.NotJudged == NotJudgedReason.NotEnglish ? "und" : "en");
}
