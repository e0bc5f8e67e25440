using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>
/// A lexicon-and-rules sentiment scorer of VADER's kind for short social text. It follows the
/// published algorithm (negation window, boosters and dampeners, ALL-CAPS, "!" and "?", "but",
/// "least", idioms, emoticons and emoji) and adds what social text needs: @handles and links are
/// not words, #hashtags are, elongated words ("soooo gooood") are found and count as emphasis.
/// Thread-safe; scoring allocates nothing once a thread's scratch buffers have grown.
/// </summary>
public sealed partial class SentimentAnalyzer
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly SentimentLexicon _lexicon;

    public SentimentAnalyzer()
        : this(SentimentLexicon.Default)
    {
    }

    internal SentimentAnalyzer(SentimentLexicon lexicon) => _lexicon = lexicon;

    /// <summary>Scores <paramref name="text"/>; <paramref name="language"/> is the source's BCP 47 tag, when it gives one.</summary>
    public SentimentScore Score(string? text, string? language = null) => Score(text.AsSpan(), language);

    /// <inheritdoc cref="Score(string?, string?)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SentimentScore Score(ReadOnlySpan<char> text, string? language = null)
    {
        if (text.IsWhiteSpace())
        {
            return SentimentScore.Unjudged(NotJudgedReason.Empty);
        }

        var languageKnown = LanguageTag.TryIsEnglish(language, out var isEnglish);
        if (languageKnown && !isEnglish)
        {
            return SentimentScore.Unjudged(NotJudgedReason.NotEnglish);
        }

        var scratch = t_scratch ??= new Scratch();
        var normalized = Normalize(text, scratch);
        var tokens = Tokenize(normalized, scratch);
        if (tokens.IsEmpty)
        {
            return SentimentScore.Unjudged(NotJudgedReason.NoWords);
        }

        var words = Lookup(normalized, tokens, scratch);
        if (words == 0)
        {
            return SentimentScore.Unjudged(NotJudgedReason.NoWords);
        }

        if (!languageKnown && LooksForeign(tokens, scratch))
        {
            return SentimentScore.Unjudged(NotJudgedReason.NotEnglish);
        }

        var capsDiffer = scratch.UpperTokens > 0 && scratch.UpperTokens < tokens.Length;
        FindIdioms(tokens, scratch);
        return Summarize(tokens, capsDiffer, scratch);
    }

    private struct Token
    {
        public int Start;
        public int Length;
        public bool IsUpper;
        public bool HasLetter;
        public bool Elongated;
        public LexiconEntry Entry;
    }

    private readonly record struct IdiomMatch(int Start, int Length, IdiomEntry Entry);

    // Per-thread buffers that grow to the largest text seen and are then reused.
    private sealed class Scratch
    {
        private char[] _text = new char[1024];
        private char[] _lower = new char[1024];
        private char[] _padded = new char[1024];
        private char[] _gram = new char[128];
        private ulong[] _spaceBits = new ulong[32];
        private Token[] _tokens = new Token[128];
        private IdiomMatch[] _idioms = new IdiomMatch[8];

        /// <summary>"!" and "?" in the normalised text, counted while its spaces are marked.</summary>
        public int Exclamations;

        public int Questions;

        /// <summary>Letters of scripts other than Latin, counted while tokens are looked up.</summary>
        public int OtherLetters;

        /// <summary>ALL-CAPS tokens, English and other languages' function words, and the first "but" (-1: none), from Lookup.</summary>
        public int UpperTokens;

        public int EnglishWords;

        public int ForeignWords;

        public int FirstBut;

        /// <summary>Tokens that can start a complaint idiom, from Lookup: with none, no idiom is looked for.</summary>
        public int IdiomStarts;

        /// <summary>The complaint idioms found in the tokens, in order and not overlapping (FindIdioms).</summary>
        public int IdiomCount;

        public IdiomMatch[] Idioms => _idioms;

        public void AddIdiom(IdiomMatch match)
        {
            Grow(ref _idioms, IdiomCount + 1)[IdiomCount++] = match;
        }

        public char[] LowerBuffer => _lower;

        public char[] EnsureText(int capacity)
        {
            if (_text.Length < capacity)
            {
                Array.Resize(ref _text, Math.Max(capacity, _text.Length * 2));
            }

            return _text;
        }

        public char[] Lower(int capacity) => Grow(ref _lower, capacity);

        public char[] PaddedBuffer => _padded;

        /// <summary>Room for a copy of a text of <paramref name="length"/> characters followed by 8 zeros.</summary>
        public Span<char> Padded(int length)
        {
            var buffer = Grow(ref _padded, length + 8);
            buffer.AsSpan(length, 8).Clear();
            return buffer.AsSpan(0, length);
        }

        public Span<ulong> SpaceBits(int count) => Grow(ref _spaceBits, count).AsSpan(0, count);

        public char[] Gram(int capacity) => Grow(ref _gram, capacity);

        public Token[] Tokens(int capacity) => Grow(ref _tokens, capacity);

        private static T[] Grow<T>(ref T[] buffer, int capacity)
        {
            if (buffer.Length < capacity)
            {
                Array.Resize(ref buffer, Math.Max(capacity, buffer.Length * 2));
            }

            return buffer;
        }
    }
}
