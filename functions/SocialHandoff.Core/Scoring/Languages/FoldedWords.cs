using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Core.Scoring.Languages;

/// <summary>
/// A text's words (lower case, accents folded), read once into one reused buffer with each word's
/// look-up hash, for language detection, the severity tiers and urgency, without a string per word.
/// One per thread (<see cref="For"/>); what it holds is valid until the next <see cref="For"/> on the
/// same thread.
/// </summary>
/// <remarks>
/// Two readings of the same pass, which differ at a token's edges. Language detection and severity
/// read <see cref="Count"/> words, as <see cref="MentionLanguage.Words"/> gives them: a token that
/// starts with '@', "http" or "www." has none. Urgency reads <see cref="AllCount"/> words: only a link
/// ("http://", "https://", "www.") has none, and of an @handle only the handle's own characters are
/// left out, so "@acme's" gives "s" and "httpd" gives "httpd". The first reading is the second without
/// those tokens' words, so it is kept as indices into the second.
/// </remarks>
internal sealed class FoldedWords
{
    [ThreadStatic]
    private static FoldedWords? t_current;

    // 8 characters more than the text: a word's last block of 8 is loaded whole to be hashed.
    private char[] _chars = new char[512 + 8];
    private (int Start, int Length)[] _words = new (int, int)[128];

    // Each word's span look-up hash and first block, made once: every reader looks every word up.
    private (uint Hash, Vector128<ushort> First)[] _keys = new (uint, Vector128<ushort>)[128];

    // The words of the first reading, by their index in the second.
    private int[] _plain = new int[128];
    private (int Start, int Length)[] _handles = new (int, int)[8];

    /// <summary>How many words language detection and severity read (the first reading).</summary>
    public int Count { get; private set; }

    /// <summary>Word <paramref name="index"/> of the first reading.</summary>
    public ReadOnlySpan<char> this[int index] => All(_plain[index]);

    /// <summary>How many words urgency reads (the second reading: handle tails and "http" words too).</summary>
    public int AllCount { get; private set; }

    /// <summary>The shape of the text outside its links and @handles: questions, numbers, hashtags.</summary>
    public TextMarks Marks { get; private set; }

    /// <summary>How many @handles the text holds (tokens with a letter, digit or '_' after the '@').</summary>
    public int HandleCount { get; private set; }

    /// <summary>Word <paramref name="index"/> of the second reading.</summary>
    public ReadOnlySpan<char> All(int index) => _chars.AsSpan(_words[index].Start, _words[index].Length);

    /// <summary>Whether words <paramref name="a"/> and <paramref name="b"/> of the second reading are equal: their hashes first, so most differing words cost no comparison.</summary>
    public bool SameWord(int a, int b) =>
        _keys[a].Hash == _keys[b].Hash && All(a).SequenceEqual(All(b));

    /// <summary>Handle <paramref name="index"/>: where its '@' is in the text and its length with the '@' (letters, digits and '_' after it).</summary>
    public (int Start, int Length) Handle(int index) => _handles[index];

    /// <summary>Looks word <paramref name="index"/> of the first reading up in <paramref name="table"/> with the hash made when it was read.</summary>
    public bool TryLookUp<T>(SpanLookup<T> table, int index, out T value) => TryLookUpAll(table, _plain[index], out value);

    /// <summary>Looks word <paramref name="index"/> of the second reading up in <paramref name="table"/> with the hash made when it was read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookUpAll<T>(SpanLookup<T> table, int index, out T value) =>
        table.TryGetValue(All(index), _keys[index].Hash, _keys[index].First, out value);

    /// <summary>This thread's instance, holding the words of <paramref name="text"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FoldedWords For(string? text)
    {
        var words = t_current ??= new FoldedWords();
        words.Read(text ?? "");
        return words;
    }

    // Tokens are split on white space; a word is a run of letters and apostrophes, folded character by
    // character. One pass: what starts a token decides whose words it gives (see the remarks), and the
    // prefixes that decide hold no white space, so they are matched on the text from the token's start.
    private void Read(ReadOnlySpan<char> text)
    {
        if (_chars.Length < text.Length + 8)
        {
            _chars = new char[Math.Max(text.Length + 8, _chars.Length * 2)];
        }

        var chars = _chars;
        var marks = default(TextMarks);
        int all = 0, plain = 0, handles = 0;
        var i = 0;
        var firstToken = true;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                break;
            }

            var tokenStart = i;
            var rest = text[i..];
            var isFirst = firstToken;
            firstToken = false;

            // Only 'h' and 'w' compare equal to "http" and "www." first letters ignoring case: the others skip the compares.
            var startsLikeLink = rest[0] is 'h' or 'H' or 'w' or 'W'
                && (rest.StartsWith("http", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase));
            if (startsLikeLink
                && (rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                    || rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                marks.HasLink = true;
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                continue;
            }

            var isPlain = !startsLikeLink && rest[0] != '@';
            if (SentimentAnalyzer.IsHandle(rest))
            {
                marks.HasHandle = true;
                marks.StartsWithHandle |= isFirst;
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                if (handles == _handles.Length)
                {
                    Array.Resize(ref _handles, handles * 2);
                }

                _handles[handles++] = (tokenStart, i - tokenStart);
            }

            // To the token's end (white space, or the end of the text read as a space).
            var start = -1;
            for (; ; i++)
            {
                // A run of ASCII letters, most of a word's characters, 8 at a time: lower-cased with
                // one OR and stored whole (lanes past the run are rewritten or never read), the
                // character that ends the run left to the loop below.
                if (i + 8 <= text.Length)
                {
                    var lower = Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text)), (nuint)i) | Vector128.Create((ushort)0x20);
                    var run = BitOperations.TrailingZeroCount(~Vector128.LessThan(lower - Vector128.Create((ushort)'a'), Vector128.Create((ushort)26)).ExtractMostSignificantBits());
                    if (run > 0)
                    {
                        lower.StoreUnsafe(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(chars)), (nuint)i);
                        start = start < 0 ? i : start;
                        i += run;
                    }
                }

                var c = i < text.Length ? text[i] : ' ';
                int kind = c < 128 ? AsciiKinds[c] : char.IsWhiteSpace(c) ? Space : char.IsLetter(c) || c == '\u2019' ? Letter : Other;
                if (kind >= Letter)
                {
                    start = start < 0 ? i : start;
                    chars[i] = c < 128 ? (char)kind : MentionLanguage.Fold(c);
                    continue;
                }

                if (start >= 0)
                {
                    Add(all++, start, i - start, isPlain ? plain++ : -1);
                    start = -1;
                }

                if (kind == Space)
                {
                    break;
                }

                switch (kind)
                {
                    case Question:
                        marks.HasQuestion = true;
                        break;
                    case Exclamation:
                        marks.HasExclamation = true;
                        break;
                    case Hash when i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]):
                        marks.Hashtags++;
                        break;
                    case Digit:
                        marks.HasNumber = true;
                        break;
                }
            }
        }

        Count = plain;
        AllCount = all;
        HandleCount = handles;
        Marks = marks;
    }

    // Inlined into Read's loop; growing, which few texts need, is not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int index, int start, int length, int plainIndex)
    {
        // _plain is as long as _words, and a word's index in it is at most its index in _words.
        if (index == _words.Length)
        {
            Grow();
        }

        _words[index] = (start, length);
        _keys[index].Hash = SpanLookup.HashInPadded(_chars, start, length, out _keys[index].First);
        if (plainIndex >= 0)
        {
            _plain[plainIndex] = index;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        Array.Resize(ref _words, _words.Length * 2);
        Array.Resize(ref _keys, _words.Length);
        Array.Resize(ref _plain, _words.Length);
    }

    // What a character is to Read. A word's character is Letter or more: an ASCII one's kind is the
    // character as the word holds it (lower case; the apostrophe, 39, is the lowest), so one table read
    // replaces char.IsLetter, char.IsWhiteSpace and Fold, each a call, for the characters most texts are made of.
    private const int Other = 0;
    private const int Space = 1;
    private const int Question = 2;
    private const int Exclamation = 3;
    private const int Hash = 4;
    private const int Digit = 5;
    private const int Letter = '\'';

    private static ReadOnlySpan<byte> AsciiKinds =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, Space, Space, Space, Space, Space, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        Space, Exclamation, 0, Hash, 0, 0, 0, (byte)'\'', 0, 0, 0, 0, 0, 0, 0, 0,
        Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit, 0, 0, 0, 0, 0, Question,
        0, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'f', (byte)'g', (byte)'h', (byte)'i', (byte)'j', (byte)'k', (byte)'l', (byte)'m', (byte)'n', (byte)'o',
        (byte)'p', (byte)'q', (byte)'r', (byte)'s', (byte)'t', (byte)'u', (byte)'v', (byte)'w', (byte)'x', (byte)'y', (byte)'z', 0, 0, 0, 0, 0,
        0, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'f', (byte)'g', (byte)'h', (byte)'i', (byte)'j', (byte)'k', (byte)'l', (byte)'m', (byte)'n', (byte)'o',
        (byte)'p', (byte)'q', (byte)'r', (byte)'s', (byte)'t', (byte)'u', (byte)'v', (byte)'w', (byte)'x', (byte)'y', (byte)'z', 0, 0, 0, 0, 0,
    ];
}

/// <summary>What urgency reads of a text's shape, outside its links and the handles' own characters.</summary>
internal struct TextMarks
{
    public bool HasHandle;
    public bool StartsWithHandle;
    public bool HasQuestion;
    public bool HasExclamation;
    public bool HasLink;
    public bool HasNumber;
    public int Hashtags;
}
