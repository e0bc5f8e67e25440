using System.Runtime.CompilerServices;
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
    // Lists by index: the four below, then one per tier in the options' order.
    private const int PraiseList = 0;
    private const int UnresolvedList = 1;
    private const int RequestList = 2;
    private const int PromotionList = 3;
    private const int FirstTierList = 4;

    private readonly SeverityOptions _options;
    private readonly int _lists;
    private readonly Dictionary<string, SpanLookup<Candidate[]>> _terms;
    private readonly Dictionary<string, HashSet<string>.AlternateLookup<ReadOnlySpan<char>>> _negations;

    // Results that depend only on the options, the term or the urgency are made once: a text costs no strings here.
    private readonly SeverityResult[] _complaints;
    private readonly SeverityResult _question;
    private readonly SeverityResult _other;

    public SeverityClassifier(SeverityOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid severity options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        var praisePriority = Lower(options.PraisePriority, options.PraiseMaxPriority);
        (Dictionary<string, List<string>> Terms, Func<string, SeverityResult?> Result, bool Negatable)[] lists =
        [
            (options.PraiseTerms, term => new SeverityResult("praise", praisePriority, $"praise: '{term}'"), true),
            (options.UnresolvedTerms, _ => null, false),
            (options.RequestTerms, term => new SeverityResult("request", options.RequestPriority, $"request: '{term}'"), false),
            (options.PromotionTerms, term => new SeverityResult("promotion", options.OtherPriority, $"promotion or spam: '{term}'"), false),
            .. options.Tiers.Select(t => (t.Value.Terms, (Func<string, SeverityResult?>)(term => new SeverityResult(t.Key, t.Value.Priority, $"{t.Value.Label}: '{term}'")), true)),
        ];
        _lists = lists.Length;
        _terms = Compile(lists);
        _negations = options.Negations.ToDictionary(
            kv => kv.Key.ToLowerInvariant(),
            kv => kv.Value.Select(w => MentionLanguage.FoldWord(w.Trim())).ToHashSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>(),
            StringComparer.Ordinal);
        _complaints = [.. Enumerable.Range(0, 101).Select(u => Complaint(u))];
        _question = new SeverityResult("request", options.RequestPriority, "question");
        _other = new SeverityResult("other", options.OtherPriority, "no complaint, request or risk");
    }

    /// <summary>
    /// The tier of a mention read in <paramref name="language"/>, from its <paramref name="words"/>
    /// (<see cref="FoldedWords.For"/> of <paramref name="input"/>'s text), its urgency
    /// (<paramref name="needsAttention"/> at the threshold), whether a cue of
    /// <see cref="SeverityOptions.ComplaintEvidenceGroups"/> matched (<paramref name="problemNamed"/>), its
    /// <paramref name="sentiment"/> and the reach in <paramref name="input"/>; <paramref name="urgency"/> is quoted in the reason.
    /// </summary>
    public SeverityResult Classify(ScoringInput input, FoldedWords words, string language, SentimentScore sentiment, int urgency, bool needsAttention, bool problemNamed)
    {
        var text = input.Text ?? "";
        Span<int> at = stackalloc int[_lists];
        var found = FindAll(language, words, at);

        Term? praise = null;
        if ((!sentiment.IsJudged || sentiment.Compound >= _options.PraiseMinCompound)
            && found[PraiseList] is { } thanks
            && found[UnresolvedList] is null)
        {
            praise = thanks;
        }

        // The most specific term decides ("death threat" is a threat, not a health risk for "death"),
        // then the one said first ("food poisoning ... in hospital" is health).
        var decided = -1;
        for (var list = FirstTierList; list < _lists; list++)
        {
            if (found[list] is { } term
                && (decided < 0 || term.Words.Length > found[decided]!.Words.Length
                    || (term.Words.Length == found[decided]!.Words.Length && at[list] < at[decided])))
            {
                decided = list;
            }
        }

        if (decided >= 0)
        {
            var matched = found[decided]!.Result!;
            return praise is null
                ? matched
                : new SeverityResult("praise", Lower(matched.Priority, _options.PraiseMaxPriority), $"praise: '{praise.Text}' (mentions {matched.Reason})");
        }

        if (praise is not null)
        {
            return praise.Result!;
        }

        if (found[PromotionList] is { } promotion)
        {
            return promotion.Result!;
        }

        // A complaint needs a problem named (a cue of the complaint evidence groups) or negative
        // sentiment, unless its urgency is high without them; a question never gets there on its shape
        // and word evidence alone ("how do I change the address on my account?").
        var question = text.Contains('?', StringComparison.Ordinal) || text.Contains('\uFF1F', StringComparison.Ordinal);
        var evidence = problemNamed
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

            return urgency >= 0 && urgency < _complaints.Length ? _complaints[urgency] : Complaint(urgency);
        }

        if (question)
        {
            return _question;
        }

        if (found[RequestList] is { } request)
        {
            return request.Result!;
        }

        return language is "en" || MentionLanguage.WithCues.Contains(language)
            ? _other
            : new SeverityResult("other", _options.OtherPriority, $"no cue lists for language '{language}'");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SeverityResult Complaint(int urgency) => new("complaint", _options.ComplaintPriority, $"complaint (urgency {urgency})");

    // The lower of two priorities (P4 is lower than P3).
    private static string Lower(string a, string b) => string.CompareOrdinal(a, b) >= 0 ? a : b;

    /// <summary>
    /// Every list's first term in the words, in one pass: for each list, the first word (in text order)
    /// that starts one of its terms whole (in the list's order), not negated where the list is negatable;
    /// <paramref name="at"/> gets the word it starts at. One look-up per word serves all the lists.
    /// </summary>
    private Term?[] FindAll(string language, FoldedWords words, Span<int> at)
    {
        var found = t_found is { } reused && reused.Length == _lists ? reused : t_found = new Term?[_lists];
        Array.Clear(found);
        if (!_terms.TryGetValue(language, out var terms))
        {
            return found;
        }

        var hasNegations = _negations.TryGetValue(language, out var negations);
        var remaining = _lists;
        for (var w = 0; w < words.Count && remaining > 0; w++)
        {
            if (!words.TryLookUp(terms, w, out var candidates))
            {
                continue;
            }

            foreach (var (list, term, negatable) in candidates)
            {
                if (found[list] is not null || w + term.Words.Length > words.Count || !Matches(words, w, term.Words)
                    || (negatable && hasNegations && Negated(words, w, negations)))
                {
                    continue;
                }

                found[list] = term;
                at[list] = w;
                remaining--;
            }
        }

        return found;
    }

    [ThreadStatic]
    private static Term?[]? t_found;

    private static bool Matches(FoldedWords words, int at, string[] term)
    {
        for (var k = 1; k < term.Length; k++)
        {
            if (!words[at + k].SequenceEqual(term[k]))
            {
                return false;
            }
        }

        return true;
    }

    private bool Negated(FoldedWords words, int at, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> negations)
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

    // All lists' terms split into folded words, by lower-case language and first word, each word's
    // candidates by list and then in the list's order; phrases are matched word by word.
    private static Dictionary<string, SpanLookup<Candidate[]>> Compile(
        (Dictionary<string, List<string>> Terms, Func<string, SeverityResult?> Result, bool Negatable)[] lists)
    {
        var byLanguage = new Dictionary<string, Dictionary<string, List<Candidate>>>(StringComparer.Ordinal);
        for (var list = 0; list < lists.Length; list++)
        {
            var (terms, result, negatable) = lists[list];

            // One language key per list after lower-casing, as before (a duplicate is refused).
            foreach (var (language, phrases) in terms.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal))
            {
                if (!byLanguage.TryGetValue(language, out var byWord))
                {
                    byLanguage[language] = byWord = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
                }

                foreach (var words in phrases.Select(t => MentionLanguage.FoldWord(t.Trim()).Replace('-', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length > 0))
                {
                    if (!byWord.TryGetValue(words[0], out var candidates))
                    {
                        byWord[words[0]] = candidates = [];
                    }

                    var text = string.Join(' ', words);
                    candidates.Add(new Candidate(list, new Term(words, text, result(text)), negatable));
                }
            }
        }

        return byLanguage.ToDictionary(
            kv => kv.Key,
            kv => new SpanLookup<Candidate[]>(kv.Value.ToDictionary(w => w.Key, w => w.Value.ToArray(), StringComparer.Ordinal)),
            StringComparer.Ordinal);
    }

    /// <summary>A term in folded words, as the reason quotes it, and the result it gives when it decides.</summary>
    private sealed record Term(string[] Words, string Text, SeverityResult? Result);

    /// <summary>A term that starts with a given word, the list it belongs to, and whether a negation before it cancels it.</summary>
    private readonly record struct Candidate(int List, Term Term, bool Negatable);
}
