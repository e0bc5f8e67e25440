using System.Text;
using System.Text.Json;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// <c>score</c>: reads texts from standard input, one per line, or JSON lines with <c>text</c> and
/// optional <c>lang</c>, <c>followers</c>, <c>verified</c>, <c>likes</c>, <c>reposts</c>; writes one
/// JSON line per input. A bad line gets a line that says what was wrong, and scoring goes on.
/// </summary>
internal static class ScoreCommand
{
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        var scorer = new MentionScorer(UrgencyOptions.CreateDefault());
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long lineNumber = 0;
        string? line;
        while ((line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            lineNumber++;
            writer.Reset();
            buffer.ResetWrittenCount();
            WriteResult(writer, scorer, line, lineNumber);
            writer.Flush();
            await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan)).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    public const string Usage = """
        usage: score [--help]
          Reads standard input: one text per line, or one JSON object per line:
            {"text": "...", "lang": "en", "followers": 120000, "verified": true, "likes": 3, "reposts": 1}
          Writes one JSON line per input line:
            {"line":1,"compound":-0.68,"pos":0,"neu":0.6,"neg":0.4,"label":"negative","urgency":87,
             "needsAttention":true,"reasons":["complaint: 'charged twice'", ...]}
          A line that cannot be read gets {"line":n,"error":"..."}; the rest are still scored.
        """;

    internal static void WriteResult(Utf8JsonWriter writer, MentionScorer scorer, string line, long lineNumber)
    {
        writer.WriteStartObject();
        writer.WriteNumber("line", lineNumber);
        if (!TryReadInput(line, out var input, out var error))
        {
            writer.WriteString("error", error);
            writer.WriteEndObject();
            return;
        }

        var score = scorer.Score(input);
        var sentiment = score.Sentiment;
        writer.WriteNumber("compound", Math.Round(sentiment.Compound, 4));
        writer.WriteNumber("pos", Math.Round(sentiment.Positive, 3));
        writer.WriteNumber("neu", Math.Round(sentiment.Neutral, 3));
        writer.WriteNumber("neg", Math.Round(sentiment.Negative, 3));
        writer.WriteString("label", sentiment.Label switch
        {
            SentimentLabel.Positive => "positive",
            SentimentLabel.Negative => "negative",
            SentimentLabel.Neutral => "neutral",
            _ => "unknown",
        });
        if (!sentiment.IsJudged)
        {
            writer.WriteString("notJudged", sentiment.NotJudged switch
            {
                NotJudgedReason.NotEnglish => "not English",
                NotJudgedReason.NoWords => "no words to read (only links, handles, numbers or symbols)",
                _ => "empty text",
            });
        }

        writer.WriteNumber("urgency", score.Urgency);
        writer.WriteBoolean("needsAttention", score.NeedsAttention);
        writer.WriteStartArray("reasons");
        foreach (var reason in score.Reasons)
        {
            writer.WriteStringValue(reason.Text);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    // A line starting with '{' is JSON; anything else is the text itself.
    internal static bool TryReadInput(string line, out ScoringInput input, out string error)
    {
        input = new ScoringInput(line);
        error = "";
        var trimmed = line.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (!root.TryGetProperty("text", out var text) || text.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                error = "JSON line has no string field 'text'.";
                return false;
            }

            input = new ScoringInput(
                text.GetString(),
                ReadString(root, "lang"),
                ReadLong(root, "followers"),
                ReadBool(root, "verified"),
                ReadLong(root, "likes"),
                ReadLong(root, "reposts"));
            return true;
        }
        catch (JsonException ex)
        {
            error = $"not valid JSON: {ex.Message}";
            return false;
        }
        catch (FieldException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static string? ReadString(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new FieldException($"field '{name}' must be a string.");

    private static long? ReadLong(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0 ? number
        : throw new FieldException($"field '{name}' must be a whole number, 0 or more.");

    private static bool? ReadBool(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw new FieldException($"field '{name}' must be true or false.");

    private sealed class FieldException(string message) : Exception(message);
}
