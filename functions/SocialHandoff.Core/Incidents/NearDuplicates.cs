using System.Globalization;
using System.Text;

namespace SocialHandoff.Core.Incidents;

/// <summary>
/// The near-duplicate test, pure. A mention's text is normalised (case, @handles, links, numbers, emoji
/// and punctuation do not count; "RT" and hashtag signs dropped). Candidates are found by character
/// 5-grams (shingles) summarised in a MinHash signature whose bands are the lookup keys (LSH): a copy
/// with words added or removed keeps most 5-grams, so it shares a band with the original. A candidate
/// is then judged word by word (<see cref="AreNearDuplicates"/>): words may be added or removed, or the
/// whole quoted, but a word put in place of another (another product, place, "late" for "cold") makes it
/// a different complaint, however many words the two share.
/// Every hash is fixed here (FNV-1a and splitmix64), so the keys stored in one process match another's.
/// </summary>
public static class NearDuplicates
{
    /// <summary>Characters per shingle: long enough that shared words alone do not make texts similar.</summary>
    public const int ShingleChars = 5;

    /// <summary>Signature bands; with <see cref="RowsPerBand"/> 3 a pair at similarity 0.6 shares a band 96% of the time, at 0.2 10%.</summary>
    public const int Bands = 13;

    public const int RowsPerBand = 3;

    /// <summary>The most normalised characters compared (a long article is judged by its first part).</summary>
    public const int MaxNormalizedChars = 2000;

    /// <summary>
    /// A text whose words are this share, in order, inside another's is a quote or repost of it with a
    /// comment added, when it has at least <see cref="MinQuotedWords"/> words (a short phrase inside a long post is not).
    /// </summary>
    public const double ContainmentThreshold = 0.9;

    public const int MinQuotedWords = 6;

    private const int Hashes = Bands * RowsPerBand;

    /// <summary>How two texts compare word by word (see <see cref="Compare"/>).</summary>
    public readonly record struct Comparison(double Coverage, int Replaced, bool Quote);

    /// <summary>
    /// The text as compared: lowercase, Unicode-compatibility folded, without links, @handles, a leading
    /// "RT", trailing hashtags, hashtag signs, emoji or punctuation; every run of digits is "0"; single spaces.
    /// </summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var folded = WithoutTrailingTags(text.Normalize(NormalizationForm.FormKC).ToLowerInvariant());
        var output = new StringBuilder(Math.Min(folded.Length, MaxNormalizedChars));
        var i = 0;
        var pendingSpace = false;
        while (i < folded.Length && output.Length < MaxNormalizedChars)
        {
            var c = folded[i];
            if (IsLinkStart(folded, i) || (c == '@' && i + 1 < folded.Length && IsWordChar(folded, i + 1)))
            {
                // A link or a handle: skip to the next space; it separates words.
                while (i < folded.Length && !char.IsWhiteSpace(folded[i]))
                {
                    i++;
                }

                pendingSpace = output.Length > 0;
                continue;
            }

            if (char.IsDigit(c))
            {
                // Any number, with its separators (1,299.00), is one "0".
                while (i < folded.Length && (char.IsDigit(folded[i]) || ((folded[i] is ',' or '.' or ':') && i + 1 < folded.Length && char.IsDigit(folded[i + 1]))))
                {
                    i++;
                }

                Append(output, '0', ref pendingSpace);
                continue;
            }

            if (IsWordChar(folded, i))
            {
                if (char.IsSurrogate(c))
                {
                    Append(output, c, ref pendingSpace);
                    output.Append(folded[i + 1]);
                    i += 2;
                    continue;
                }

                Append(output, c, ref pendingSpace);
                i++;
                continue;
            }

            // Apostrophes join a word ("don't" is "dont"); everything else (punctuation, emoji, symbols, spaces) separates.
            if (c is not ('\'' or '\u2019'))
            {
                pendingSpace = output.Length > 0;
            }

            i += char.IsHighSurrogate(c) && i + 1 < folded.Length ? 2 : 1;
        }

        var normalized = output.ToString();
        return normalized.StartsWith("rt ", StringComparison.Ordinal) ? normalized[3..] : normalized == "rt" ? "" : normalized;
    }

    /// <summary>
    /// Drops what copies tack on at the end: hashtags (#fail, #BrandDown), handles, links and emoji after
    /// the last word. Inside the text a hashtag is a word ("my #order never came").
    /// </summary>
    private static string WithoutTrailingTags(string text)
    {
        var end = text.Length;
        while (true)
        {
            var trimmed = text.AsSpan(0, end).TrimEnd();
            var start = trimmed.LastIndexOfAny([' ', '\t', '\n', '\r']) + 1;
            var token = trimmed[start..];
            var tag = token.Length > 0 && (token[0] is '#' or '@' || token.StartsWith("http://", StringComparison.Ordinal) || token.StartsWith("https://", StringComparison.Ordinal)
                || token.StartsWith("www.", StringComparison.Ordinal) || !HasWordChar(token));
            if (!tag || start == 0)
            {
                return text[..trimmed.Length];
            }

            end = start;
        }
    }

    private static bool HasWordChar(ReadOnlySpan<char> token)
    {
        foreach (var c in token)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The distinct shingle hashes of a normalised text; a text shorter than a shingle is one shingle.</summary>
    public static HashSet<ulong> Shingles(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var set = new HashSet<ulong>();
        if (normalized.Length == 0)
        {
            return set;
        }

        if (normalized.Length <= ShingleChars)
        {
            set.Add(Fnv(normalized.AsSpan()));
            return set;
        }

        for (var i = 0; i + ShingleChars <= normalized.Length; i++)
        {
            set.Add(Fnv(normalized.AsSpan(i, ShingleChars)));
        }

        return set;
    }

    /// <summary>
    /// Compares two normalised texts word by word (the longest common subsequence of their words):
    /// <see cref="Comparison.Coverage"/> is the share of the longer text's words the other has in the
    /// same order, <see cref="Comparison.Replaced"/> the words put in place of others (between the same
    /// two shared words, or at the same end, both texts have words the other lacks), and
    /// <see cref="Comparison.Quote"/> whether the shorter (at least <see cref="MinQuotedWords"/> words)
    /// appears nearly whole (<see cref="ContainmentThreshold"/>) inside the longer.
    /// </summary>
    public static Comparison Compare(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = a.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var y = b.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (x.Length == 0 || y.Length == 0)
        {
            return new Comparison(0, 0, false);
        }

        // lcs[i, j]: the longest common subsequence of x[i..] and y[j..].
        var lcs = new int[x.Length + 1, y.Length + 1];
        for (var i = x.Length - 1; i >= 0; i--)
        {
            for (var j = y.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = x[i] == y[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int p = 0, q = 0, gapX = 0, gapY = 0, replaced = 0;
        while (p < x.Length && q < y.Length)
        {
            if (x[p] == y[q] && lcs[p, q] == lcs[p + 1, q + 1] + 1)
            {
                replaced += Math.Min(gapX, gapY);
                gapX = gapY = 0;
                p++;
                q++;
            }
            else if (lcs[p + 1, q] >= lcs[p, q + 1])
            {
                gapX++;
                p++;
            }
            else
            {
                gapY++;
                q++;
            }
        }

        replaced += Math.Min(gapX + x.Length - p, gapY + y.Length - q);
        var common = lcs[0, 0];
        var shorter = Math.Min(x.Length, y.Length);
        return new Comparison(
            (double)common / Math.Max(x.Length, y.Length),
            replaced,
            shorter >= MinQuotedWords && (double)common / shorter >= ContainmentThreshold);
    }

    /// <summary>
    /// Whether two normalised texts are the same complaint: no word replaced by another (a different
    /// product, place or "late" for "cold" makes another complaint), and either the longer one's words
    /// are in the other up to <paramref name="threshold"/> (words added or removed), or one quotes the other.
    /// </summary>
    public static bool AreNearDuplicates(string a, string b, double threshold) => IsNearDuplicate(Compare(a, b), threshold);

    /// <inheritdoc cref="AreNearDuplicates"/>
    public static bool IsNearDuplicate(Comparison comparison, double threshold) =>
        comparison.Replaced == 0 && (comparison.Coverage >= threshold || comparison.Quote);

    /// <summary>
    /// The LSH keys of a text: one per band, "NN-" and 16 hex digits of the band's MinHash rows. Texts
    /// at Jaccard similarity s share at least one key with probability 1 - (1 - s^3)^13.
    /// </summary>
    public static IReadOnlyList<string> BandKeys(IReadOnlySet<ulong> shingles)
    {
        ArgumentNullException.ThrowIfNull(shingles);
        Span<ulong> signature = stackalloc ulong[Hashes];
        signature.Fill(ulong.MaxValue);
        foreach (var shingle in shingles)
        {
            for (var h = 0; h < Hashes; h++)
            {
                var value = Mix(shingle ^ Seed(h));
                if (value < signature[h])
                {
                    signature[h] = value;
                }
            }
        }

        var keys = new string[Bands];
        for (var band = 0; band < Bands; band++)
        {
            var hash = 14695981039346656037UL;
            for (var row = 0; row < RowsPerBand; row++)
            {
                hash = Mix(hash ^ signature[(band * RowsPerBand) + row]);
            }

            keys[band] = string.Create(CultureInfo.InvariantCulture, $"{band:D2}-{hash:x16}");
        }

        return keys;
    }

    private static void Append(StringBuilder output, char c, ref bool pendingSpace)
    {
        if (pendingSpace && output.Length > 0)
        {
            output.Append(' ');
        }

        pendingSpace = false;
        output.Append(c);
    }

    private static bool IsWordChar(string s, int i)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, s[i + 1]));
            return category is UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.TitlecaseLetter;
        }

        // Marks stay with their letter (Devanagari, decomposed accents); '_' is part of a handle or tag.
        return char.IsLetterOrDigit(c) || c == '_' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    private static bool IsLinkStart(string s, int i) =>
        (i == 0 || !char.IsLetterOrDigit(s[i - 1]))
        && (s.AsSpan(i).StartsWith("http://", StringComparison.Ordinal) || s.AsSpan(i).StartsWith("https://", StringComparison.Ordinal) || s.AsSpan(i).StartsWith("www.", StringComparison.Ordinal));

    private static ulong Fnv(ReadOnlySpan<char> chars)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in chars)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private static ulong Seed(int h) => Mix(0x9E3779B97F4A7C15UL * (ulong)(h + 1));

    /// <summary>splitmix64's finaliser: a fixed, well-spread 64-bit mix.</summary>
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }
}
