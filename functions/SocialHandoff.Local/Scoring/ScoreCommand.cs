using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
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
/// Streamed as UTF-8 both ways, in chunks of whole lines scored on every core (<see cref="LinePipeline"/>):
/// JSON is read with a <see cref="Utf8JsonReader"/> over the line's bytes and answers written by
/// <see cref="AnswerWriter"/> (error lines by a <see cref="Utf8JsonWriter"/>) into the chunk's pooled
/// buffer, so memory does not grow with the input and an interactive user sees each answer as soon
/// as the line is in.
/// </summary>
internal static class ScoreCommand
{
    /// <summary>Longest line scored (UTF-8 bytes); a longer one gets an error line and is skipped without being held whole.</summary>
    internal const int MaxLineBytes = 1 << 20;

    // A mention with what most need read: a handle, a link, punctuation, an emoticon, boosters, a negation.
    private const string WarmUpText = "@acme Why was I charged TWICE?! Not happy at all, so disappointed :( https://example.com/order";

    private const string TooLong = "the line is longer than 1 MiB (UTF-8); it was skipped.";

    /// <summary>
    /// The exit code when the reader of the output went away (a broken pipe: <c>score | head -1</c>):
    /// 128 + SIGPIPE (13), what a shell shows for a Unix tool that SIGPIPE ended. Reading stops at once
    /// and nothing more is written, not even an error.
    /// </summary>
    public const int OutputClosedExitCode = 141;

    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The exit code when the answers could not be written for another reason (standard output closed,
    /// <c>score &gt;&amp;-</c>; a full disk): said in one line on standard error, as cat and echo do.
    /// </summary>
    public const int OutputFailedExitCode = 1;

    /// <summary>The command as a user runs it: on this process's standard input and output, pipes widened.</summary>
    public static Task<int> RunOnStandardStreamsAsync(string[] args, CancellationToken cancellationToken)
    {
        StandardPipes.Widen();
        return RunAsync(args, Console.OpenStandardInput(), StandardPipes.OpenOutput(), cancellationToken, Console.Error);
    }

    /// <summary>
    /// Standard input and output as bytes: each line is checked as UTF-8 itself, so invalid bytes are
    /// reported, not replaced. A write to <paramref name="output"/> that fails stops reading at once: a broken
    /// pipe ends it with <see cref="OutputClosedExitCode"/> and no word, any other failure with
    /// <see cref="OutputFailedExitCode"/> and one line on <paramref name="errors"/>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Stream input, Stream output, CancellationToken cancellationToken, TextWriter? errors = null)
    {
        try
        {
            return await RunOnAsync(args, input, output, cancellationToken).ConfigureAwait(false);
        }
        catch (OutputWriteException ex) when (StandardPipes.IsBrokenPipe(ex))
        {
            // The pipeline has stopped reading, scoring and writing (LinePipeline.Run): no one is left to tell.
            return OutputClosedExitCode;
        }
        catch (OutputWriteException ex)
        {
            await (errors ?? TextWriter.Null).WriteLineAsync($"score: could not write the answers ({ex.Message}); stopped.").ConfigureAwait(false);
            return OutputFailedExitCode;
        }
    }

    private static async Task<int> RunOnAsync(string[] args, Stream input, Stream output, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            OutputWriteException.WriteAndFlush(output, Encoding.UTF8.GetBytes(Usage + "\n"));
            return 0;
        }

        // Reading starts while the scorer is built; the workers start once it is.
        var workers = Math.Clamp(Environment.ProcessorCount, 1, 16);
        using var pipeline = LinePipeline.StartReading(input, workers);
        if (!TryCreateScorer(args, out var scorer, out var invalid))
        {
            pipeline.Stop();
            OutputWriteException.WriteAndFlush(output, Encoding.UTF8.GetBytes(invalid + "\n"));
            return 2;
        }

        // The writing thread waits for chunks in turn: a thread of its own, not one of the pool's.
        return await Task.Factory.StartNew(
            () => pipeline.Run(scorer, workers, output, cancellationToken),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>Bytes in, text out (tests, redirected writers).</summary>
    public static async Task<int> RunAsync(string[] args, Stream input, TextWriter output, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        var exit = await RunAsync(args, input, bytes, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length)).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return exit;
    }

    /// <summary>Lines already decoded (tests, redirected readers); a lone surrogate in one is still reported.</summary>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h") || !TryCreateScorer(args, out var scorer, out var invalid))
        {
            using var bytes = new MemoryStream();
            var exit = await RunAsync(args, Stream.Null, bytes, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length)).ConfigureAwait(false);
            return exit;
        }

        using var buffer = new PooledBufferWriter(4096);
        using var lines = new LineScorer(scorer) { Output = buffer };
        using var answers = new MemoryStream();
        string? line;
        long number = 0;
        while ((line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            if (IndexOfLoneSurrogate(line) is var at and >= 0)
            {
                lines.Reject(++number, $"the line has a lone UTF-16 surrogate at character {at + 1}; it is not text.");
            }
            else
            {
                lines.Score(++number, Encoding.UTF8.GetBytes(line), tooLong: false, decoded: true);
            }

            answers.Write(buffer.WrittenMemory.Span);
            buffer.Clear();
        }

        await output.WriteAsync(Encoding.UTF8.GetString(answers.GetBuffer(), 0, (int)answers.Length)).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static bool TryCreateScorer(string[] args, out MentionScorer scorer, out string? invalid)
    {
        try
        {
            (scorer, invalid) = (CreateScorer(args), null);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or InvalidDataException)
        {
            // Invalid Scoring settings (a value out of range, one the binder cannot convert, an
            // appsettings.json that is not JSON): say which, score nothing.
            (scorer, invalid) = (null!, ex is InvalidDataException ? Causes(ex) : ex.Message);
            return false;
        }
    }

    // "Failed to load configuration from file ..." says where; the causes below it say what (a duplicate key, the line of a JSON error).
    private static string Causes(Exception ex) => ex.InnerException is { } cause ? $"{ex.Message} {Causes(cause)}" : ex.Message;

    /// <summary>
    /// The scorer the pipeline would build: the shipped defaults with Scoring:Urgency and
    /// Scoring:Severity from appsettings.json, the environment (Scoring__Severity__ReachMinFollowers)
    /// and --Section:Key=value arguments. Invalid settings stop the command with the setting named.
    /// </summary>
    internal static MentionScorer CreateScorer(string[] args)
    {
        // The lexicon is read, and the sentiment reader's code compiled on one text, on another core
        // while this one reads the settings and builds the urgency scorer and severity classifier:
        // together they are most of a short run's start-up.
        var sentiment = Task.Run(static () =>
        {
            var analyzer = new SentimentAnalyzer();
            analyzer.Score(WarmUpText);
            return analyzer;
        });
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray())
            .Build();
        var urgency = UrgencyOptions.CreateDefault();
        urgency.Bind(configuration.GetSection(UrgencyOptions.SectionName));
        var severity = SeverityOptions.CreateDefault();
        configuration.GetSection(SeverityOptions.SectionName).Bind(severity);
        var urgencyScorer = new UrgencyScorer(urgency);
        var severityClassifier = new SeverityClassifier(severity);
        return new MentionScorer(sentiment.GetAwaiter().GetResult(), urgencyScorer, severityClassifier, severity.ComplaintEvidenceGroups);
    }

    /// <summary>Where a high surrogate without its low one (or a low one alone) stands; -1 when the text is well formed.</summary>
    internal static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        var index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[index..], out _, out var consumed) != OperationStatus.Done)
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
          Exit codes: 0 all answered; 1 the answers could not be written (said on standard error);
          2 invalid settings (named), nothing scored; 130 stopped by Ctrl+C (the lines read by then
          answered); 141 the reader of the output went away (score ... | head -1).
        """;

    /// <summary>
    /// Scores one line at a time into a pooled output buffer. A line is bytes without its '\n'; a
    /// trailing '\r' and, on the first line, a byte order mark are not part of it.
    /// </summary>
    internal sealed class LineScorer(MentionScorer scorer) : IDisposable
    {
        private readonly Utf8JsonWriter _writer = new(new ArrayBufferWriter<byte>(1), WriterOptions);
        private readonly AnswerWriter _answers = new(WriterOptions);
        private PooledBufferWriter _output = null!;
        private long _lineNumber;

        /// <summary>Where answers go: the chunk being scored (the buffer is not this scorer's to dispose).</summary>
        public PooledBufferWriter Output
        {
            set => _output = value;
        }

        /// <summary>Answers line <paramref name="number"/> with <paramref name="error"/>, unread.</summary>
        public void Reject(long number, string error)
        {
            _lineNumber = number;
            WriteError(error);
            _output.Write((byte)'\n');
        }

        /// <param name="number">The line's number, from 1.</param>
        /// <param name="line">The line's bytes (empty when <paramref name="tooLong"/>).</param>
        /// <param name="tooLong">The line was over the limit and was not kept.</param>
        /// <param name="decoded">The line comes from decoded text: no '\r' or byte order mark to take off.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Score(long number, ReadOnlySpan<byte> line, bool tooLong, bool decoded = false)
        {
            _lineNumber = number;
            var mark = _output.WrittenCount;
            try
            {
                if (tooLong)
                {
                    WriteError(TooLong);
                }
                else
                {
                    WriteResult(decoded ? line : Trim(line, _lineNumber == 1));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever this line does to the scorer or the writer, it gets its own answer and the next line is read.
                _output.Truncate(mark);
                WriteError($"could not score this line ({ex.GetType().Name}).");
            }

            _output.Write((byte)'\n');
        }

        public void Dispose()
        {
            _writer.Dispose();
            _answers.Dispose();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line, bool first)
        {
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            return first && line.StartsWith("\uFEFF"u8) ? line[3..] : line;
        }

        private void WriteResult(ReadOnlySpan<byte> line)
        {
            if (line.Length > MaxLineBytes)
            {
                WriteError(TooLong);
                return;
            }

            if (!Utf8.IsValid(line))
            {
                var status = Utf8.ToUtf16(line, new char[line.Length], out var valid, out _, replaceInvalidSequences: false);
                WriteError($"the line is not valid UTF-8 (byte {(status == OperationStatus.Done ? line.Length : valid + 1)}); it was skipped.");
                return;
            }

            // A line whose first character after white space is '{' is JSON; anything else is the text itself.
            ScoringInput input;
            if (StartsWithBrace(line))
            {
                if (ReadJson(line) is not { } json)
                {
                    return;
                }

                input = json;
            }
            else
            {
                input = new ScoringInput(Encoding.UTF8.GetString(line));
            }

            _answers.Write(_output, _lineNumber, scorer.Score(input));
        }

        private void WriteError(string error)
        {
            _writer.Reset(_output);
            _writer.WriteStartObject();
            _writer.WriteNumber("line"u8, _lineNumber);
            _writer.WriteString("error"u8, error);
            _writer.WriteEndObject();
            _writer.Flush();
        }

        // White space as char.IsWhiteSpace sees it (U+00A0 and U+3000 too), then '{'.
        private static bool StartsWithBrace(ReadOnlySpan<byte> line)
        {
            while (!line.IsEmpty)
            {
                if (line[0] == (byte)'{')
                {
                    return true;
                }

                if (Rune.DecodeFromUtf8(line, out var rune, out var consumed) != OperationStatus.Done || !Rune.IsWhiteSpace(rune))
                {
                    return false;
                }

                line = line[consumed..];
            }

            return false;
        }

        /// <summary>
        /// The fields of a JSON line, or null after writing the line's error. The line must be one
        /// object (nested up to 64 deep, as before); of a field given twice the last counts, and the
        /// fields are checked in the order text, lang, followers, verified, likes, reposts.
        /// </summary>
        private ScoringInput? ReadJson(ReadOnlySpan<byte> line)
        {
            string? error;
            try
            {
                var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
                reader.Read();
                var fields = new JsonFields();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = Field(ref reader);
                    reader.Read();
                    if (field < 0)
                    {
                        reader.Skip();
                        continue;
                    }

                    fields.Set(field, ref reader);
                }

                // The rest of the line must be nothing but white space.
                while (reader.Read())
                {
                }

                if (fields.Read(out var input, out error))
                {
                    return input;
                }
            }
            catch (JsonException ex)
            {
                error = $"not valid JSON: {ex.Message}";
            }

            WriteError(error!);
            return null;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int Field(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("text"u8) ? JsonFields.Text
            : reader.ValueTextEquals("lang"u8) ? JsonFields.Lang
            : reader.ValueTextEquals("followers"u8) ? JsonFields.Followers
            : reader.ValueTextEquals("verified"u8) ? JsonFields.Verified
            : reader.ValueTextEquals("likes"u8) ? JsonFields.Likes
            : reader.ValueTextEquals("reposts"u8) ? JsonFields.Reposts
            : -1;
    }

    /// <summary>The last value of each field a JSON line gave, checked once the line is read.</summary>
    private struct JsonFields
    {
        public const int Text = 0;
        public const int Lang = 1;
        public const int Followers = 2;
        public const int Verified = 3;
        public const int Likes = 4;
        public const int Reposts = 5;

        private static readonly string[] Names = ["text", "lang", "followers", "verified", "likes", "reposts"];

        private FieldValue _text, _lang, _followers, _verified, _likes, _reposts;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Set(int field, ref Utf8JsonReader reader)
        {
            var value = reader.TokenType switch
            {
                JsonTokenType.Null => new FieldValue(FieldKind.Null),
                JsonTokenType.True => new FieldValue(FieldKind.Boolean, Boolean: true),
                JsonTokenType.False => new FieldValue(FieldKind.Boolean, Boolean: false),
                JsonTokenType.String when field is Text or Lang => ReadString(ref reader),
                JsonTokenType.Number when reader.TryGetInt64(out var number) && number >= 0 => new FieldValue(FieldKind.Number, Number: number),
                _ => new FieldValue(FieldKind.Other),
            };
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            switch (field)
            {
                case Text: _text = value; break;
                case Lang: _lang = value; break;
                case Followers: _followers = value; break;
                case Verified: _verified = value; break;
                case Likes: _likes = value; break;
                default: _reposts = value; break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly bool Read(out ScoringInput input, out string? error)
        {
            input = null!;
            error = _text.Kind switch
            {
                FieldKind.Missing or FieldKind.Other or FieldKind.Number or FieldKind.Boolean => "JSON line has no string field 'text'.",
                FieldKind.LoneSurrogate => LoneSurrogate(Text),
                _ => _lang.Kind switch
                {
                    FieldKind.LoneSurrogate => LoneSurrogate(Lang),
                    FieldKind.Missing or FieldKind.Null or FieldKind.String => null,
                    _ => $"field 'lang' must be a string.",
                },
            };
            error ??= NumberError(_followers, Followers) ?? BooleanError(_verified, Verified) ?? NumberError(_likes, Likes) ?? NumberError(_reposts, Reposts);
            if (error is not null)
            {
                return false;
            }

            input = new ScoringInput(_text.String, _lang.String, Number(_followers), _verified.Kind == FieldKind.Boolean ? _verified.Boolean : null, Number(_likes), Number(_reposts));
            return true;
        }

        private static long? Number(FieldValue value) => value.Kind == FieldKind.Number ? value.Number : null;

        private static string? NumberError(FieldValue value, int field) =>
            value.Kind is FieldKind.Missing or FieldKind.Null or FieldKind.Number ? null : $"field '{Names[field]}' must be a whole number, 0 or more.";

        private static string? BooleanError(FieldValue value, int field) =>
            value.Kind is FieldKind.Missing or FieldKind.Null or FieldKind.Boolean ? null : $"field '{Names[field]}' must be true or false.";

        private static string LoneSurrogate(int field) =>
            $"field '{Names[field]}' has a lone UTF-16 surrogate escape (such as \\ud800); it is not text.";

        // An escaped lone surrogate ("\ud800") is valid JSON syntax but no text: GetString cannot transcode it.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static FieldValue ReadString(ref Utf8JsonReader reader)
        {
            try
            {
                return new FieldValue(FieldKind.String, reader.GetString());
            }
            catch (InvalidOperationException)
            {
                return new FieldValue(FieldKind.LoneSurrogate);
            }
        }
    }

    private enum FieldKind
    {
        Missing,
        Null,
        String,
        Number,
        Boolean,
        LoneSurrogate,
        Other,
    }

    private readonly record struct FieldValue(FieldKind Kind, string? String = null, long Number = 0, bool Boolean = false);
}
