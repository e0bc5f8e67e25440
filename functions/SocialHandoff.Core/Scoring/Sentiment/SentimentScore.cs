using System.Runtime.CompilerServices;

namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>The sentiment class of a text, by VADER's convention: compound &gt;= 0.05 is positive, &lt;= -0.05 negative.</summary>
public enum SentimentLabel
{
    /// <summary>The scorer could not judge the text; see <see cref="SentimentScore.NotJudged"/>.</summary>
    Unknown = 0,
    Negative,
    Neutral,
    Positive,
}

/// <summary>Why a text was not given a sentiment.</summary>
public enum NotJudgedReason
{
    None = 0,

    /// <summary>Null, empty or only white space.</summary>
    Empty,

    /// <summary>Only links, @handles, numbers or symbols: nothing to read.</summary>
    NoWords,

    /// <summary>The source says, or the words show, that the text is not English.</summary>
    NotEnglish,
}

/// <summary>
/// Sentiment of one text: compound in [-1, 1] and the positive / neutral / negative proportions
/// (summing to 1 when judged). A text the scorer cannot judge has every figure 0 and a reason.
/// </summary>
public readonly record struct SentimentScore(
    double Compound,
    double Positive,
    double Neutral,
    double Negative,
    SentimentLabel Label,
    NotJudgedReason NotJudged)
{
    /// <summary>The class boundary VADER uses for its labels.</summary>
    public const double LabelThreshold = 0.05;

    /// <summary>
    /// The complaint idioms that pulled a negative text down, quoted ("'fed up', 'never replies'"),
    /// for the reason an agent reads; null when there are none or the text is not negative.
    /// </summary>
    public string? Idioms { get; init; }

    public bool IsJudged => NotJudged == NotJudgedReason.None;

    public static SentimentScore Unjudged(NotJudgedReason reason) => new(0, 0, 0, 0, SentimentLabel.Unknown, reason);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SentimentLabel LabelOf(double compound) => compound switch
    {
        >= LabelThreshold => SentimentLabel.Positive,
        <= -LabelThreshold => SentimentLabel.Negative,
        _ => SentimentLabel.Neutral,
    };
}
