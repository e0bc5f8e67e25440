using System.Text;

namespace SocialHandoff.Core.Storage;

/// <summary>A queue message's text as the Functions queue trigger reads it: base64 of UTF-8.</summary>
public static class QueueMessageText
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>The body the trigger would bind (invalid UTF-8 bytes become U+FFFD, as its string binding does); null when the text is not base64.</summary>
    public static string? TryDecode(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        try
        {
            return Utf8.GetString(Convert.FromBase64String(messageText));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
