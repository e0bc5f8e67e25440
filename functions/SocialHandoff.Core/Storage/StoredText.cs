namespace SocialHandoff.Core.Storage;

/// <summary>
/// Fits text from outside (a mention's text, id, author, link) into a table property. A string
/// property holds 64 KiB, i.e. 32,768 UTF-16 characters; anything a queue message can carry may be
/// longer. Stored copies are cut and flagged, never the decision that was made on the whole text.
/// </summary>
public static class StoredText
{
    /// <summary>The most characters a stored copy keeps: under the 32,768 a string property allows, with room to spare.</summary>
    public const int MaxPropertyChars = 30_000;

    /// <summary>At most <paramref name="maxChars"/> characters of <paramref name="value"/>, never ending inside a surrogate pair.</summary>
    public static string Cap(string value, int maxChars = MaxPropertyChars) => Cap(value, maxChars, out _);

    /// <inheritdoc cref="Cap(string, int)"/>
    public static string Cap(string value, int maxChars, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        truncated = value.Length > maxChars;
        if (!truncated)
        {
            return value;
        }

        var keep = char.IsHighSurrogate(value[maxChars - 1]) ? maxChars - 1 : maxChars;
        return value[..keep];
    }

    /// <summary><see cref="Cap(string, int)"/> for optional values.</summary>
    public static string? CapOrNull(string? value, int maxChars = MaxPropertyChars) => value is null ? null : Cap(value, maxChars);
}
