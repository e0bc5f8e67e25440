using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Sentiment;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// Writes the answer to a scored line byte for byte as <see cref="WriteReference"/> (a
/// <see cref="Utf8JsonWriter"/> with the command's options) does, straight into the output buffer:
/// a general writer checks every property name and value for characters to escape, keeps state to
/// validate the structure, and reaches its buffer through an interface, which made writing an answer
/// about a sixth of a line's time. Here the names are constants and a string of printable ASCII without
/// '"' or '\' (labels, tiers, nearly every reason) is copied; any other string, and a number the
/// rounding shortcut does not take, goes through a <see cref="Utf8JsonWriter"/>, so its escaping and
/// formatting are the writer's own. Kept equal to <see cref="WriteReference"/> by AnswerWriterTests.
/// </summary>
internal sealed class AnswerWriter : IDisposable
{
    // Printable ASCII less the two characters JSON always escapes: what the writer copies unchanged.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly Utf8JsonWriter _writer;

    public AnswerWriter(JsonWriterOptions options) => _writer = new Utf8JsonWriter(_scratch, options);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(PooledBufferWriter output, long line, MentionScore score)
    {
        var sentiment = score.Sentiment;
        Raw(output, "{\"line\":"u8);
        Integer(output, line);
        Number(output, ",\"compound\":"u8, sentiment.Compound, 4);
        Number(output, ",\"pos\":"u8, sentiment.Positive, 3);
        Number(output, ",\"neu\":"u8, sentiment.Neutral, 3);
        Number(output, ",\"neg\":"u8, sentiment.Negative, 3);
        Raw(output, LabelJson(sentiment.Label));
        if (!sentiment.IsJudged)
        {
            Raw(output, ",\"notJudged\":"u8);
            Raw(output, NotJudgedJson(sentiment.NotJudged));
        }

        Raw(output, ",\"urgency\":"u8);
        Integer(output, score.Urgency);
        Raw(output, score.NeedsAttention ? ",\"needsAttention\":true,\"language\":"u8 : ",\"needsAttention\":false,\"language\":"u8);
        String(output, score.Language);
        Raw(output, ",\"priority\":"u8);
        String(output, score.Severity.Priority);
        Raw(output, ",\"tier\":"u8);
        String(output, score.Severity.Tier);
        Raw(output, ",\"severity\":"u8);
        String(output, score.Severity.Reason);
        Raw(output, ",\"reasons\":["u8);
        var reasons = score.Reasons;
        for (var i = 0; i < reasons.Count; i++)
        {
            if (i > 0)
            {
                output.Write((byte)',');
            }

            String(output, reasons[i].Text);
        }

        Raw(output, "],\"reasonPoints\":["u8);
        for (var i = 0; i < reasons.Count; i++)
        {
            if (i > 0)
            {
                output.Write((byte)',');
            }

            Integer(output, reasons[i].Points);
        }

        Raw(output, "]}"u8);
    }

    /// <summary>The same answer through a <see cref="Utf8JsonWriter"/>: what `score` wrote before, and the reference for the tests.</summary>
    public static void WriteReference(Utf8JsonWriter writer, long line, MentionScore score)
    {
        var sentiment = score.Sentiment;
        writer.WriteStartObject();
        writer.WriteNumber("line"u8, line);
        RoundedNumber.Write(writer, "compound"u8, sentiment.Compound, 4);
        RoundedNumber.Write(writer, "pos"u8, sentiment.Positive, 3);
        RoundedNumber.Write(writer, "neu"u8, sentiment.Neutral, 3);
        RoundedNumber.Write(writer, "neg"u8, sentiment.Negative, 3);
        writer.WriteString("label"u8, sentiment.Label switch
        {
            SentimentLabel.Positive => "positive"u8,
            SentimentLabel.Negative => "negative"u8,
            SentimentLabel.Neutral => "neutral"u8,
            _ => "unknown"u8,
        });
        if (!sentiment.IsJudged)
        {
            writer.WriteString("notJudged"u8, sentiment.NotJudged switch
            {
                NotJudgedReason.NotEnglish => "not English"u8,
                NotJudgedReason.NoWords => "no words to read (only links, handles, numbers or symbols)"u8,
                _ => "empty text"u8,
            });
        }

        writer.WriteNumber("urgency"u8, score.Urgency);
        writer.WriteBoolean("needsAttention"u8, score.NeedsAttention);
        writer.WriteString("language"u8, score.Language);
        writer.WriteString("priority"u8, score.Severity.Priority);
        writer.WriteString("tier"u8, score.Severity.Tier);
        writer.WriteString("severity"u8, score.Severity.Reason);
        writer.WriteStartArray("reasons"u8);
        foreach (var reason in score.Reasons)
        {
            writer.WriteStringValue(reason.Text);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("reasonPoints"u8);
        foreach (var reason in score.Reasons)
        {
            writer.WriteNumberValue(reason.Points);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public void Dispose() => _writer.Dispose();

    private static ReadOnlySpan<byte> LabelJson(SentimentLabel label) => label switch
    {
        SentimentLabel.Positive => ",\"label\":\"positive\""u8,
        SentimentLabel.Negative => ",\"label\":\"negative\""u8,
        SentimentLabel.Neutral => ",\"label\":\"neutral\""u8,
        _ => ",\"label\":\"unknown\""u8,
    };

    private static ReadOnlySpan<byte> NotJudgedJson(NotJudgedReason reason) => reason switch
    {
        NotJudgedReason.NotEnglish => "\"not English\""u8,
        NotJudgedReason.NoWords => "\"no words to read (only links, handles, numbers or symbols)\""u8,
        _ => "\"empty text\""u8,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Raw(PooledBufferWriter output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Integer(PooledBufferWriter output, long value)
    {
        // As the writer formats integers: digits with a leading '-', no separators.
        Utf8Formatter.TryFormat(value, output.GetSpan(20), out var written);
        output.Advance(written);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Number(PooledBufferWriter output, ReadOnlySpan<byte> nameAndColon, double value, int decimals)
    {
        Raw(output, nameAndColon);
        var rounded = Math.Round(value, decimals);
        if (RoundedNumber.TryFormat(rounded, decimals, output.GetSpan(32), out var written))
        {
            output.Advance(written);
            return;
        }

        Raw(output, ByTheWriter(static (writer, number) => writer.WriteNumberValue(number), rounded));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void String(PooledBufferWriter output, string value)
    {
        if (value.AsSpan().ContainsAnyExcept(Plain))
        {
            Raw(output, ByTheWriter(static (writer, text) => writer.WriteStringValue(text), value));
            return;
        }

        var destination = output.GetSpan(value.Length + 2);
        destination[0] = (byte)'"';
        Encoding.ASCII.GetBytes(value, destination[1..]);
        destination[value.Length + 1] = (byte)'"';
        output.Advance(value.Length + 2);
    }

    // One value alone through the writer: its bytes are what the writer puts after a ':' or ','.
    private ReadOnlySpan<byte> ByTheWriter<T>(Action<Utf8JsonWriter, T> write, T value)
    {
        _scratch.ResetWrittenCount();
        _writer.Reset(_scratch);
        write(_writer, value);
        _writer.Flush();
        return _scratch.WrittenSpan;
    }
}
