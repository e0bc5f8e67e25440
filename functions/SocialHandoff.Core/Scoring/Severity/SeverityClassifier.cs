using SocialHandoff.Core.Scoring.Languages;
using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Core.Scoring.Severity;

/// <summary>The severity tier of a mention, the priority it gives, and why, in words an agent reads.</summary>
/// <param name="Tier">A term tier's name ("safety", "outage"), or complaint-with-reach, complaint, request, praise, promotion, other.</param>
/// <param name="Priority">P1-P4.</param>
/// <param name="Reason">"safety: 'caught fire'", "complaint (urgency 81)", "praise: 'sorted'".</param>
public sealed record SeverityResult(string Tier, string Priority, string Reason);

/// <summary>
/// Decides a mention's tier from its words (in its language), its urgency and its reach. Order: praise
/// (thanks or approval with nothing unresolved) caps the priority; a tier term not negated gives that
/// tier; an urgency at the attention threshold is a complaint, with unusual reach a P1; a question or
/// request is P3; the rest P4. Pure and thread-safe.
/// </summary>
internal sealed class SeverityClassifier
{
    private readonly SeverityOptions _options;
    private readonly (string Name, SeverityTier Tier, Dictionary<string, Dictionary<string, string[][]>> Terms)[] _tiers;
    private readonly Dictionary<string, HashSet<string>> _negations;
    private readonly Dictionary<string, Dictionary<string, string[][]>> _praise;
    private readonly Dictionary<string, Dictionary<string, string[][]>> _unresolved;
    private readonly Dictionary<string, Dictionary<string, string[][]>> _requests;
    private readonly Dictionary<string, Dictionary<string, string[][]>> _promotion;

    public SeverityClassifier(SeverityOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid severity options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _tiers = [.. options.Tiers.Select(t => (t.Key, t.Value, Compile(t.Value.Terms)))];
        _negations = options.Negations.ToDictionary(
            kv => kv.Key.ToLowerInvariant(), kv => kv.Value.Select(w => MentionLanguage.FoldWord(w.Trim())).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _praise = Compile(options.PraiseTerms);
        _unresolved = Compile(options.UnresolvedTerms);
        _requests = Compile(options.RequestTerms);
        _promotion = Compile(options.PromotionTerms);
    }

    /// <summary>The tier of a mention read in <paramref name="language"/>, from its words, its urgency (<paramref name="needsAttention"/> at the threshold), the urgency cue groups that matched (<paramref name="cues"/>, by name), its <paramref name="sentiment"/> and the reach in <paramref name="input"/>; <paramref name="urgency"/> is quoted in the reason.</summary>
    public SeverityResult Classify(ScoringInput input, string language, SentimentScore sentiment, int urgency, bool needsAttention, IReadOnlyList<string> cues)
    {
        var text = input.Text ?? "";
        var words = MentionLanguage.Words(text).ToArray();
        var negations = _negations.GetValueOrDefault(language);

        string? praise = null;
        if ((!sentiment.IsJudged || sentiment.Compound >= _options.PraiseMinCompound)
            && Find(_praise, language, words, negations, negatable: true) is { } thanks
            && Find(_unresolved, language, words, null, negatable: false) is null)
        {
            praise = thanks;
        }

        // The most specific term decides ("death threat" is a threat, not a health risk for "death"),
        // then the one said first ("food poisoning ... in hospital" is health).
        (string Name, SeverityTier Tier, string Term, int At)? found = null;
        foreach (var (name, tier, terms) in _tiers)
        {
            if (Find(terms, language, words, negations, negatable: true, out var at) is { } term
                && (found is null || term.Split(' ').Length > found.Value.Term.Split(' ').Length
                    || (term.Split(' ').Length == found.Value.Term.Split(' ').Length && at < found.Value.At)))
            {
                found = (name, tier, term, at);
            }
        }

        if (found is var (tierName, matched, matchedTerm, _))
        {
            var reason = $"{matched.Label}: '{matchedTerm}'";
            return praise is null
                ? new SeverityResult(tierName, matched.Priority, reason)
                : new SeverityResult("praise", Lower(matched.Priority, _options.PraiseMaxPriority), $"praise: '{praise}' (mentions {reason})");
        }

        if (praise is not null)
        {
            return new SeverityResult("praise", Lower(_options.PraisePriority, _options.PraiseMaxPriority), $"praise: '{praise}'");
        }

        if (Find(_promotion, language, words, null, negatable: false) is { } promotion)
        {
            return new SeverityResult("promotion", _options.OtherPriority, $"promotion or spam: '{promotion}'");
        }

        // A complaint needs a problem named (a cue of the complaint evidence groups) or negative
        // sentiment, unless its urgency is high without them; a question never gets there on its shape
        // and word evidence alone ("how do I change the address on my account?").
        var question = text.Contains('?', StringComparison.Ordinal) || text.Contains('\uFF1F', StringComparison.Ordinal);
        var evidence = cues.Any(c => _options.ComplaintEvidenceGroups.Contains(c, StringComparer.OrdinalIgnoreCase))
            || (sentiment.IsJudged && sentiment.Compound <= -0.05)
            || (!question && urgency >= _options.ComplaintWithoutCueMinUrgency);
        if (needsAttention && evidence)
        {
            var engagement = Math.Max(0, input.Likes ?? 0) + (2 * Math.Max(0, input.Reposts ?? 0));
            if (input.Followers >= _options.ReachMinFollowers)
            {
                return new SeverityResult("complaint-with-reach", _options.ReachPriority, $"complaint (urgency {urgency}) from an author with {input.Followers:N0} followers");
            }

            if (engagement >= _options.ReachMinEngagement)
            {
                return new SeverityResult("complaint-with-reach", _options.ReachPriority, $"complaint (urgency {urgency}) spreading: {input.Likes ?? 0:N0} likes, {input.Reposts ?? 0:N0} reposts");
            }

            return new SeverityResult("complaint", _options.ComplaintPriority, $"complaint (urgency {urgency})");
        }

        if (question)
        {
            return new SeverityResult("request", _options.RequestPriority, "question");
        }

        if (Find(_requests, language, words, negations, negatable: false) is { } request)
        {
            return new SeverityResult("request", _options.RequestPriority, $"request: '{request}'");
        }

        return new SeverityResult("other", _options.OtherPriority, language is "en" || MentionLanguage.WithCues.Contains(language)
            ? "no complaint, request or risk"
            : $"no cue lists for language '{language}'");
    }

    // The lower of two priorities (P4 is lower than P3).
    private static string Lower(string a, string b) => string.CompareOrdinal(a, b) >= 0 ? a : b;

    // The first term of the language found in the words (as written in the list), or null.
    private string? Find(Dictionary<string, Dictionary<string, string[][]>> lists, string language, string[] words, HashSet<string>? negations, bool negatable) =>
        Find(lists, language, words, negations, negatable, out _);

    private string? Find(Dictionary<string, Dictionary<string, string[][]>> lists, string language, string[] words, HashSet<string>? negations, bool negatable, out int at)
    {
        at = -1;
        if (!lists.TryGetValue(language, out var terms))
        {
            return null;
        }

        for (var w = 0; w < words.Length; w++)
        {
            if (!terms.TryGetValue(words[w], out var starting))
            {
                continue;
            }

            foreach (var term in starting)
            {
                if (w + term.Length > words.Length || !Matches(words, w, term))
                {
                    continue;
                }

                if (negatable && negations is not null && Negated(words, w, negations))
                {
                    continue;
                }

                at = w;
                return string.Join(' ', term);
            }
        }

        return null;
    }

    private static bool Matches(string[] words, int at, string[] term)
    {
        for (var k = 1; k < term.Length; k++)
        {
            if (!string.Equals(words[at + k], term[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private bool Negated(string[] words, int at, HashSet<string> negations)
    {
        for (var k = Math.Max(0, at - _options.NegationWindow); k < at; k++)
        {
            if (negations.Contains(words[k]))
            {
                return true;
            }
        }

        return false;
    }

    // Terms split into folded words, by lower-case language and first word; phrases are matched word by word.
    private static Dictionary<string, Dictionary<string, string[][]>> Compile(Dictionary<string, List<string>> lists) =>
        lists.ToDictionary(
            kv => kv.Key.ToLowerInvariant(),
            kv => kv.Value
                .Select(t => MentionLanguage.FoldWord(t.Trim()).Replace('-', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length > 0)
                .GroupBy(p => p[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal),
            StringComparer.Ordinal);
}
