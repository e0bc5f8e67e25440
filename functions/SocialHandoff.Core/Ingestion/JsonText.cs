using System.Globalization;
using System.Text;

namespace SocialHandoff.Core.Ingestion;

/// <summary>Repairs what a provider's JSON may carry that .NET's reader refuses, so one bad post cannot fail a whole page.</summary>
public static class JsonText
{
    /// <summary>
    /// Replaces each \uXXXX escape of a lone UTF-16 surrogate (a high one not followed by a low one, or
    /// a low one alone) with \uFFFD, the replacement character; System.Text.Json refuses such a string and
    /// would fail the whole document. Other escapes, a literal backslash before "u" included, are kept.
    /// </summary>
    public static string ReplaceLoneSurrogateEscapes(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.IndexOf("\\u", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return json;
        }

        StringBuilder? repaired = null;
        var copiedUpTo = 0;
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\' || i + 1 >= json.Length)
            {
                continue;
            }

            if (json[i + 1] != 'u' || !TryUnit(json, i, out var unit))
            {
                i++; // Any other escape (\\ included) is two characters, never the start of a \u.
                continue;
            }

            if (char.IsHighSurrogate(unit) && TryUnit(json, i + 6, out var next) && char.IsLowSurrogate(next))
            {
                i += 11;
                continue;
            }

            if (char.IsSurrogate(unit))
            {
                repaired ??= new StringBuilder(json.Length);
                repaired.Append(json, copiedUpTo, i - copiedUpTo).Append("\\uFFFD");
                copiedUpTo = i + 6;
            }

            i += 5;
        }

        return repaired is null ? json : repaired.Append(json, copiedUpTo, json.Length - copiedUpTo).ToString();
    }

    private static bool TryUnit(string json, int at, out char unit)
    {
        unit = default;
        if (at + 6 > json.Length || json[at] != '\\' || json[at + 1] != 'u'
            || !ushort.TryParse(json.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        unit = (char)value;
        return true;
    }
}
