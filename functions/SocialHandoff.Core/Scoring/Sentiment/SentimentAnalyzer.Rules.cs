using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace SocialHandoff.Core.Scoring.Sentiment;

// The VADER rules, kept apart from the vectorised text code (SentimentAnalyzer.Text.cs): each word's
// valence with boosters, ALL-CAPS, negation, idioms, "least" and "but", then the summary with "!"
// and "?" emphasis, as in VADER 3.3.2 with the fixes the Scoring README lists.
public sealed partial class SentimentAnalyzer
{
    private double Valence(ReadOnlySpan<Token> tokens, int i, bool capsDiffer, Scratch scratch)
    {
        ref readonly var token = ref tokens[i];
        var traits = token.Entry.Traits;
        if ((traits & WordTraits.Booster) != 0)
        {
            return 0;
        }

        if ((traits & WordTraits.Kind) != 0 && i < tokens.Length - 1 && (tokens[i + 1].Entry.Traits & WordTraits.Of) != 0)
        {
            return 0;
        }

        if ((traits & WordTraits.InLexicon) == 0)
        {
            return 0;
        }

        var lexiconValence = token.Entry.Valence;
        var valence = lexiconValence;

        // "no" directly before a lexicon word negates that word rather than counting itself.
        if ((traits & WordTraits.No) != 0 && i != tokens.Length - 1 && InLexicon(tokens[i + 1]))
        {
            valence = 0.0;
        }

        if ((i > 0 && Is(tokens[i - 1], WordTraits.No))
            || (i > 2 && Is(tokens[i - 3], WordTraits.No) && Is(tokens[i - 1], WordTraits.OrNor)))
        {
            valence = lexiconValence * VaderRules.NegationScalar;
        }

        // Emphasis by ALL CAPS, or by stretching the word ("gooood"), when the rest of the text is not shouted.
        if (token.IsUpper && capsDiffer)
        {
            valence += valence > 0 ? VaderRules.CapsIncrement : -VaderRules.CapsIncrement;
        }

        if (token.Elongated && valence != 0)
        {
            valence += valence > 0 ? VaderRules.BoosterIncrement : -VaderRules.BoosterIncrement;
        }

        for (var startI = 0; startI < 3; startI++)
        {
            if (i <= startI || InLexicon(tokens[i - (startI + 1)]))
            {
                continue;
            }

            var scalar = BoosterScalar(tokens[i - (startI + 1)], valence, capsDiffer);
            if (startI == 1 && scalar != 0)
            {
                scalar *= 0.95;
            }
            else if (startI == 2 && scalar != 0)
            {
                scalar *= 0.9;
            }

            valence += scalar;
            valence = NegationCheck(valence, tokens, startI, i);
            if (startI == 2)
            {
                valence = PhraseCheck(valence, tokens, i, scratch);
            }
        }

        return LeastCheck(valence, tokens, i);
    }

    private static bool InLexicon(in Token token) => (token.Entry.Traits & WordTraits.InLexicon) != 0;

    private static bool Is(in Token token, WordTraits trait) => (token.Entry.Traits & trait) != 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BoosterScalar(in Token word, double valence, bool capsDiffer)
    {
        if ((word.Entry.Traits & WordTraits.Booster) == 0)
        {
            return 0;
        }

        var scalar = word.Entry.Booster;
        if (valence < 0)
        {
            scalar = -scalar;
        }

        if (word.IsUpper && capsDiffer)
        {
            scalar += valence > 0 ? VaderRules.CapsIncrement : -VaderRules.CapsIncrement;
        }

        return scalar;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double NegationCheck(double valence, ReadOnlySpan<Token> tokens, int startI, int i)
    {
        switch (startI)
        {
            case 0:
                if (Is(tokens[i - 1], WordTraits.Negation))
                {
                    valence *= VaderRules.NegationScalar;
                }

                break;
            case 1:
                if (Is(tokens[i - 2], WordTraits.Never) && Is(tokens[i - 1], WordTraits.SoOrThis))
                {
                    valence *= 1.25;
                }
                else if (Is(tokens[i - 2], WordTraits.Without) && Is(tokens[i - 1], WordTraits.Doubt))
                {
                    // "without doubt" affirms.
                }
                else if (Is(tokens[i - 2], WordTraits.Negation))
                {
                    valence *= VaderRules.NegationScalar;
                }

                break;
            default:
                if ((Is(tokens[i - 3], WordTraits.Never) && Is(tokens[i - 2], WordTraits.SoOrThis)) || Is(tokens[i - 1], WordTraits.SoOrThis))
                {
                    valence *= 1.25;
                }
                else if (Is(tokens[i - 3], WordTraits.Without) && (Is(tokens[i - 2], WordTraits.Doubt) || Is(tokens[i - 1], WordTraits.Doubt)))
                {
                    // "without a doubt" affirms.
                }
                else if (Is(tokens[i - 3], WordTraits.Negation))
                {
                    valence *= VaderRules.NegationScalar;
                }

                break;
        }

        return valence;
    }

    // Idioms and special cases around the word replace its valence; "kind of" and "sort of" before it dampen it.
    private double PhraseCheck(double valence, ReadOnlySpan<Token> tokens, int i, Scratch scratch)
    {
        // Most words sit among no phrase word at all: skip the ten look-ups below.
        var near = false;
        for (var k = i - 3; k <= Math.Min(i + 2, tokens.Length - 1) && !near; k++)
        {
            near = (tokens[k].Entry.Traits & WordTraits.PhrasePart) != 0;
        }

        if (!near)
        {
            return valence;
        }

        if (TryPhrase(tokens, i - 1, 2, scratch, out var phrase) && !phrase.IsBooster
            || TryPhrase(tokens, i - 2, 3, scratch, out phrase) && !phrase.IsBooster
            || TryPhrase(tokens, i - 2, 2, scratch, out phrase) && !phrase.IsBooster
            || TryPhrase(tokens, i - 3, 3, scratch, out phrase) && !phrase.IsBooster
            || TryPhrase(tokens, i - 3, 2, scratch, out phrase) && !phrase.IsBooster)
        {
            valence = phrase.Value;
        }

        // Around the word ("to die for" centred on "die"): VADER's published windows miss this one.
        if (i + 1 < tokens.Length && TryPhrase(tokens, i - 1, 3, scratch, out phrase) && !phrase.IsBooster)
        {
            valence = phrase.Value;
        }

        if (i + 1 < tokens.Length && TryPhrase(tokens, i, 2, scratch, out phrase) && !phrase.IsBooster)
        {
            valence = phrase.Value;
        }

        if (i + 2 < tokens.Length && TryPhrase(tokens, i, 3, scratch, out phrase) && !phrase.IsBooster)
        {
            valence = phrase.Value;
        }

        if (TryPhrase(tokens, i - 3, 3, scratch, out phrase) && phrase.IsBooster)
        {
            valence += phrase.Value;
        }

        if (TryPhrase(tokens, i - 3, 2, scratch, out phrase) && phrase.IsBooster)
        {
            valence += phrase.Value;
        }

        if (TryPhrase(tokens, i - 2, 2, scratch, out phrase) && phrase.IsBooster)
        {
            valence += phrase.Value;
        }

        return valence;
    }

    // Most windows hold words that cannot stand where they are in any expression ("in the" is the
    // start of "in the red", not an expression of two): they are ruled out inline, without a call
    // or building and looking up the window's text.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPhrase(ReadOnlySpan<Token> tokens, int from, int count, Scratch scratch, out PhraseEntry phrase)
    {
        var fits = count == 2
            ? Is(tokens[from], WordTraits.FirstOfTwo) && Is(tokens[from + 1], WordTraits.LastOfTwo)
            : Is(tokens[from], WordTraits.FirstOfThree) && Is(tokens[from + 1], WordTraits.MiddleOfThree) && Is(tokens[from + 2], WordTraits.LastOfThree);
        if (!fits)
        {
            phrase = default;
            return false;
        }

        return LookUpPhrase(tokens, from, count, scratch, out phrase);
    }

    private bool LookUpPhrase(ReadOnlySpan<Token> tokens, int from, int count, Scratch scratch, out PhraseEntry phrase) =>
        _lexicon.Phrases.TryGetValue(Window(tokens, from, count, scratch), out phrase);

    // The lower-case words of tokens [from, from + count) joined by single spaces, in the scratch buffer.
    private static ReadOnlySpan<char> Window(ReadOnlySpan<Token> tokens, int from, int count, Scratch scratch)
    {
        var length = count - 1;
        for (var k = from; k < from + count; k++)
        {
            length += tokens[k].Length;
        }

        var buffer = scratch.Gram(length);
        var lower = scratch.LowerBuffer;
        var at = 0;
        for (var k = from; k < from + count; k++)
        {
            if (k > from)
            {
                buffer[at++] = ' ';
            }

            lower.AsSpan(tokens[k].Start, tokens[k].Length).CopyTo(buffer.AsSpan(at));
            at += tokens[k].Length;
        }

        return buffer.AsSpan(0, at);
    }

    // Complaint idioms (ComplaintIdioms), longest first at each start, not overlapping. Only tokens
    // that can start one are tried, and a window only when each of its words is an idiom word.
    private void FindIdioms(ReadOnlySpan<Token> tokens, Scratch scratch)
    {
        scratch.IdiomCount = 0;
        if (scratch.IdiomStarts == 0)
        {
            return;
        }

        for (var i = 0; i < tokens.Length - 1; i++)
        {
            if (!Is(tokens[i], WordTraits.IdiomStart))
            {
                continue;
            }

            // How far the words can stand in an idiom from here, and which of those lengths end on a word that ends one.
            var parts = 1;
            var ends = 0;
            while (parts < ComplaintIdioms.MaxWords && i + parts < tokens.Length)
            {
                var traits = IdiomTraits(tokens[i + parts], scratch);
                if ((traits & IdiomPlaces[parts]) == 0)
                {
                    break;
                }

                ends |= (traits & WordTraits.IdiomEnd) != 0 ? 1 << parts : 0;
                parts++;
            }

            for (var count = parts; count >= 2; count--)
            {
                if ((ends & (1 << (count - 1))) != 0 && _lexicon.Idioms.TryGetValue(IdiomWindow(tokens, i, count, scratch), out var idiom))
                {
                    scratch.AddIdiom(new IdiomMatch(i, count, idiom));
                    i += count - 1;
                    break;
                }
            }
        }
    }

    private static readonly WordTraits[] IdiomPlaces = [WordTraits.IdiomStart, WordTraits.IdiomSecond, WordTraits.IdiomThird, WordTraits.IdiomFourth];

    // VADER keeps the punctuation of a word of one or two letters ("up,", "it."): an idiom reads the
    // word (only after its first: a start with punctuation, "no," or "not.", ends its sentence).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private WordTraits IdiomTraits(in Token token, Scratch scratch)
    {
        var traits = token.Entry.Traits;
        if ((traits & WordTraits.IdiomPart) != 0 || token.Length > 4 || !token.HasLetter || char.IsAsciiLetterOrDigit(scratch.LowerBuffer[token.Start + token.Length - 1]))
        {
            return traits;
        }

        var word = TrimPunctuation(scratch.LowerBuffer.AsSpan(token.Start, token.Length));
        return word.Length < token.Length && _lexicon.Words.TryGetValue(word, out var entry) ? entry.Traits : traits;
    }

    private static ReadOnlySpan<char> TrimPunctuation(ReadOnlySpan<char> word) =>
        word.Trim("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~");

    // Window with each word's punctuation trimmed (IdiomTraits).
    private static ReadOnlySpan<char> IdiomWindow(ReadOnlySpan<Token> tokens, int from, int count, Scratch scratch)
    {
        var buffer = scratch.Gram(count * 4 + tokens[from + count - 1].Start + tokens[from + count - 1].Length - tokens[from].Start);
        var at = 0;
        for (var k = from; k < from + count; k++)
        {
            if (k > from)
            {
                buffer[at++] = ' ';
            }

            var word = TrimPunctuation(scratch.LowerBuffer.AsSpan(tokens[k].Start, tokens[k].Length));
            word.CopyTo(buffer.AsSpan(at));
            at += word.Length;
        }

        return buffer.AsSpan(0, at);
    }

    // An idiom counts as one word: a booster before it strengthens it ("so fed up"), a negation
    // before it flips it ("not fed up"), ALL CAPS emphasise it.
    private static double IdiomValence(ReadOnlySpan<Token> tokens, IdiomMatch match, bool capsDiffer)
    {
        var valence = match.Entry.Valence;
        if (valence == 0)
        {
            return 0;
        }

        var shouted = false;
        for (var k = match.Start; k < match.Start + match.Length; k++)
        {
            shouted |= tokens[k].IsUpper;
        }

        if (shouted && capsDiffer)
        {
            valence += valence > 0 ? VaderRules.CapsIncrement : -VaderRules.CapsIncrement;
        }

        if (match.Start > 0)
        {
            ref readonly var before = ref tokens[match.Start - 1];
            if (!InLexicon(before))
            {
                valence += BoosterScalar(before, valence, capsDiffer);
            }

            if (Is(before, WordTraits.Negation))
            {
                valence *= VaderRules.NegationScalar;
            }
        }

        return valence;
    }

    /// <summary>"'fed up', 'never replies'": the idioms that pulled the text negative, for the reasons an agent reads; null when none did.</summary>
    private static string? NegativeIdioms(Scratch scratch)
    {
        string? quoted = null;
        foreach (var match in scratch.Idioms.AsSpan(0, scratch.IdiomCount))
        {
            if (match.Entry.Valence < 0)
            {
                var one = match.Entry.Quoted;
                quoted = quoted is null ? one : quoted.Contains(one, StringComparison.Ordinal) ? quoted : $"{quoted}, {one}";
            }
        }

        return quoted;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LeastCheck(double valence, ReadOnlySpan<Token> tokens, int i)
    {
        if (i > 1 && !InLexicon(tokens[i - 1]) && Is(tokens[i - 1], WordTraits.Least))
        {
            if (!Is(tokens[i - 2], WordTraits.AtOrVery))
            {
                valence *= VaderRules.NegationScalar;
            }
        }
        else if (i > 0 && !InLexicon(tokens[i - 1]) && Is(tokens[i - 1], WordTraits.Least))
        {
            valence *= VaderRules.NegationScalar;
        }

        return valence;
    }

    // Each token's valence, weighted by "but" and summed as it comes: VADER's list of sentiments, never stored.
    private SentimentScore Summarize(ReadOnlySpan<Token> tokens, bool capsDiffer, Scratch scratch)
    {
        var but = scratch.FirstBut;
        var sum = 0.0;
        double positive = 0, negative = 0;
        var neutral = 0;
        var idioms = scratch.Idioms;
        var nextIdiom = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            double s;
            if (nextIdiom < scratch.IdiomCount && idioms[nextIdiom].Start == i)
            {
                // The idiom's words count as one, with its valence: the rest are neutral.
                var match = idioms[nextIdiom++];
                s = IdiomValence(tokens, match, capsDiffer);
                neutral += match.Length - 1;
                i += match.Length - 1;
                if (but >= 0)
                {
                    s *= match.Start < but ? 0.5 : match.Start > but ? 1.5 : 1.0;
                }

                sum += s;
                positive += s > 0 ? s + 1 : 0.0;
                negative += s < 0 ? s - 1 : 0.0;
                neutral += s == 0 ? 1 : 0;
                continue;
            }

            // Only a lexicon word can carry valence: any other token is neutral, and its 0.0 would
            // leave the sums exactly as they are (they start at +0.0, so are never -0.0).
            if (!InLexicon(tokens[i]))
            {
                neutral++;
                continue;
            }

            s = Valence(tokens, i, capsDiffer, scratch);

            // "but" shifts the weight to what follows it: before it counts half, after it one and a half.
            if (but >= 0)
            {
                s *= i < but ? 0.5 : i > but ? 1.5 : 1.0;
            }

            sum += s;
            positive += s > 0 ? s + 1 : 0.0;
            negative += s < 0 ? s - 1 : 0.0;
            neutral += s == 0 ? 1 : 0;
        }

        var emphasis = PunctuationEmphasis(scratch.Exclamations, scratch.Questions);
        if (sum > 0)
        {
            sum += emphasis;
        }
        else if (sum < 0)
        {
            sum -= emphasis;
        }

        var compound = Math.Clamp(sum / Math.Sqrt(sum * sum + VaderRules.NormalizationAlpha), -1.0, 1.0);
        if (positive > Math.Abs(negative))
        {
            positive += emphasis;
        }
        else if (positive < Math.Abs(negative))
        {
            negative -= emphasis;
        }

        var total = positive + Math.Abs(negative) + neutral;
        return new SentimentScore(
            compound,
            Math.Abs(positive / total),
            Math.Abs(neutral / total),
            Math.Abs(negative / total),
            SentimentScore.LabelOf(compound),
            NotJudgedReason.None)
        {
            Idioms = scratch.IdiomCount == 0 || compound > -SentimentScore.LabelThreshold ? null : NegativeIdioms(scratch),
        };
    }

    // Up to four "!" add 0.292 each; two or three "?" add 0.18 each, more add 0.96 in all.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PunctuationEmphasis(int exclamationCount, int questionCount)
    {
        var exclamations = Math.Min(exclamationCount, 4);
        var questions = questionCount;
        var questionEmphasis = questions switch
        {
            <= 1 => 0.0,
            <= 3 => questions * 0.18,
            _ => 0.96,
        };
        return exclamations * 0.292 + questionEmphasis;
    }
}
