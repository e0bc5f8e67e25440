using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SocialHandoff.Core.Scoring.Languages;

/// <summary>
/// A text's words as <see cref="MentionLanguage.Words"/> gives them (lower case, accents folded;
/// @handles and links left out), read once into one reused buffer: language detection and the
/// severity tiers both read them, without a string per word. One per thread (<see cref="For"/>);
/// what it holds is valid until the next <see cref="For"/> on the same thread.
/// </summary>
internal sealed class FoldedWords
{
    [ThreadStatic]
    private static FoldedWords? t_current;

    private char[] _chars = new char[512];
    private (int Start, int Length)[] _words = new (int, int)[128];

    // Each word's span look-up hash and first block, made once: language detection and severity both look every word up.
    private (uint Hash, Vector128<ushort> First)[] _keys = new (uint, Vector128<ushort>)[128];

    public int Count { get; private set; }

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_words[index].Start, _words[index].Length);

    /// <summary>Looks word <paramref name="index"/> up in <paramref name="table"/> with the hash made when the word was read.</summary>
    public bool TryLookUp<T>(SpanLookup<T> table, int index, out T value) =>
        table.TryGetValue(this[index], _keys[index].Hash, _keys[index].First, out value);

    /// <summary>This thread's instance, holding the words of <paramref name="text"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FoldedWords For(string? text)
    {
        var words = t_current ??= new FoldedWords();
        words.Read(text ?? "");
        return words;
    }

    // The same tokens as MentionLanguage.Words: split on white space; a token starting with '@', "http"
    // or "www." is skipped; a word is a run of letters and apostrophes, folded character by character.
    private void Read(ReadOnlySpan<char> text)
    {
        if (_chars.Length < text.Length)
        {
            _chars = new char[Math.Max(text.Length, _chars.Length * 2)];
        }

        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var tokenStart = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var token = text[tokenStart..i];
            // Only 'h' and 'w' compare equal to "http" and "www." first letters ignoring case.
            if (token.IsEmpty || token[0] == '@'
                || (token[0] is 'h' or 'H' or 'w' or 'W' && (token.StartsWith("http", StringComparison.OrdinalIgnoreCase) || token.StartsWith("www.", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            var start = -1;
            for (var k = 0; k <= token.Length; k++)
            {
                var c = k < token.Length ? token[k] : ' ';
                if (char.IsLetter(c) || c is '\'' or '\u2019')
                {
                    start = start < 0 ? k : start;
                    _chars[tokenStart + k] = MentionLanguage.Fold(c);
                    continue;
                }

                if (start >= 0)
                {
                    if (count == _words.Length)
                    {
                        Array.Resize(ref _words, _words.Length * 2);
                        Array.Resize(ref _keys, _words.Length);
                    }

                    _words[count] = (tokenStart + start, k - start);
                    _keys[count].Hash = SpanLookup.Hash(_chars.AsSpan(tokenStart + start, k - start), out _keys[count].First);
                    count++;
                    start = -1;
                }
            }
        }

        Count = count;
    }
}
