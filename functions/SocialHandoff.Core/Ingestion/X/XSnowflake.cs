using System.Globalization;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>
/// X ids are snowflakes: the top bits are milliseconds since X's epoch (2010-11-04T01:42:54.657Z),
/// so the time of a since_id is known without asking, and an id can be made for a time.
/// </summary>
internal static class XSnowflake
{
    private const long EpochMilliseconds = 1288834974657;
    private const int TimestampShift = 22;

    /// <summary>The time an id was created; false when the text is not an id of the documented pattern ^[0-9]{1,19}$.</summary>
    public static bool TryGetTime(string? id, out DateTimeOffset time)
    {
        time = default;
        if (id is null || id.Length is 0 or > 19 || !id.All(char.IsAsciiDigit)
            || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds((value >> TimestampShift) + EpochMilliseconds);
        return true;
    }

    /// <summary>The smallest id created at <paramref name="time"/>: every post created after it has a larger id.</summary>
    public static string ForTime(DateTimeOffset time)
    {
        var milliseconds = Math.Max(0, time.ToUnixTimeMilliseconds() - EpochMilliseconds);
        return (milliseconds << TimestampShift).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Numeric order of two ids (shorter is smaller); ids are decimal strings without leading zeros.</summary>
    public static int Compare(string a, string b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
}
