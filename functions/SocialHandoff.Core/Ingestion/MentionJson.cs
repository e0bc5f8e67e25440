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
    public static string Serialize(MentionMessage message) =>
        JsonSerializer.Serialize(message, MentionJsonContext.Default.MentionMessage);

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
            parsed = JsonSerializer.Deserialize(body, MentionJsonContext.Default.MentionMessage);
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
