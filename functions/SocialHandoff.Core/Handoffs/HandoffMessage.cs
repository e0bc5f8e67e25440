using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Handoffs;

/// <summary>
/// What a team's queue <c>team-&lt;name&gt;</c> carries. Delivery is at least once: a crash between
/// sending it and recording that it was sent sends it again, so consumers dedupe on <see cref="HandoffId"/>.
/// <c>TraceParent</c> (optional) is the W3C trace context of the send: the mention's trace, which an
/// integration reading the queue can continue.
/// </summary>
public sealed record HandoffMessage(
    int SchemaVersion,
    string CorrelationId,
    string HandoffId,
    string MentionKey,
    string Team,
    string Priority,
    int Urgency,
    string Sentiment,
    string Text,
    string? Url,
    DateTimeOffset FirstResponseDueAt,
    DateTimeOffset ResolutionDueAt,
    string? TraceParent = null)
{
    public const int CurrentSchemaVersion = 1;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HandoffMessage))]
[JsonSerializable(typeof(List<ReasonJson>))]
internal sealed partial class HandoffJsonContext : JsonSerializerContext
{
}

internal sealed record ReasonJson(string Signal, string Text, int Points);

public static class HandoffIds
{
    /// <summary>The handoff of a mention has a fixed id (h- and 32 hex digits of SHA-256 of its key), so every retry writes the same rows.</summary>
    public static string For(string mentionKey) =>
        "h-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(mentionKey)), 0, 16);

    /// <summary>True for "h-" and 32 lowercase hex digits: anything else cannot name a handoff (and never reaches storage as a key).</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 34 } && id.StartsWith("h-", StringComparison.Ordinal) && id.AsSpan(2).IndexOfAnyExcept("0123456789abcdef") < 0;

    public static string Serialize(HandoffMessage message) => JsonSerializer.Serialize(message, HandoffJsonContext.Default.HandoffMessage);

    public static HandoffMessage? Deserialize(string body) => JsonSerializer.Deserialize(body, HandoffJsonContext.Default.HandoffMessage);
}
