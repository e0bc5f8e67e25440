using System.Globalization;
using System.Numerics;
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
    private readonly Dictionary<string, CueLookup> _cues;
    private readonly bool _hasWordEvidence;

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
        var functionWords = EnglishFunctionWords.All.Concat(UnquotedWords).ToHashSet(StringComparer.Ordinal);
        var evidence = new Dictionary<string, double>(StringComparer.Ordinal);
        if (options.WordEvidencePoints != 0)
        {
            foreach (var (word, value) in options.WordEvidence)
            {
                evidence[MentionLanguage.FoldWord(word.Trim())] = value;
            }
        }

        // The learned word evidence is English only; it sits in the English cue table, so one look-up per word serves both.
        _hasWordEvidence = evidence.Count > 0;
        var languages = _groups.SelectMany(g => g.TermsByLanguage.Keys).Select(l => l.ToLowerInvariant()).Append("en").Distinct(StringComparer.Ordinal);
        _cues = languages.ToDictionary(l => l, l => CueLookup.Build(_groups, l, l == "en" ? evidence : [], functionWords), StringComparer.Ordinal);
    }

    /// <summary>The bits (as in <see cref="Score(ScoringInput, SentimentScore, string)"/>'s MatchedGroups) of the cue groups with these names, case ignored; unknown names have none.</summary>
    public uint GroupMask(IEnumerable<string> names)
    {
        var wanted = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        var mask = 0u;
        for (var g = 0; g < _groups.Length; g++)
        {
            mask |= wanted.Contains(_groups[g].Name) ? 1u << g : 0;
        }

        return mask;
    }

    public int AttentionThreshold => _options.AttentionThreshold;

    /// <summary>Scores a mention read in <paramref name="language"/> (a primary tag, see <see cref="MentionLanguage"/>).</summary>
    /// <returns>The urgency, its reasons, and a bit per cue group that matched (see <see cref="GroupMask"/>).</returns>
    public (int Urgency, IReadOnlyList<UrgencyReason> Reasons, uint MatchedGroups) Score(ScoringInput input, SentimentScore sentiment, string language) =>
        Score(input, FoldedWords.For(input.Text), sentiment, language);

    /// <summary>As <see cref="Score(ScoringInput, SentimentScore, string)"/>, with the text's words already read (<see cref="FoldedWords.For"/> of its text).</summary>
    public (int Urgency, IReadOnlyList<UrgencyReason> Reasons, uint MatchedGroups) Score(ScoringInput input, FoldedWords words, SentimentScore sentiment, string language)
    {
        var scratch = t_scratch ??= new Scratch();
        scratch.EvidenceCount = 0;
        var text = (input.Text ?? string.Empty).AsSpan();
        var wordCount = words.AllCount;
        var counts = scratch.Counts(_groups.Length);
        var firstMatch = scratch.FirstMatches;

        var reasons = scratch.Reasons();
        var points = _options.BasePoints;

        // Each language is read with its own cue words; the learned word evidence is English only.
        var evidence = language == "en" && _hasWordEvidence;
        var shares = evidence ? scratch.Evidence(wordCount) : [];
        var evidenceSum = _cues.TryGetValue(language, out var cues) ? MatchCues(cues, words, scratch, counts, firstMatch, shares) : 0;
        if (evidence)
        {
            points += WordEvidence(words, scratch, shares, evidenceSum, reasons);
        }

        var matchedGroups = 0u;
        for (var g = 0; g < _groups.Length; g++)
        {
            if (counts[g] == 0)
            {
                continue;
            }

            matchedGroups |= 1u << g;
            var group = _groups[g];
            var groupPoints = group.PointsPerMatch * Math.Min(counts[g], group.MaxMatches);
            points += groupPoints;
            if (group.Shown && Shows(groupPoints))
            {
                Add(reasons, group.Signal, firstMatch[g]!, groupPoints);
            }
        }

        points += Structure(words.Marks, CareHandle(words, text, scratch), wordCount, text, reasons);
        points += Sentiment(sentiment, reasons);
        points += Reach(input, reasons);

        var exact = Logistic(points);
        var urgency = (int)Math.Round(exact, MidpointRounding.AwayFromZero);
        return (urgency, InUrgencyPoints(reasons, points, exact, urgency), matchedGroups);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Logistic(double points) => 100 / (1 + Math.Exp(-points / _options.PointsPerLogit));

    // Raw points become urgency points on the line from the base to the score (the sigmoid's secant),
    // so each reason keeps its share and the shares add up. Whatever the shown reasons leave (the base,
    // function words, the @handle, small signals, rounding) is one last line; the total is the urgency.
    // The reasons go out in an array of their exact count, counted first: a list would add its own
    // object and spare capacity to every text's allocation (the sort is the same one a list's is).
    private UrgencyReason[] InUrgencyPoints(List<RawReason> raw, double points, double exact, int urgency)
    {
        var span = points - _options.BasePoints;
        var slope = Math.Abs(span) > 1e-9
            ? (exact - Logistic(_options.BasePoints)) / span
            : exact * (100 - exact) / (100 * _options.PointsPerLogit);
        Span<int> values = raw.Count <= 32 ? stackalloc int[raw.Count] : new int[raw.Count];
        int shown = 0, count = 0;
        for (var r = 0; r < raw.Count; r++)
        {
            values[r] = (int)Math.Round(raw[r].Points * slope, MidpointRounding.AwayFromZero);
            if (values[r] != 0 || raw[r].AlwaysShown)
            {
                shown += values[r];
                count++;
            }
        }

        var other = urgency - shown;
        if (count == 0 && other == 0)
        {
            return [];
        }

        var reasons = new UrgencyReason[count + (other != 0 ? 1 : 0)];
        var at = 0;
        for (var r = 0; r < raw.Count; r++)
        {
            if (values[r] != 0 || raw[r].AlwaysShown)
            {
                reasons[at++] = new UrgencyReason(raw[r].Signal, raw[r].Text, values[r]);
            }
        }

        reasons.AsSpan(0, count).Sort(static (a, b) => Rank(a).CompareTo(Rank(b)) is var byRank and not 0 ? byRank : Math.Abs(b.Points).CompareTo(Math.Abs(a.Points)));
        if (other != 0)
        {
            reasons[count] = new UrgencyReason(UrgencyReason.OtherSignal, "base and minor signals", other);
        }

        return reasons;
    }

    // Risks first; then by size; a 0-point note ("sentiment not judged") after the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Rank(UrgencyReason reason) => reason.Signal == "crisis" ? 0 : reason.Points == 0 ? 2 : 1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Structure(in TextMarks marks, (int Start, int Length) careHandle, int wordCount, ReadOnlySpan<char> text, List<RawReason> reasons)
    {
        var points = 0.0;
        if (marks.HasHandle)
        {
            // Nearly every mention a brand receives names an account: it counts, but tells an agent nothing.
            points += _options.AddressedToBrandPoints;
            if (marks.HasQuestion)
            {
                points += Add(reasons, "request", "a question to the account", _options.QuestionToBrandPoints);
            }
        }

        if (careHandle.Length > 0 && Shows(_options.CareHandlePoints))
        {
            var handle = text.Slice(careHandle.Start, careHandle.Length);
            points += Add(reasons, "context", $"addressed to a care account: '{handle}'", _options.CareHandlePoints);
        }

        if (marks.StartsWithHandle)
        {
            points += _options.StartsWithHandlePoints;
        }

        if (marks.HasQuestion)
        {
            points += Add(reasons, "context", "asks a question", _options.QuestionMarkPoints);
        }

        if (marks.HasExclamation)
        {
            points += Add(reasons, "context", "exclamation", _options.ExclamationPoints);
        }

        if (marks.HasLink)
        {
            points += Add(reasons, "context", "shares a link", _options.LinkPoints);
        }

        if (marks.HasNumber)
        {
            points += Add(reasons, "context", "gives a number (order, amount or time)", _options.NumberPoints);
        }

        if (marks.Hashtags > 0)
        {
            points += Add(reasons, "context", "hashtags", _options.HashtagPoints * Math.Min(marks.Hashtags, _options.MaxHashtags));
        }

        if (wordCount > 0)
        {
            points += _options.LengthPointsPerLogWords * Math.Log(1 + wordCount);
        }

        return points;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Sentiment(SentimentScore sentiment, List<RawReason> reasons)
    {
        if (!sentiment.IsJudged)
        {
            var why = sentiment.NotJudged switch
            {
                NotJudgedReason.NotEnglish => "sentiment not judged: not English",
                NotJudgedReason.NoWords => "sentiment not judged: no words to read",
                _ => "sentiment not judged: empty text",
            };
            reasons.Add(new RawReason("sentiment", why, 0, AlwaysShown: true));
            return 0;
        }

        var compound = sentiment.Compound;
        if (compound < 0)
        {
            var points = _options.NegativeSentimentPoints * -compound;
            var label = compound <= _options.StronglyNegativeCompound ? SentimentLabels.StronglyNegative : SentimentLabels.Negative;
            var reason = SentimentLabels.Reason(label, compound);
            reasons.Add(new RawReason("sentiment", sentiment.Idioms is null ? reason : $"{reason}: {sentiment.Idioms}", points));
            return points;
        }

        var positive = _options.PositiveSentimentPoints * compound;
        return Shows(positive) ? Add(reasons, "sentiment", SentimentLabels.Reason(SentimentLabels.Positive, compound), positive) : positive;
    }

    /// <summary>
    /// "negative (-0.72)": the label and the compound to two places, as the format "+0.00;-0.00;0.00"
    /// writes it. The 3 x 201 strings a compound in [-1, 1] can give are made once; which one is found
    /// by arithmetic (custom formatting cost 2% of the full score), except within 1e-9 of a rounding
    /// boundary, where the formatter's own rounding of its decimal digits decides.
    /// </summary>
    internal static class SentimentLabels
    {
        public const int StronglyNegative = 0;
        public const int Negative = 1;
        public const int Positive = 2;
        private const string Format = "+0.00;-0.00;0.00";

        private static readonly string[] Labels = ["strongly negative", "negative", "positive"];

        // By label, then by hundredths from -100 to 100: "{label} (-1.00)" ... "{label} (0.00)" ... "{label} (+1.00)".
        private static readonly string[][] Reasons =
            [.. Labels.Select(label => Enumerable.Range(-100, 201).Select(k => $"{label} ({(k / 100.0).ToString(Format, CultureInfo.InvariantCulture)})").ToArray())];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static string Reason(int label, double compound)
        {
            var scaled = Math.Abs(compound) * 100;
            var fraction = scaled - Math.Floor(scaled);
            if (scaled <= 100 && Math.Abs(fraction - 0.5) > 1e-9)
            {
                // Rounded half away from zero; a value that rounds to 0 is "0.00" whatever its sign, as the format's third section.
                var hundredths = (int)Math.Floor(scaled + 0.5);
                return Reasons[label][100 + (compound < 0 ? -hundredths : hundredths)];
            }

            return $"{Labels[label]} ({compound.ToString(Format, CultureInfo.InvariantCulture)})";
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Shows(double points) => Math.Abs(points) >= MinimumReasonPoints;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    // The first @handle that contains a customer-care fragment (@AcmeHelp, @acme_support), or none (length 0).
    private (int Start, int Length) CareHandle(FoldedWords words, ReadOnlySpan<char> text, Scratch scratch)
    {
        if (_careTerms.Length == 0)
        {
            return default;
        }

        for (var h = 0; h < words.HandleCount; h++)
        {
            var (start, length) = words.Handle(h);
            var lower = scratch.HandleBuffer(length).AsSpan(0, length - 1);
            text.Slice(start + 1, length - 1).ToLowerInvariant(lower);
            foreach (var term in _careTerms)
            {
                if (lower.Contains(term, StringComparison.Ordinal))
                {
                    return (start, length);
                }
            }
        }

        return default;
    }

    // Counts the cue groups' matches and, when shares is not empty, fills each word's share of the
    // learned evidence (0 for a word outside the table or said before) and returns their sum, in word order.
    private static double MatchCues(CueLookup cues, FoldedWords words, Scratch scratch, Span<int> counts, string?[] firstMatch, Span<double> shares)
    {
        shares.Clear();
        var sum = 0.0;
        var evidenceWords = 0;
        var wordCount = words.AllCount;
        for (var w = 0; w < wordCount; w++)
        {
            if (!words.TryLookUpAll(cues.Words, w, out var cue))
            {
                continue;
            }

            if (cue.HasEvidence && !shares.IsEmpty)
            {
                scratch.SetQuotable(w, cue.Quotable);

                // A repeat of a word with evidence is itself among the earlier words with evidence.
                if (!SeenBefore(words, scratch, w, evidenceWords))
                {
                    shares[w] = cue.Evidence;
                }

                scratch.EvidenceWord(evidenceWords++, w);
            }

            // Only the groups the word is a cue of (most words are evidence only, with none).
            for (var mask = cue.Mask; mask != 0; mask &= mask - 1)
            {
                var g = BitOperations.TrailingZeroCount(mask);
                Count(g, cue.Reasons[g]!, counts, firstMatch);
            }

            foreach (var phrase in cue.Phrases)
            {
                if (w + phrase.Rest.Length < wordCount && RestMatches(words, w, phrase.Rest))
                {
                    Count(phrase.Group, phrase.Reason, counts, firstMatch);
                }
            }
        }

        scratch.EvidenceCount = evidenceWords;
        foreach (var share in shares)
        {
            sum += share;
        }

        return sum;
    }

    // The learned evidence of the mention's distinct words (shares and their sum from MatchCues); the
    // reason quotes the words that weigh most.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double WordEvidence(FoldedWords words, Scratch scratch, ReadOnlySpan<double> shares, double sum, List<RawReason> reasons)
    {
        var points = _options.WordEvidencePoints * sum;
        if (Shows(points))
        {
            var label = points > 0 ? "words common in complaints" : "words seldom in complaints";
            if (WordsReason(label, words, scratch, shares, Math.Sign(sum)) is { } text)
            {
                Add(reasons, points > 0 ? "complaint" : "context", text, points);
            }
        }

        return points;
    }

    private static bool SeenBefore(FoldedWords words, Scratch scratch, int w, int evidenceWords)
    {
        for (var k = 0; k < evidenceWords; k++)
        {
            if (words.SameWord(scratch.EvidenceWordAt(k), w))
            {
                return true;
            }
        }

        return false;
    }

    // "{label}: 'word', 'word'": the words whose share points the way of the sum, strongest first.
    // Function words and words under three letters ("the", "my", "got") count in the score but say
    // little to an agent, so are not quoted; with no other word to quote there is no reason (null).
    // sign: +1 or -1, the sign of the sum (never 0: a sum of 0 gives no reason).
    private static string? WordsReason(string label, FoldedWords words, Scratch scratch, ReadOnlySpan<double> shares, int sign)
    {
        // Order: strength descending, then first appearance; each round takes the next word in that order.
        Span<int> quoted = stackalloc int[MaxEvidenceWordsShown];
        var count = 0;
        var (lastWord, lastStrength) = (-1, double.PositiveInfinity);
        var evidenceWords = scratch.EvidenceWords;
        while (count < MaxEvidenceWordsShown)
        {
            var (best, strength) = (-1, 0.0);

            // Only a word of the evidence table can have a share: they are listed, in word order, so the rest are not visited.
            foreach (var w in evidenceWords)
            {
                // Whether it may be quoted was decided with the table.
                if ((sign > 0 ? shares[w] > 0 : shares[w] < 0) && scratch.Quotable(w)
                    && Math.Abs(shares[w]) is var s && s > strength && (s < lastStrength || (s == lastStrength && w > lastWord)))
                {
                    (best, strength) = (w, s);
                }
            }

            if (best < 0)
            {
                break;
            }

            quoted[count++] = best;
            (lastWord, lastStrength) = (best, strength);
        }

        if (count == 0)
        {
            return null;
        }

        // Written on the stack (a longer text moves to a pooled array), not into an array rented for every mention.
        var text = new DefaultInterpolatedStringHandler(4, 0, null, stackalloc char[128]);
        text.AppendLiteral(label);
        text.AppendLiteral(": ");
        for (var k = 0; k < count; k++)
        {
            text.AppendLiteral(k > 0 ? ", '" : "'");
            text.AppendFormatted(words.All(quoted[k]));
            text.AppendLiteral("'");
        }

        return text.ToStringAndClear();
    }

    private static bool RestMatches(FoldedWords words, int w, string[] rest)
    {
        for (var k = 0; k < rest.Length; k++)
        {
            if (!words.All(w + 1 + k).SequenceEqual(rest[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static void Count(int group, string reason, Span<int> counts, string?[] firstMatch)
    {
        if (counts[group]++ == 0)
        {
            firstMatch[group] = reason;
        }
    }

    /// <summary>A cue phrase by the words after its first, its group, and its reason ("{label}: 'term'").</summary>
    private sealed record Phrase(string[] Rest, int Group, string Reason);

    /// <summary>
    /// A cue word: a bit per group it is a cue of, the reason it gives in each ("{label}: 'word'", made
    /// once: the term matched is the word as the reader folds it), and the phrases it starts.
    /// </summary>
    /// <param name="Mask">A bit per group it is a cue of.</param>
    /// <param name="Reasons">By group, the reason it gives.</param>
    /// <param name="Phrases">The phrases it starts.</param>
    /// <param name="HasEvidence">It is in the learned word evidence table.</param>
    /// <param name="Evidence">Its value there.</param>
    /// <param name="Quotable">An evidence word the reason may quote: three letters or more and not a function word ("the", "got").</param>
    private sealed record CueWord(uint Mask, string?[] Reasons, Phrase[] Phrases, bool HasEvidence, double Evidence, bool Quotable);

    /// <summary>A shown reason in raw points, before they become urgency points.</summary>
    private readonly record struct RawReason(string Signal, string Text, double Points, bool AlwaysShown = false);

    /// <summary>One language's cue words, accents folded: the groups each is a cue of and the phrases it starts.</summary>
    private sealed class CueLookup
    {
        public required SpanLookup<CueWord> Words { get; init; }

        public static CueLookup Build(CueGroup[] groups, string language, Dictionary<string, double> evidence, HashSet<string> functionWords)
        {
            var words = new Dictionary<string, (uint Mask, string?[] Reasons, List<Phrase> Phrases)>(StringComparer.Ordinal);
            for (var g = 0; g < groups.Length; g++)
            {
                var terms = language == "en" ? groups[g].Terms : groups[g].TermsByLanguage.FirstOrDefault(kv => string.Equals(kv.Key, language, StringComparison.OrdinalIgnoreCase)).Value ?? [];
                foreach (var term in terms)
                {
                    var parts = MentionLanguage.FoldWord(term.Trim()).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 0)
                    {
                        continue;
                    }

                    if (!words.TryGetValue(parts[0], out var word))
                    {
                        word = (0, new string?[groups.Length], []);
                    }

                    var reason = $"{groups[g].Label}: '{string.Join(' ', parts)}'";
                    if (parts.Length == 1)
                    {
                        word.Mask |= 1u << g;
                        word.Reasons[g] = reason;
                    }
                    else
                    {
                        word.Phrases.Add(new Phrase(parts[1..], g, reason));
                    }

                    words[parts[0]] = word;
                }
            }

            foreach (var word in evidence.Keys)
            {
                words.TryAdd(word, (0, new string?[groups.Length], []));
            }

            return new CueLookup
            {
                Words = new SpanLookup<CueWord>(words.ToDictionary(
                    w => w.Key,
                    w => new CueWord(
                        w.Value.Mask, w.Value.Reasons, [.. w.Value.Phrases], evidence.TryGetValue(w.Key, out var value), value,
                        w.Key.Length >= MinQuotedWordLength && !functionWords.Contains(w.Key)),
                    StringComparer.Ordinal)),
            };
        }
    }

    private sealed class Scratch
    {
        private char[] _handle = new char[64];
        private int[] _counts = new int[MaxGroups];
        private readonly string?[] _first = new string?[MaxGroups];
        private double[] _evidence = new double[128];
        private int[] _evidenceWords = new int[128];
        private bool[] _quotable = new bool[128];
        private readonly List<RawReason> _reasons = new(16);

        public List<RawReason> Reasons()
        {
            _reasons.Clear();
            return _reasons;
        }

        public char[] HandleBuffer(int capacity)
        {
            if (_handle.Length < capacity)
            {
                _handle = new char[Math.Max(capacity, _handle.Length * 2)];
            }

            return _handle;
        }

        public Span<int> Counts(int groups)
        {
            var counts = _counts.AsSpan(0, groups);
            counts.Clear();
            return counts;
        }

        public string?[] FirstMatches => _first;

        public void EvidenceWord(int index, int word)
        {
            if (index >= _evidenceWords.Length)
            {
                Array.Resize(ref _evidenceWords, _evidenceWords.Length * 2);
            }

            _evidenceWords[index] = word;
        }

        public int EvidenceWordAt(int index) => _evidenceWords[index];

        /// <summary>How many words MatchCues found in the evidence table, repeats included.</summary>
        public int EvidenceCount { get; set; }

        /// <summary>The words MatchCues found in the evidence table, in word order, repeats included.</summary>
        public ReadOnlySpan<int> EvidenceWords => _evidenceWords.AsSpan(0, EvidenceCount);

        public void SetQuotable(int word, bool quotable)
        {
            if (word >= _quotable.Length)
            {
                Array.Resize(ref _quotable, Math.Max(word + 1, _quotable.Length * 2));
            }

            _quotable[word] = quotable;
        }

        // Read only where the word has an evidence share, which MatchCues set it with.
        public bool Quotable(int word) => _quotable[word];

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
