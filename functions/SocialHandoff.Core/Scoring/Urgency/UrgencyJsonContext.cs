using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Scoring.Urgency;

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(UrgencyOptions))]
internal sealed partial class UrgencyJsonContext : JsonSerializerContext;
