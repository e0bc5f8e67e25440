using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace SocialHandoff.Core.Scoring.Sentiment;

// The text side of the analyzer: normalizing, tokenizing and looking words up, vectorised and
// tuned for speed (see the Scoring README). It decides nothing about sentiment; the VADER rules that
// do are in SentimentAnalyzer.Rules.cs. The golden file test (GoldenScoresTests) keeps both honest:
// a change here that moves any score shows up as a diff of that file.
public sealed partial class SentimentAnalyzer
{
    // Emoji become their English description (VADER scores the words); control characters and
    // lone surrogates become spaces so that nothing downstream sees them; a curly apostrophe is
    // read as a straight one so that "don’t" negates. All white space comes out as ' ' (printable
    // ASCII, returned as is, has no other), which lets Tokenize look for that one character.
    private ReadOnlySpan<char> Normalize(ReadOnlySpan<char> text, Scratch scratch)
    {
        // Printable ASCII with no entity to decode needs no copy (most social text; one vectorised scan).
        if (text.IndexOfAnyExcept(PlainAscii) < 0)
        {
            return text;
        }

        var buffer = scratch.EnsureText(text.Length * 2 + 16);
        var length = 0;
        var previousSpace = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];

            // Most social text is ASCII: copied as is, without the Unicode checks below.
            if (c < 0x80 && c != '&')
            {
                var ascii = c >= ' ' ? c : ' ';
                buffer[length++] = ascii;
                previousSpace = ascii == ' ';
                continue;
            }

            int codePoint = c;
            var width = 1;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, text[i + 1]);
                width = 2;
            }
            else if (char.IsSurrogate(c) || (char.IsControl(c) && !char.IsWhiteSpace(c)))
            {
                c = ' ';
                codePoint = ' ';
            }

            if (codePoint >= 0x80 && SentimentLexicon.IsEmojiModifier(codePoint))
            {
                i += width - 1;
                continue;
            }

            if (codePoint >= 0x80 && _lexicon.TryGetEmojiDescription(codePoint, out var description))
            {
                buffer = scratch.EnsureText(length + description.Length + 2);
                if (!previousSpace)
                {
                    buffer[length++] = ' ';
                }

                description.AsSpan().CopyTo(buffer.AsSpan(length));
                length += description.Length;
                buffer[length++] = ' ';
                previousSpace = true;
                i += width - 1;
                continue;
            }

            buffer = scratch.EnsureText(length + 2);
            if (c == '&' && TryDecodeEntity(text[i..], out var decoded, out var consumed))
            {
                buffer[length++] = decoded;
                previousSpace = false;
                i += consumed - 1;
                continue;
            }

            if (width == 2)
            {
                buffer[length++] = c;
                buffer[length++] = text[++i];
                previousSpace = false;
                continue;
            }

            previousSpace = char.IsWhiteSpace(c);
            buffer[length++] = previousSpace ? ' ' : c == '\u2019' ? '\'' : c;
        }

        return buffer.AsSpan(0, length);
    }

    private static readonly SearchValues<char> PlainAscii =
        SearchValues.Create([.. Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).Where(c => c != '&')]);

    // X and most feeds deliver text HTML-escaped: "&lt;3" is a heart, "&amp;" an ampersand.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryDecodeEntity(ReadOnlySpan<char> text, out char decoded, out int consumed)
    {
        (decoded, consumed) = text switch
        {
            _ when text.StartsWith("&amp;") => ('&', 5),
            _ when text.StartsWith("&lt;") => ('<', 4),
            _ when text.StartsWith("&gt;") => ('>', 4),
            _ when text.StartsWith("&quot;") => ('"', 6),
            _ when text.StartsWith("&#39;") => ('\'', 5),
            _ when text.StartsWith("&apos;") => ('\'', 6),
            _ => ('&', 0),
        };
        return consumed > 0;
    }

    private Span<Token> Tokenize(ReadOnlySpan<char> text, Scratch scratch)
    {
        var count = 0;
        var i = 0;
        var spaces = MarkSpaces(text, scratch);
        while (i < text.Length)
        {
            var start = NextBit(spaces, i, text.Length, set: false);
            if (start == text.Length)
            {
                break;
            }

            i = NextBit(spaces, start, text.Length, set: true);

            var raw = text[start..i];
            if (IsLink(raw) || IsHandle(raw))
            {
                continue;
            }

            // "home:(" is a word and an emoticon typed without a space.
            var emoticon = MayEndInEmoticon(text, start, i) ? TrailingEmoticonLength(raw, scratch) : 0;
            if (emoticon > 0)
            {
                var wordEnd = i - emoticon;
                var (wordOffset, wordLength) = StripPunctuation(text[start..wordEnd]);
                var withEmoticon = scratch.Tokens(count + 2);
                withEmoticon[count++] = new Token { Start = start + wordOffset, Length = wordLength };
                withEmoticon[count++] = new Token { Start = wordEnd, Length = emoticon };
                continue;
            }

            var (offset, length) = StripPunctuation(raw);
            var tokens = scratch.Tokens(count + 8);
            if (raw[0] == '#' && length >= 4)
            {
                count = SplitHashtag(text.Slice(start + offset, length), start + offset, tokens, count, scratch);
            }
            else
            {
                tokens[count++] = new Token { Start = start + offset, Length = length };
            }
        }

        return scratch.Tokens(count).AsSpan(0, count);
    }

    // One bit per character, set for a space (Normalize left ' ' the only white space), computed
    // 8 characters at a time: finding words by these bits costs a fraction of a search per word.
    // The same pass copies the text into Scratch.Padded, where Lookup reads whole blocks of 8.
    private static ReadOnlySpan<ulong> MarkSpaces(ReadOnlySpan<char> text, Scratch scratch)
    {
        var bits = scratch.SpaceBits((text.Length >> 6) + 1);
        bits.Clear();
        var chars = MemoryMarshal.Cast<char, ushort>(text);
        var padded = MemoryMarshal.Cast<char, ushort>(scratch.Padded(text.Length));
        var space = Vector128.Create((ushort)' ');
        int exclamations = 0, questions = 0;
        var i = 0;
        for (; i + 8 <= chars.Length; i += 8)
        {
            var eight = Vector128.Create(chars.Slice(i, 8));
            eight.CopyTo(padded.Slice(i, 8));
            var found = Vector128.Equals(eight, space).ExtractMostSignificantBits();
            bits[i >> 6] |= (ulong)found << (i & 63);

            // The "!" and "?" that Summarize weighs, counted on the same pass.
            exclamations += BitOperations.PopCount(Vector128.Equals(eight, Vector128.Create((ushort)'!')).ExtractMostSignificantBits());
            questions += BitOperations.PopCount(Vector128.Equals(eight, Vector128.Create((ushort)'?')).ExtractMostSignificantBits());
        }

        for (; i < chars.Length; i++)
        {
            padded[i] = chars[i];
            bits[i >> 6] |= chars[i] == ' ' ? 1UL << (i & 63) : 0;
            exclamations += chars[i] == '!' ? 1 : 0;
            questions += chars[i] == '?' ? 1 : 0;
        }

        scratch.Exclamations = exclamations;
        scratch.Questions = questions;
        return bits;
    }

    // The first position at or after `from` whose bit is set (or clear); `length` if none.
    private static int NextBit(ReadOnlySpan<ulong> bits, int from, int length, bool set)
    {
        var word = from >> 6;
        var flip = set ? 0UL : ulong.MaxValue;
        var pending = (bits[word] ^ flip) & (ulong.MaxValue << (from & 63));
        while (pending == 0)
        {
            if (++word >= bits.Length)
            {
                return length;
            }

            pending = bits[word] ^ flip;
        }

        return Math.Min((word << 6) + BitOperations.TrailingZeroCount(pending), length);
    }

    // A hashtag is read as the words it is made of: "#NeverAgain" at its capitals, "#ncaasucks"
    // where it splits into two known words, one of them carrying sentiment.
    private int SplitHashtag(ReadOnlySpan<char> tag, int start, Token[] tokens, int count, Scratch scratch)
    {
        var lower = scratch.Gram(tag.Length);
        var upperCount = 0;
        for (var k = 0; k < tag.Length; k++)
        {
            lower[k] = char.ToLowerInvariant(tag[k]);
            upperCount += char.IsUpper(tag[k]) ? 1 : 0;
        }

        var whole = lower.AsSpan(0, tag.Length);
        if (_lexicon.Words.TryGetValue(whole, out var wholeEntry) && (wholeEntry.Traits & WordTraits.InLexicon) != 0)
        {
            tokens[count++] = new Token { Start = start, Length = tag.Length };
            return count;
        }

        if (upperCount > 1 && upperCount < tag.Length)
        {
            var pieceStart = 0;
            var pieces = 0;
            for (var k = 1; k <= tag.Length && pieces < 6; k++)
            {
                if (k == tag.Length || (char.IsUpper(tag[k]) && char.IsLower(tag[k - 1])))
                {
                    tokens[count + pieces++] = new Token { Start = start + pieceStart, Length = k - pieceStart };
                    pieceStart = k;
                }
            }

            if (pieceStart == tag.Length)
            {
                return count + pieces;
            }
        }

        for (var k = 2; k <= tag.Length - 2; k++)
        {
            if (_lexicon.Words.TryGetValue(whole[..k], out var head)
                && _lexicon.Words.TryGetValue(whole[k..], out var tail)
                && IsWord(head) && IsWord(tail)
                && ((head.Traits | tail.Traits) & WordTraits.InLexicon) != 0)
            {
                tokens[count++] = new Token { Start = start, Length = k };
                tokens[count++] = new Token { Start = start + k, Length = tag.Length - k };
                return count;
            }
        }

        tokens[count++] = new Token { Start = start, Length = tag.Length };
        return count;

        static bool IsWord(LexiconEntry entry) =>
            (entry.Traits & (WordTraits.InLexicon | WordTraits.EnglishFunctionWord | WordTraits.Negation | WordTraits.Booster)) != 0;
    }

    // The cheap part of the test below, done inline: nearly every token fails it. The token is
    // text[start..end]; its characters are tested before its length, which is as likely short as
    // not (a hard branch to predict), while an emoticon's eyes are rare.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MayEndInEmoticon(ReadOnlySpan<char> text, int start, int end) =>
        end >= 3 && (text[end - 2] is ':' or ';' or '=' || text[end - 3] is ':' or ';' or '=') && end - start >= 4;

    private int TrailingEmoticonLength(ReadOnlySpan<char> raw, Scratch scratch)
    {
        for (var length = 3; length >= 2; length--)
        {
            if (raw.Length < length + 2 || !char.IsLetter(raw[0]) || raw[^length] is not (':' or ';' or '='))
            {
                continue;
            }

            var lower = scratch.Gram(length);
            raw[^length..].ToLowerInvariant(lower);
            if (_lexicon.Words.TryGetValue(lower.AsSpan(0, length), out var entry) && (entry.Traits & WordTraits.InLexicon) != 0)
            {
                return length;
            }
        }

        return 0;
    }

    // http(s)://, www. and pic.twitter.com/ links, tested letter by letter: most words fail on the
    // first, so it is tested before the length (as likely short as not, a hard branch to predict).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsLink(ReadOnlySpan<char> raw) =>
        !raw.IsEmpty && (raw[0] | 0x20) switch
        {
            'h' => raw.Length >= 5 && (raw[1] | 0x20) == 't' && (raw[2] | 0x20) == 't' && (raw[3] | 0x20) == 'p'
                && (raw[4] == ':' || ((raw[4] | 0x20) == 's' && raw.Length > 5 && raw[5] == ':')),
            'w' => raw.Length >= 5 && (raw[1] | 0x20) == 'w' && (raw[2] | 0x20) == 'w' && raw[3] == '.',
            'p' => raw.StartsWith("pic.twitter.com/", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };

    /// <summary>An @handle: '@' then a letter, digit or underscore (a lone "@" is a word). Urgency reads it the same way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool IsHandle(ReadOnlySpan<char> raw) =>
        raw.Length > 1 && raw[0] == '@' && (char.IsLetterOrDigit(raw[1]) || raw[1] == '_');

    // VADER strips ASCII punctuation from both ends of a token unless that leaves two characters or
    // fewer, which keeps emoticons such as ":)" whole. A hashtag always loses its '#'.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Offset, int Length) StripPunctuation(ReadOnlySpan<char> raw) =>
        // Most words start and end with a letter: nothing to strip, and no call or loop.
        raw.Length > 0 && !IsAsciiPunctuation(raw[0]) && !IsAsciiPunctuation(raw[^1])
            ? (0, raw.Length)
            : StripEnds(raw);

    private static (int Offset, int Length) StripEnds(ReadOnlySpan<char> raw)
    {
        var first = 0;
        var last = raw.Length - 1;
        while (first <= last && IsAsciiPunctuation(raw[first]))
        {
            first++;
        }

        while (last >= first && IsAsciiPunctuation(raw[last]))
        {
            last--;
        }

        var strippedLength = last - first + 1;
        if (strippedLength > 2 || (raw[0] == '#' && strippedLength > 0))
        {
            return (first, strippedLength);
        }

        return (0, raw.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsAsciiPunctuation(char c) => c < 0x80 && (AsciiShapes[c] & CharShape.Punctuation) != 0;

    // Fills in each token's lower-case form, caps flag and lexicon entry, and the counts in Scratch
    // the later steps need; returns how many tokens can be read (a word, or an emoticon in the
    // lexicon; the rest are numbers and symbols).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Lookup(ReadOnlySpan<char> text, Span<Token> tokens, Scratch scratch)
    {
        // Room for the last block of 8 that FoldAscii writes past a token's end.
        var lower = scratch.Lower(text.Length + 8);
        var padded = scratch.PaddedBuffer;
        var lexicon = _lexicon.Words;
        int words = 0, other = 0, upper = 0, english = 0, foreign = 0, idioms = 0, but = -1;
        for (var t = 0; t < tokens.Length; t++)
        {
            ref var token = ref tokens[t];
            var folded = lower.AsSpan(token.Start, token.Length);
            var shape = FoldAscii(padded, lower, token.Start, token.Length, out var hash, out var block);
            if (shape == CharShape.NotAscii)
            {
                shape = FoldAny(text.Slice(token.Start, token.Length), folded, ref other);
                hash = SpanLookup.Hash(folded, out block);
            }

            var found = lexicon.TryGetValue(folded, hash, block, out var entry);

            var hasLetter = (shape & CharShape.Letter) != 0;

            // A lone capital ("I", "A") is not shouting.
            token.IsUpper = (shape & (CharShape.Upper | CharShape.Lower)) == CharShape.Upper && token.Length > 1;
            token.HasLetter = hasLetter;
            if (found)
            {
                token.Entry = entry;
            }
            else if (hasLetter && (token.Length <= 8 && shape != CharShape.NotAscii ? MayBeVariant(block, token.Length) : MayBeVariant(folded)))
            {
                LookupVariant(ref token, folded, scratch);
            }

            if ((shape & CharShape.Apostrophe) != 0 && (token.Entry.Traits & WordTraits.Negation) == 0 && folded.Contains("n't", StringComparison.Ordinal))
            {
                token.Entry = token.Entry with { Traits = token.Entry.Traits | WordTraits.Negation };
            }

            words += hasLetter || InLexicon(token) ? 1 : 0;

            // What the steps after this one count over the tokens, counted here in the same pass.
            var traits = token.Entry.Traits;
            upper += token.IsUpper ? 1 : 0;
            english += (traits & WordTraits.EnglishFunctionWord) != 0 ? 1 : 0;
            foreign += (traits & WordTraits.ForeignFunctionWord) != 0 ? 1 : 0;
            idioms += (traits & WordTraits.IdiomStart) != 0 ? 1 : 0;
            if ((traits & WordTraits.But) != 0 && but < 0)
            {
                but = t;
            }
        }

        scratch.OtherLetters = other;
        scratch.UpperTokens = upper;
        scratch.EnglishWords = english;
        scratch.ForeignWords = foreign;
        scratch.FirstBut = but;
        scratch.IdiomStarts = idioms;

        return words;
    }

    /// <summary>What <see cref="Lookup"/> needs to know of a token's characters.</summary>
    [Flags]
    private enum CharShape : byte
    {
        None = 0,
        Upper = 1,
        Lower = 2,
        Apostrophe = 4,
        Letter = 8,
        NotAscii = 16,

        /// <summary>Printable ASCII other than letters and digits, which VADER strips from a word's ends.</summary>
        Punctuation = 32,
    }

    private static readonly CharShape[] AsciiShapes = BuildAsciiShapes();

    private static readonly char[] AsciiLower = [.. Enumerable.Range(0, 128).Select(c => char.ToLowerInvariant((char)c))];

    private static CharShape[] BuildAsciiShapes()
    {
        var shapes = new CharShape[128];
        for (var c = 'A'; c <= 'Z'; c++)
        {
            shapes[c] = CharShape.Upper | CharShape.Letter;
            shapes[c | 0x20] = CharShape.Lower | CharShape.Letter;
        }

        shapes['\''] = CharShape.Apostrophe;
        for (var c = '!'; c <= '~'; c++)
        {
            shapes[c] |= char.IsAsciiLetterOrDigit(c) ? CharShape.None : CharShape.Punctuation;
        }

        return shapes;
    }

    // The common case, a token of ASCII only: lower-cased, classified and hashed 8 characters at a
    // time (most words take one block), from the zero-padded copy of the text into `lower`; the
    // characters written past the token's end are zeros that the next token overwrites. Returns
    // NotAscii, the rest unusable, for a token with a character beyond ASCII.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CharShape FoldAscii(char[] padded, char[] lower, int start, int length, out uint hash, out Vector128<ushort> first)
    {
        var h = SpanLookup.Seed(length);
        uint upper = 0, lowerCase = 0, apostrophes = 0, beyondAscii = 0;
        first = default;
        for (var k = 0; k < length; k += 8)
        {
            var block = Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref padded[start + k]))
                & Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(BlockMasks), (nuint)(8 - Math.Min(length - k, 8)));
            beyondAscii |= Vector128.GreaterThan(block, Vector128.Create((ushort)0x7F)).ExtractMostSignificantBits();
            var isUpper = Vector128.LessThan(block - Vector128.Create((ushort)'A'), Vector128.Create((ushort)26));
            upper |= isUpper.ExtractMostSignificantBits();
            lowerCase |= Vector128.LessThan(block - Vector128.Create((ushort)'a'), Vector128.Create((ushort)26)).ExtractMostSignificantBits();
            apostrophes |= Vector128.Equals(block, Vector128.Create((ushort)'\'')).ExtractMostSignificantBits();
            var folded = block | (isUpper & Vector128.Create((ushort)0x20));
            folded.StoreUnsafe(ref Unsafe.As<char, ushort>(ref lower[start + k]));
            if (k == 0)
            {
                first = folded;
            }

            h = SpanLookup.Mix(h, folded.AsUInt64().GetElement(0), folded.AsUInt64().GetElement(1));
        }

        hash = SpanLookup.Finish(h);

        // Lane masks to flags by arithmetic (Min(mask, 1) is 0 or 1): a branch per flag would
        // follow the unpredictable mix of words, and cost more than the folding itself.
        return beyondAscii != 0
            ? CharShape.NotAscii
            : (CharShape)((Math.Min(upper, 1u) * (uint)(CharShape.Upper | CharShape.Letter))
                | (Math.Min(lowerCase, 1u) * (uint)(CharShape.Lower | CharShape.Letter))
                | (Math.Min(apostrophes, 1u) * (uint)CharShape.Apostrophe));
    }

    // Loaded at 8 - n, the first n lanes all ones: keeps the n characters of a token's last block.
    private static ReadOnlySpan<ushort> BlockMasks => [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0, 0, 0, 0];

    // Any token: Unicode case and letters; counts the letters of scripts other than Latin.
    private static CharShape FoldAny(ReadOnlySpan<char> source, Span<char> folded, ref int other)
    {
        var shape = CharShape.None;
        for (var k = 0; k < source.Length; k++)
        {
            var c = source[k];
            if (c < 0x80)
            {
                shape |= AsciiShapes[c];
                c = AsciiLower[c];
                folded[k] = c;
                continue;
            }

            if (char.IsUpper(c))
            {
                shape |= CharShape.Upper;
                c = char.ToLowerInvariant(c);
            }
            else if (char.IsLower(c))
            {
                shape |= CharShape.Lower;
            }

            folded[k] = c;

            if (char.IsLetter(c))
            {
                shape |= CharShape.Letter;
                other += c < 0x250 ? 0 : 1;
            }
        }

        return shape;
    }

    // Letters of the Latin script in the tokens' lower-case forms. Only needed when there are
    // letters of another script, so counted only then, not for every character of every text.
    private static int LatinLetters(ReadOnlySpan<Token> tokens, Scratch scratch)
    {
        var latin = 0;
        foreach (var token in tokens)
        {
            foreach (var c in scratch.LowerBuffer.AsSpan(token.Start, token.Length))
            {
                latin += (c < 0x80 ? char.IsAsciiLetterLower(c) : c < 0x250 && char.IsLetter(c)) ? 1 : 0;
            }
        }

        return latin;
    }

    // A word not in the lexicon as written: stretched ("gooood") or with its g dropped ("lovin").
    // Kept out of Lookup so that its loops do not crowd the common path's registers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void LookupVariant(ref Token token, ReadOnlySpan<char> word, Scratch scratch)
    {
        if (TryElongated(word, scratch, out var entry))
        {
            token.Entry = entry;
            token.Elongated = true;
        }
        else if (TryDroppedG(word, scratch, out entry))
        {
            token.Entry = entry;
        }
    }

    // What LookupVariant could find, tested inline: most unknown words are neither stretched nor
    // end in "in" or "in'", and need neither the call nor another look-up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool MayBeVariant(ReadOnlySpan<char> word) =>
        word.Length >= 3 && (word[^1] is 'n' or '\'' || HasLetterRun(word));

    // The same test on a word of up to 8 lower-case ASCII characters held in one block, without
    // reading back the characters just stored.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool MayBeVariant(Vector128<ushort> block, int length)
    {
        var endsInN = Vector128.Equals(block, Vector128.Create((ushort)'n')) | Vector128.Equals(block, Vector128.Create((ushort)'\''));
        var previous = Vector128.Shuffle(block, Vector128.Create((ushort)0, 0, 1, 2, 3, 4, 5, 6));
        var beforeThat = Vector128.Shuffle(block, Vector128.Create((ushort)0, 0, 0, 1, 2, 3, 4, 5));
        var run = Vector128.Equals(block, previous) & Vector128.Equals(block, beforeThat)
            & Vector128.LessThan(block - Vector128.Create((ushort)'a'), Vector128.Create((ushort)26));
        return length >= 3
            && (((endsInN.ExtractMostSignificantBits() >> (length - 1)) & 1) != 0 || (run.ExtractMostSignificantBits() & ~3u) != 0);
    }

    private static bool HasLetterRun(ReadOnlySpan<char> word)
    {
        for (var k = 2; k < word.Length; k++)
        {
            if (word[k] == word[k - 1] && word[k] == word[k - 2] && char.IsLetter(word[k]))
            {
                return true;
            }
        }

        return false;
    }

    // "soooo gooood": runs of three or more of one letter are cut to two, then to one.
    private bool TryElongated(ReadOnlySpan<char> word, Scratch scratch, out LexiconEntry entry)
    {
        entry = default;
        if (!HasLetterRun(word))
        {
            return false;
        }

        var buffer = scratch.Gram(word.Length);
        for (var keep = 2; keep >= 1; keep--)
        {
            var length = 0;
            for (var k = 0; k < word.Length; k++)
            {
                var run = 1;
                while (run <= keep && k - run >= 0 && word[k - run] == word[k])
                {
                    run++;
                }

                if (run <= keep)
                {
                    buffer[length++] = word[k];
                }
            }

            if (_lexicon.Words.TryGetValue(buffer.AsSpan(0, length), out entry))
            {
                return true;
            }
        }

        return false;
    }

    // "lovin", "nothin'": the spoken form of an -ing word.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryDroppedG(ReadOnlySpan<char> word, Scratch scratch, out LexiconEntry entry)
    {
        entry = default;
        var stem = word.EndsWith("in'") ? word[..^1] : word;
        if (stem.Length < 4 || !stem.EndsWith("in"))
        {
            return false;
        }

        var buffer = scratch.Gram(stem.Length + 1);
        stem.CopyTo(buffer);
        buffer[stem.Length] = 'g';
        return _lexicon.Words.TryGetValue(buffer.AsSpan(0, stem.Length + 1), out entry);
    }

    // Evidence, not absence: another script, or another language's function words outnumbering
    // English ones. Proper-noun-heavy English ("Louisiana income tax repeal advances") stays judged.
    private static bool LooksForeign(ReadOnlySpan<Token> tokens, Scratch scratch)
    {
        if (scratch.OtherLetters > 0 && scratch.OtherLetters > LatinLetters(tokens, scratch))
        {
            return true;
        }

        return scratch.ForeignWords >= 2 && scratch.ForeignWords > scratch.EnglishWords;
    }
}
