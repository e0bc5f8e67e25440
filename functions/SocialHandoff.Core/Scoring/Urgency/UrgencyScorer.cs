using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.CompilerServices;
using SocialHandoff.Core.Scoring.Languages;
using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Core.Scoring.Urgency;

/// <summary>
/// Urgency 0-100 from cue words and phrases, the shape of the message (said to an account or to a
/// customer-care account, a question, a link), sentiment, and the author's reach and engagement.
/// Reasons are in urgency points: the ones an agent can act on, strongest first, and one "base and
/// minor signals" line with the rest, so the points of the reasons add up to the urgency shown.
/// </summary>
internal sealed class UrgencyScorer
{
    private const uint PhraseStartBit = 1u << 31;
    private const int MaxGroups = 31;
    private const double MinimumReasonPoints = 2;
    private const int MaxEvidenceWordsShown = 3;
    private const int MinQuotedWordLength = 3;

    // Function words beyond the sentiment reader's list, which the evidence reason does not quote.
    private static readonly string[] UnquotedWords =
    [
        "hasn't", "haven't", "hadn't", "isn't", "aren't", "wasn't", "weren't", "didn't", "doesn't", "won't", "wouldn't", "couldn't",
        "shouldn't", "i've", "i'd", "i'll", "you're", "you've", "they're", "we're", "that's", "there's", "what's", "yet", "anyone",
        "anything", "everyone", "everything", "someone", "something", "nobody", "nothing", "way", "take", "got", "get", "gets",
        "getting", "did", "said", "says", "also", "another", "any", "every", "many", "most", "must", "since", "without", "within",
    ];

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly UrgencyOptions _options;
    private readonly CueGroup[] _groups;
    private readonly string[] _careTerms;
    private readonly FrozenDictionary<string, CueLookup> _cues;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _functionWords;
    private readonly FrozenDictionary<string, double>.AlternateLookup<ReadOnlySpan<char>> _wordEvidence;

    public UrgencyScorer(UrgencyOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid urgency options: " + string.Join(" ", errors), nameof(options));
        }

        if (options.CueGroups.Count > MaxGroups)
        {
            throw new ArgumentException($"{UrgencyOptions.SectionName}:CueGroups holds {options.CueGroups.Count} groups; at most {MaxGroups} are supported.", nameof(options));
        }

        _options = options;
        _groups = [.. options.CueGroups];
        _careTerms = [.. options.CareHandleTerms.Select(static t => t.Trim().ToLowerInvariant())];
        var languages = _groups.SelectMany(g => g.TermsByLanguage.Keys).Select(l => l.ToLowerInvariant()).Append("en").Distinct(StringComparer.Ordinal);
        _cues = languages.ToFrozenDictionary(l => l, l => CueLookup.Build(_groups, l), StringComparer.Ordinal);
        _functionWords = EnglishFunctionWords.All.Concat(UnquotedWords).ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var evidence = new Dictionary<string, double>(StringComparer.Ordinal);
        if (options.WordEvidencePoints != 0)
        {
            foreach (var (word, value) in options.WordEvidence)
            {
                evidence[MentionLanguage.FoldWord(word.Trim())] = value;
            }
        }

        _wordEvidence = evidence.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int AttentionThreshold => _options.AttentionThreshold;

    /// <summary>Scores a mention read in <paramref name="language"/> (a primary tag, see <see cref="MentionLanguage"/>).</summary>
    /// <returns>The urgency, its reasons, and the names of the cue groups that matched.</returns>
    public (int Urgency, IReadOnlyList<UrgencyReason> Reasons, IReadOnlyList<string> Cues) Score(ScoringInput input, SentimentScore sentiment, string language)
    {
        var scratch = t_scratch ??= new Scratch();
        var text = (input.Text ?? string.Empty).AsSpan();
        var shape = Read(text, scratch, _careTerms);
        var counts = scratch.Counts(_groups.Length);
        var firstMatch = scratch.FirstMatches(_groups.Length);

        var reasons = scratch.Reasons();
        var points = _options.BasePoints;

        // Each language is read with its own cue words; the learned word evidence is English only.
        if (_cues.TryGetValue(language, out var cues))
        {
            MatchCues(cues, scratch, shape.WordCount, counts, firstMatch);
        }

        if (language == "en")
        {
            points += WordEvidence(scratch, shape.WordCount, reasons);
        }

        for (var g = 0; g < _groups.Length; g++)
        {
            if (counts[g] == 0)
            {
                continue;
            }

            var group = _groups[g];
            var groupPoints = group.PointsPerMatch * Math.Min(counts[g], group.MaxMatches);
            points += groupPoints;
            if (group.Shown && Shows(groupPoints))
            {
                Add(reasons, group.Signal, CueReason(group.Label, scratch, firstMatch[g]), groupPoints);
            }
        }

        points += Structure(shape, text, reasons);
        points += Sentiment(sentiment, reasons);
        points += Reach(input, reasons);

        var exact = Logistic(points);
        var urgency = (int)Math.Round(exact, MidpointRounding.AwayFromZero);
        return (urgency, InUrgencyPoints(reasons, points, exact, urgency), MatchedGroups(counts));
    }

    private string[] MatchedGroups(ReadOnlySpan<int> counts)
    {
        var matched = 0;
        foreach (var count in counts)
        {
            matched += count > 0 ? 1 : 0;
        }

        if (matched == 0)
        {
            return [];
        }

        var names = new string[matched];
        for (int g = 0, n = 0; g < counts.Length; g++)
        {
            if (counts[g] > 0)
            {
                names[n++] = _groups[g].Name;
            }
        }

        return names;
    }

    private double Logistic(double points) => 100 / (1 + Math.Exp(-points / _options.PointsPerLogit));

    // Raw points become urgency points on the line from the base to the score (the sigmoid's secant),
    // so each reason keeps its share and the shares add up. Whatever the shown reasons leave (the base,
    // function words, the @handle, small signals, rounding) is one last line; the total is the urgency.
    private List<UrgencyReason> InUrgencyPoints(List<RawReason> raw, double points, double exact, int urgency)
    {
        var span = points - _options.BasePoints;
        var slope = Math.Abs(span) > 1e-9
            ? (exact - Logistic(_options.BasePoints)) / span
            : exact * (100 - exact) / (100 * _options.PointsPerLogit);
        var reasons = new List<UrgencyReason>(raw.Count + 1);
        var shown = 0;
        foreach (var reason in raw)
        {
            var value = (int)Math.Round(reason.Points * slope, MidpointRounding.AwayFromZero);
            if (value != 0 || reason.AlwaysShown)
            {
                reasons.Add(new UrgencyReason(reason.Signal, reason.Text, value));
                shown += value;
            }
        }

        reasons.Sort(static (a, b) => Rank(a).CompareTo(Rank(b)) is var byRank and not 0 ? byRank : Math.Abs(b.Points).CompareTo(Math.Abs(a.Points)));
        if (urgency - shown != 0)
        {
            reasons.Add(new UrgencyReason(UrgencyReason.OtherSignal, "base and minor signals", urgency - shown));
        }

        return reasons;
    }

    // Risks first; then by size; a 0-point note ("sentiment not judged") after the rest.
    private static int Rank(UrgencyReason reason) => reason.Signal == "crisis" ? 0 : reason.Points == 0 ? 2 : 1;

    private double Structure(in Shape shape, ReadOnlySpan<char> text, List<RawReason> reasons)
    {
        var points = 0.0;
        if (shape.HasHandle)
        {
            // Nearly every mention a brand receives names an account: it counts, but tells an agent nothing.
            points += _options.AddressedToBrandPoints;
            if (shape.HasQuestion)
            {
                points += Add(reasons, "request", "a question to the account", _options.QuestionToBrandPoints);
            }
        }

        if (shape.CareHandleLength > 0 && Shows(_options.CareHandlePoints))
        {
            var handle = text.Slice(shape.CareHandleStart, shape.CareHandleLength);
            points += Add(reasons, "context", $"addressed to a care account: '{handle}'", _options.CareHandlePoints);
        }

        if (shape.StartsWithHandle)
        {
            points += _options.StartsWithHandlePoints;
        }

        if (shape.HasQuestion)
        {
            points += Add(reasons, "context", "asks a question", _options.QuestionMarkPoints);
        }

        if (shape.HasExclamation)
        {
            points += Add(reasons, "context", "exclamation", _options.ExclamationPoints);
        }

        if (shape.HasLink)
        {
            points += Add(reasons, "context", "shares a link", _options.LinkPoints);
        }

        if (shape.HasNumber)
        {
            points += Add(reasons, "context", "gives a number (order, amount or time)", _options.NumberPoints);
        }

        if (shape.Hashtags > 0)
        {
            points += Add(reasons, "context", "hashtags", _options.HashtagPoints * Math.Min(shape.Hashtags, _options.MaxHashtags));
        }

        if (shape.WordCount > 0)
        {
            points += _options.LengthPointsPerLogWords * Math.Log(1 + shape.WordCount);
        }

        return points;
    }

    private double Sentiment(SentimentScore sentiment, List<RawReason> reasons)
    {
        if (!sentiment.IsJudged)
        {
            var why = sentiment.NotJudged switch
            {
                NotJudgedReason.NotEnglish => "not English",
                NotJudgedReason.NoWords => "no words to read",
                _ => "empty text",
            };
            reasons.Add(new RawReason("sentiment", $"sentiment not judged: {why}", 0, AlwaysShown: true));
            return 0;
        }

        var compound = sentiment.Compound;
        var formatted = compound.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
        if (compound < 0)
        {
            var points = _options.NegativeSentimentPoints * -compound;
            var label = compound <= _options.StronglyNegativeCompound ? "strongly negative" : "negative";
            reasons.Add(new RawReason("sentiment", $"{label} ({formatted})", points));
            return points;
        }

        return Add(reasons, "sentiment", $"positive ({formatted})", _options.PositiveSentimentPoints * compound);
    }

    private double Reach(ScoringInput input, List<RawReason> reasons)
    {
        var points = 0.0;
        if (input.Followers is long followers && followers >= _options.FollowersFloor)
        {
            var reach = Math.Min(_options.MaxReachPoints, _options.ReachPointsPerDecade * Math.Log10(10.0 * followers / _options.FollowersFloor));
            points += Add(reasons, "reach", $"reach: {Compact(followers)} followers", reach);
        }

        if (input.Verified == true)
        {
            points += Add(reasons, "reach", "verified author", _options.VerifiedPoints);
        }

        var engagement = Math.Max(0, input.Likes ?? 0) + 2 * Math.Max(0, input.Reposts ?? 0);
        if (engagement >= _options.EngagementFloor)
        {
            var spread = Math.Min(_options.MaxEngagementPoints, _options.EngagementPointsPerDecade * Math.Log10(10.0 * engagement / _options.EngagementFloor));
            points += Add(reasons, "engagement", $"engagement: {Compact(input.Likes ?? 0)} likes, {Compact(input.Reposts ?? 0)} reposts", spread);
        }

        return points;
    }

    private static bool Shows(double points) => Math.Abs(points) >= MinimumReasonPoints;

    private static double Add(List<RawReason> reasons, string signal, string text, double points)
    {
        if (Shows(points))
        {
            reasons.Add(new RawReason(signal, text, points));
        }

        return points;
    }

    private static string Compact(long value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1000).ToString(CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    // "{label}: 'term'" with the first term that matched in the group, as the reader saw it (one string, no builder).
    private static string CueReason(string label, Scratch scratch, (int Word, int Words) match)
    {
        var text = new DefaultInterpolatedStringHandler(4, 0);
        text.AppendLiteral(label);
        text.AppendLiteral(": '");
        for (var w = match.Word; w < match.Word + match.Words; w++)
        {
            if (w > match.Word)
            {
                text.AppendLiteral(" ");
            }

            text.AppendFormatted(scratch.Word(w));
        }

        text.AppendLiteral("'");
        return text.ToStringAndClear();
    }

    // One pass over the text: words (lower case, links and @handles left out) and the message's shape,
    // with the first @handle that contains a customer-care fragment (@AcmeHelp, @acme_support).
    private static Shape Read(ReadOnlySpan<char> text, Scratch scratch, string[] careTerms)
    {
        var lower = scratch.LowerBuffer(text.Length);
        var shape = new Shape();
        var words = 0;
        var i = 0;
        var firstToken = true;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == start)
            {
                break;
            }

            var token = text[start..i];
            var isFirst = firstToken;
            firstToken = false;
            if (token.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || token.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                || token.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            {
                shape.HasLink = true;
                continue;
            }

            if (SentimentAnalyzer.IsHandle(token))
            {
                shape.HasHandle = true;
                shape.StartsWithHandle |= isFirst;
                var end = 1;
                while (end < token.Length && (char.IsLetterOrDigit(token[end]) || token[end] == '_'))
                {
                    end++;
                }

                if (shape.CareHandleLength == 0 && IsCareHandle(token[1..end], lower.AsSpan(start + 1, end - 1), careTerms))
                {
                    shape.CareHandleStart = start;
                    shape.CareHandleLength = end;
                }

                token = token[end..];
                start += end;
            }

            var wordStart = -1;
            for (var k = 0; k <= token.Length; k++)
            {
                var c = k < token.Length ? token[k] : ' ';
                var isWordChar = char.IsLetter(c) || c is '\'' or '\u2019';
                if (isWordChar)
                {
                    if (wordStart < 0)
                    {
                        wordStart = k;
                    }

                    lower[start + k] = MentionLanguage.Fold(c);
                    continue;
                }

                if (wordStart >= 0)
                {
                    scratch.AddWord(words++, start + wordStart, k - wordStart);
                    wordStart = -1;
                }

                switch (c)
                {
                    case '?':
                        shape.HasQuestion = true;
                        break;
                    case '!':
                        shape.HasExclamation = true;
                        break;
                    case '#' when k + 1 < token.Length && char.IsLetterOrDigit(token[k + 1]):
                        shape.Hashtags++;
                        break;
                    default:
                        shape.HasNumber |= char.IsAsciiDigit(c);
                        break;
                }
            }
        }

        shape.WordCount = words;
        return shape;
    }

    private static bool IsCareHandle(ReadOnlySpan<char> handle, Span<char> lower, string[] careTerms)
    {
        if (careTerms.Length == 0)
        {
            return false;
        }

        handle.ToLowerInvariant(lower);
        foreach (var term in careTerms)
        {
            if (lower.Contains(term, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void MatchCues(CueLookup cues, Scratch scratch, int wordCount, Span<int> counts, Span<(int Word, int Words)> firstMatch)
    {
        for (var w = 0; w < wordCount; w++)
        {
            var word = scratch.Word(w);
            if (!cues.Words.TryGetValue(word, out var mask))
            {
                continue;
            }

            for (var g = 0; g < counts.Length; g++)
            {
                if ((mask & (1u << g)) != 0)
                {
                    Count(g, w, 1, counts, firstMatch);
                }
            }

            if ((mask & PhraseStartBit) != 0 && cues.Phrases.TryGetValue(word, out var candidates))
            {
                foreach (var phrase in candidates)
                {
                    if (w + phrase.Rest.Length < wordCount && RestMatches(scratch, w, phrase.Rest))
                    {
                        Count(phrase.Group, w, phrase.Rest.Length + 1, counts, firstMatch);
                    }
                }
            }
        }
    }

    // The learned evidence of the mention's distinct words; the reason quotes the words that weigh most.
    // Each word's share (0 for a word outside the table or said before) is kept for the reason.
    private double WordEvidence(Scratch scratch, int wordCount, List<RawReason> reasons)
    {
        if (_wordEvidence.Dictionary.Count == 0)
        {
            return 0;
        }

        var shares = scratch.Evidence(wordCount);
        var sum = 0.0;
        for (var w = 0; w < wordCount; w++)
        {
            shares[w] = _wordEvidence.TryGetValue(scratch.Word(w), out var value) && !SeenBefore(scratch, w) ? value : 0;
            sum += shares[w];
        }

        var points = _options.WordEvidencePoints * sum;
        if (Shows(points))
        {
            var label = points > 0 ? "words common in complaints" : "words seldom in complaints";
            if (WordsReason(label, scratch, shares, Math.Sign(sum), _functionWords) is { } text)
            {
                Add(reasons, points > 0 ? "complaint" : "context", text, points);
            }
        }

        return points;
    }

    private static bool SeenBefore(Scratch scratch, int w)
    {
        var word = scratch.Word(w);
        for (var earlier = 0; earlier < w; earlier++)
        {
            if (scratch.Word(earlier).SequenceEqual(word))
            {
                return true;
            }
        }

        return false;
    }

    // "{label}: 'word', 'word'": the words whose share points the way of the sum, strongest first.
    // Function words and words under three letters ("the", "my", "got") count in the score but say
    // little to an agent, so are not quoted; with no other word to quote there is no reason (null).
    private static string? WordsReason(string label, Scratch scratch, ReadOnlySpan<double> shares, int sign, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> functionWords)
    {
        var text = new DefaultInterpolatedStringHandler(4, 0);
        text.AppendLiteral(label);
        text.AppendLiteral(": ");

        // Order: strength descending, then first appearance; each round takes the next word in that order.
        var (lastWord, lastStrength) = (-1, double.PositiveInfinity);
        for (var shown = 0; shown < MaxEvidenceWordsShown; shown++)
        {
            var (best, strength) = (-1, 0.0);
            for (var w = 0; w < shares.Length; w++)
            {
                if (Math.Sign(shares[w]) == sign && scratch.Word(w).Length >= MinQuotedWordLength && !functionWords.Contains(scratch.Word(w))
                    && Math.Abs(shares[w]) is var s && s > strength && (s < lastStrength || (s == lastStrength && w > lastWord)))
                {
                    (best, strength) = (w, s);
                }
            }

            if (best < 0)
            {
                if (shown == 0)
                {
                    text.ToStringAndClear();
                    return null;
                }

                break;
            }

            text.AppendLiteral(shown > 0 ? ", '" : "'");
            text.AppendFormatted(scratch.Word(best));
            text.AppendLiteral("'");
            (lastWord, lastStrength) = (best, strength);
        }

        return text.ToStringAndClear();
    }

    private static bool RestMatches(Scratch scratch, int w, string[] rest)
    {
        for (var k = 0; k < rest.Length; k++)
        {
            if (!scratch.Word(w + 1 + k).SequenceEqual(rest[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static void Count(int group, int word, int words, Span<int> counts, Span<(int Word, int Words)> firstMatch)
    {
        if (counts[group]++ == 0)
        {
            firstMatch[group] = (word, words);
        }
    }

    private sealed record Phrase(string[] Rest, int Group);

    /// <summary>A shown reason in raw points, before they become urgency points.</summary>
    private readonly record struct RawReason(string Signal, string Text, double Points, bool AlwaysShown = false);

    /// <summary>One language's cue words (a bit per group) and phrases (by first word), accents folded.</summary>
    private sealed class CueLookup
    {
        public required FrozenDictionary<string, uint>.AlternateLookup<ReadOnlySpan<char>> Words { get; init; }

        public required FrozenDictionary<string, Phrase[]>.AlternateLookup<ReadOnlySpan<char>> Phrases { get; init; }

        public static CueLookup Build(CueGroup[] groups, string language)
        {
            var words = new Dictionary<string, uint>(StringComparer.Ordinal);
            var phrases = new Dictionary<string, List<Phrase>>(StringComparer.Ordinal);
            for (var g = 0; g < groups.Length; g++)
            {
                var terms = language == "en" ? groups[g].Terms : groups[g].TermsByLanguage.FirstOrDefault(kv => string.Equals(kv.Key, language, StringComparison.OrdinalIgnoreCase)).Value ?? [];
                foreach (var term in terms)
                {
                    var parts = MentionLanguage.FoldWord(term.Trim()).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 1)
                    {
                        words[parts[0]] = words.GetValueOrDefault(parts[0]) | (1u << g);
                    }
                    else
                    {
                        words[parts[0]] = words.GetValueOrDefault(parts[0]) | PhraseStartBit;
                        if (!phrases.TryGetValue(parts[0], out var list))
                        {
                            phrases[parts[0]] = list = [];
                        }

                        list.Add(new Phrase(parts[1..], g));
                    }
                }
            }

            return new CueLookup
            {
                Words = words.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>(),
                Phrases = phrases.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>(),
            };
        }
    }

    private struct Shape
    {
        public bool HasHandle;
        public bool StartsWithHandle;
        public bool HasQuestion;
        public bool HasExclamation;
        public bool HasLink;
        public bool HasNumber;
        public int CareHandleStart;
        public int CareHandleLength;
        public int Hashtags;
        public int WordCount;
    }

    private sealed class Scratch
    {
        private char[] _lower = new char[512];
        private (int Start, int Length)[] _words = new (int, int)[128];
        private int[] _counts = new int[MaxGroups];
        private (int, int)[] _first = new (int, int)[MaxGroups];
        private double[] _evidence = new double[128];
        private readonly List<RawReason> _reasons = new(16);

        public List<RawReason> Reasons()
        {
            _reasons.Clear();
            return _reasons;
        }

        public char[] Lower => _lower;

        public char[] LowerBuffer(int capacity)
        {
            if (_lower.Length < capacity)
            {
                _lower = new char[Math.Max(capacity, _lower.Length * 2)];
            }

            return _lower;
        }

        public void AddWord(int index, int start, int length)
        {
            if (index >= _words.Length)
            {
                Array.Resize(ref _words, _words.Length * 2);
            }

            _words[index] = (start, length);
        }

        public (int Start, int Length) WordAt(int index) => _words[index];

        public ReadOnlySpan<char> Word(int index) => _lower.AsSpan(_words[index].Start, _words[index].Length);

        public Span<int> Counts(int groups)
        {
            var counts = _counts.AsSpan(0, groups);
            counts.Clear();
            return counts;
        }

        public Span<(int Word, int Words)> FirstMatches(int groups) => _first.AsSpan(0, groups);

        public Span<double> Evidence(int words)
        {
            if (_evidence.Length < words)
            {
                _evidence = new double[Math.Max(words, _evidence.Length * 2)];
            }

            return _evidence.AsSpan(0, words);
        }
    }
}
