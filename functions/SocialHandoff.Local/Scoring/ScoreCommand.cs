using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Severity;
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
    /// <summary>Longest line scored (UTF-8 bytes); a longer one gets an error line and is skipped without being held whole.</summary>
    internal const int MaxLineBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Standard input as bytes: each line is checked as UTF-8 itself, so invalid bytes are reported, not replaced.</summary>
    public static Task<int> RunAsync(string[] args, Stream input, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(args, ReadLinesAsync(input, cancellationToken), output, cancellationToken);

    /// <summary>Lines already decoded (tests, redirected readers); a lone surrogate in one is still reported.</summary>
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(args, ReadLinesAsync(input, cancellationToken), output, cancellationToken);

    private static async Task<int> RunAsync(string[] args, IAsyncEnumerable<InputLine> lines, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        MentionScorer scorer;
        try
        {
            scorer = CreateScorer(args);
        }
        catch (ArgumentException ex)
        {
            // Invalid Scoring settings: say which, score nothing.
            await output.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long lineNumber = 0;
        await foreach (var line in lines.ConfigureAwait(false))
        {
            lineNumber++;
            writer.Reset();
            buffer.ResetWrittenCount();
            try
            {
                if (line.Error is not null)
                {
                    WriteError(writer, lineNumber, line.Error);
                }
                else
                {
                    WriteResult(writer, scorer, line.Text!, lineNumber);
                }

                writer.Flush();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever this line does to the scorer or the writer, it gets its own answer and the next line is read.
                writer.Reset();
                buffer.ResetWrittenCount();
                WriteError(writer, lineNumber, $"could not score this line ({ex.GetType().Name}).");
                writer.Flush();
            }

            await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan)).ConfigureAwait(false);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// The scorer the pipeline would build: the shipped defaults with Scoring:Urgency and
    /// Scoring:Severity from appsettings.json, the environment (Scoring__Severity__ReachMinFollowers)
    /// and --Section:Key=value arguments. Invalid settings stop the command with the setting named.
    /// </summary>
    internal static MentionScorer CreateScorer(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray())
            .Build();
        var urgency = UrgencyOptions.CreateDefault();
        configuration.GetSection(UrgencyOptions.SectionName).Bind(urgency);
        var severity = SeverityOptions.CreateDefault();
        configuration.GetSection(SeverityOptions.SectionName).Bind(severity);
        return new MentionScorer(urgency, severity);
    }

    private static void WriteError(Utf8JsonWriter writer, long lineNumber, string error)
    {
        writer.WriteStartObject();
        writer.WriteNumber("line", lineNumber);
        writer.WriteString("error", error);
        writer.WriteEndObject();
    }

    /// <summary>One line of input: its text, or why it cannot be read as text.</summary>
    private readonly record struct InputLine(string? Text, string? Error);

    private static async IAsyncEnumerable<InputLine> ReadLinesAsync(TextReader input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? line;
        while ((line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            yield return IndexOfLoneSurrogate(line) is var at and >= 0
                ? new InputLine(null, $"the line has a lone UTF-16 surrogate at character {at + 1}; it is not text.")
                : StrictUtf8.GetByteCount(line) > MaxLineBytes
                    ? new InputLine(null, TooLong)
                    : new InputLine(line, null);
        }
    }

    private static async IAsyncEnumerable<InputLine> ReadLinesAsync(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunk = new byte[64 * 1024];
        using var line = new MemoryStream();
        var overflow = false;
        var first = true;
        int read;
        while ((read = await input.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(chunk, (byte)'\n', start, read - start);
                var end = newline < 0 ? read : newline;
                if (!overflow)
                {
                    if (line.Length + (end - start) > MaxLineBytes + 1)
                    {
                        overflow = true;
                        line.SetLength(0);
                    }
                    else
                    {
                        line.Write(chunk, start, end - start);
                    }
                }

                if (newline < 0)
                {
                    break;
                }

                yield return Decode(line, overflow, first);
                first = false;
                overflow = false;
                line.SetLength(0);
                start = newline + 1;
            }
        }

        if (line.Length > 0 || overflow)
        {
            yield return Decode(line, overflow, first);
        }
    }

    private const string TooLong = "the line is longer than 1 MiB (UTF-8); it was skipped.";

    private static InputLine Decode(MemoryStream line, bool overflow, bool first)
    {
        if (overflow)
        {
            return new InputLine(null, TooLong);
        }

        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.EndsWith("\r"u8))
        {
            bytes = bytes[..^1];
        }

        if (first && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        if (bytes.Length > MaxLineBytes)
        {
            return new InputLine(null, TooLong);
        }

        try
        {
            return new InputLine(StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException ex)
        {
            return new InputLine(null, $"the line is not valid UTF-8 (byte {ex.Index + 1}); it was skipped.");
        }
    }

    /// <summary>Where a high surrogate without its low one (or a low one alone) stands; -1 when the text is well formed.</summary>
    internal static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        var index = 0;
        while (index < text.Length)
        {
            if (System.Text.Rune.DecodeFromUtf16(text[index..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return -1;
    }

    public const string Usage = """
        usage: score [--help] [--Scoring:Severity:Key=value ...]
          Scores with the configuration the pipeline reads (appsettings.json, environment, arguments).
          Reads standard input: one text per line, or one JSON object per line:
            {"text": "...", "lang": "en", "followers": 120000, "verified": true, "likes": 3, "reposts": 1}
          Writes one JSON line per input line:
            {"line":1,"compound":-0.68,"pos":0,"neu":0.6,"neg":0.4,"label":"negative","urgency":87,
             "needsAttention":true,"language":"en","priority":"P2","tier":"complaint","severity":"complaint (urgency 87)",
             "reasons":["complaint: 'charged twice'", ...],"reasonPoints":[31, ...]}
          The priority is the severity tier's; a routing rule in force can still override it.
          Reasons are in urgency points and add up to the urgency; a card shows the first four.
          A line that cannot be read gets {"line":n,"error":"..."} (not JSON, a bad field, invalid
          UTF-8, a lone surrogate, over 1 MiB); the rest are still scored.
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
        writer.WriteString("language", score.Language);
        writer.WriteString("priority", score.Severity.Priority);
        writer.WriteString("tier", score.Severity.Tier);
        writer.WriteString("severity", score.Severity.Reason);
        writer.WriteStartArray("reasons");
        foreach (var reason in score.Reasons)
        {
            writer.WriteStringValue(reason.Text);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("reasonPoints");
        foreach (var reason in score.Reasons)
        {
            writer.WriteNumberValue(reason.Points);
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
                ReadText(text, "text"),
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
        : value.ValueKind == JsonValueKind.String ? ReadText(value, name)
        : throw new FieldException($"field '{name}' must be a string.");

    // An escaped lone surrogate ("\ud800") is valid JSON syntax but no text: GetString cannot transcode it.
    private static string? ReadText(JsonElement value, string name)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw new FieldException($"field '{name}' has a lone UTF-16 surrogate escape (such as \\ud800); it is not text.");
        }
    }

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
