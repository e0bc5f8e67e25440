using System.Runtime.CompilerServices;

namespace SocialHandoff.Core.Scoring.Sentiment;

/// <summary>Reads a source's language tag (BCP 47, or X's own codes).</summary>
internal static class LanguageTag
{
    /// <summary>
    /// False when the tag says nothing about the language: absent, "und" (undetermined), "zxx" (no
    /// linguistic content), or X's "qme" / "qht" / "qam" / "qst" (media, hashtags, mentions or very
    /// short text only). Otherwise <paramref name="isEnglish"/> tells whether it is English.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryIsEnglish(string? tag, out bool isEnglish)
    {
        isEnglish = false;
        if (string.IsNullOrWhiteSpace(tag))
        {
            return false;
        }

        var primary = tag.AsSpan().Trim();
        var dash = primary.IndexOfAny('-', '_');
        if (dash >= 0)
        {
            primary = primary[..dash];
        }

        if (primary.Equals("und", StringComparison.OrdinalIgnoreCase)
            || primary.Equals("zxx", StringComparison.OrdinalIgnoreCase)
            || (primary.Length == 3 && (primary[0] is 'q' or 'Q')))
        {
            return false;
        }

        isEnglish = primary.Equals("en", StringComparison.OrdinalIgnoreCase) || primary.Equals("eng", StringComparison.OrdinalIgnoreCase);
        return true;
    }
}
