using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using SocialHandoff.Core.Ingestion.Files;

namespace SocialHandoff.Core.Ingestion;

/// <summary>Source-generated JSON for the queue contract: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MentionMessage))]
[JsonSerializable(typeof(ExportedMention))]
internal sealed partial class MentionJsonContext : JsonSerializerContext
{
}

/// <summary>Reads and writes <see cref="MentionMessage"/> bodies.</summary>
public static class MentionJson
{
    /// <summary>
    /// Non-ASCII text is written as UTF-8, not as \uXXXX escapes: a queue body is never put in a page
    /// (the HTML-safe escaping buys nothing), and a CJK or emoji text takes half the room, so more of
    /// what a source yields fits a queue message's 48 KiB.
    /// </summary>
    private static readonly MentionJsonContext Compact = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(MentionMessage message) =>
        JsonSerializer.Serialize(message, Compact.MentionMessage);

    /// <summary>
    /// The mention as JSON of at most <paramref name="maxChars"/> characters, for a stored copy (a
    /// table property): the text, and then the other outside values, are cut until it fits.
    /// <paramref name="truncated"/> says whether anything was cut.
    /// </summary>
    public static string SerializeCapped(MentionMessage message, int maxChars, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(message);
        var json = Serialize(message);
        truncated = json.Length > maxChars;
        var textBudget = Math.Min(message.Text.Length, maxChars);
        while (json.Length > maxChars && textBudget > 0)
        {
            textBudget /= 2;
            var fieldBudget = Math.Max(16, textBudget / 8);
            var cut = message with
            {
                Id = Storage.StoredText.Cap(message.Id, fieldBudget),
                Source = Storage.StoredText.Cap(message.Source, fieldBudget),
                CorrelationId = Storage.StoredText.Cap(message.CorrelationId, fieldBudget),
                Text = textBudget == 0 ? "" : Storage.StoredText.Cap(message.Text, textBudget),
                Author = new MentionAuthor(
                    Storage.StoredText.CapOrNull(message.Author.Id, fieldBudget), Storage.StoredText.CapOrNull(message.Author.Handle, fieldBudget),
                    Storage.StoredText.CapOrNull(message.Author.Name, fieldBudget), message.Author.Followers, message.Author.Verified, message.Author.CreatedAt),
                Language = Storage.StoredText.CapOrNull(message.Language, fieldBudget),
                Url = Storage.StoredText.CapOrNull(message.Url, fieldBudget),
                Query = Storage.StoredText.CapOrNull(message.Query, fieldBudget),
            };
            json = Serialize(cut);
        }

        return json;
    }

    /// <summary>Parses a queue body; on failure returns false and a reason a person can act on.</summary>
    public static bool TryParse(string? body, [NotNullWhen(true)] out MentionMessage? message, [NotNullWhen(false)] out string? reason)
    {
        message = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            reason = "The message body is empty.";
            return false;
        }

        MentionMessage? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, Compact.MentionMessage);
        }
        catch (JsonException ex)
        {
            reason = $"The message body is not a valid mention (JSON error at {ex.Path ?? "$"}, line {ex.LineNumber}, byte {ex.BytePositionInLine}): {ex.Message}";
            return false;
        }

        reason = parsed switch
        {
            null => "The message body is JSON null.",
            { SchemaVersion: not MentionMessage.CurrentSchemaVersion } => $"Unsupported schemaVersion {parsed.SchemaVersion}; this build reads {MentionMessage.CurrentSchemaVersion}.",
            { Source: null or "" } => "The mention has no 'source'.",
            { Id: null or "" } => "The mention has no 'id'.",
            { Text: null } => "The mention has no 'text'.",
            { Author: null } => "The mention has no 'author'.",
            { Metrics: null } => "The mention has no 'metrics'.",
            _ => null,
        };
        if (reason is not null)
        {
            return false;
        }

        message = parsed!;
        return true;
    }
}
