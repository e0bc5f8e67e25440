using System.Buffers;
using System.Text;
using System.Text.Json;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Sentiment;
using SocialHandoff.Core.Scoring.Severity;
using SocialHandoff.Core.Scoring.Urgency;
using SocialHandoff.Local.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>`score`'s answer writer against the <see cref="Utf8JsonWriter"/> it replaced, byte for byte.</summary>
public sealed class AnswerWriterTests
{
    private static string ByTheWriter(long line, MentionScore score)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, ScoreCommand.WriterOptions))
        {
            AnswerWriter.WriteReference(writer, line, score);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ByAnswerWriter(long line, MentionScore score)
    {
        // A small buffer with something before the answer: growing it mid-answer must not lose a byte.
        using var output = new PooledBufferWriter(16);
        output.Write((byte)'>');
        using var answers = new AnswerWriter(ScoreCommand.WriterOptions);
        answers.Write(output, line, score);
        return Encoding.UTF8.GetString(output.WrittenMemory.Span[1..]);
    }

    private static MentionScore Score(string text, double compound = -0.6808, int urgency = 87, int points = 31, string language = "en") =>
        new(new SentimentScore(compound, 0.1234, 0.5, 0.3766, SentimentScore.LabelOf(compound), NotJudgedReason.None), urgency,
            [new UrgencyReason("complaint", text, points), new UrgencyReason(UrgencyReason.OtherSignal, "base and minor signals", urgency - points)])
        {
            NeedsAttention = urgency >= 38,
            Language = language,
            Severity = new SeverityResult("complaint", "P2", $"complaint: '{text}'"),
        };

    // Every character of the first 256 and the kinds that escape differently: surrogate pairs, the
    // line and paragraph separators, a byte order mark, non-characters, lone surrogates, text that needs no escaping.
    public static TheoryData<string> Strings()
    {
        var data = new TheoryData<string>();
        for (var c = 0; c < 256; c++)
        {
            data.Add($"x{(char)c}y");
        }

        foreach (var text in new[] { "", "charged twice", "\"quoted\" and \\ back", "café déjà", "😡 never again", "line\u2028para\u2029", "\uFEFFbom", "\uFFFE\uFFFF", "tab\tnew\nline", "<html> & 'js' `x` +1", "日本語のテキスト", "a\u0000b\u007Fc", "lone \ud800 high", "lone \udc00 low", "\ud83d" })
        {
            data.Add(text);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Strings))]
    public void Write_AnyCharacterInReasonsLanguageAndSeverity_SameBytesAsTheWriter(string text)
    {
        var score = Score(text, language: text);

        Assert.Equal(ByTheWriter(7, score), ByAnswerWriter(7, score));
    }

    [Theory]
    [InlineData(0.0, 1, 1)]
    [InlineData(-1.0, 100, 100)]
    [InlineData(0.00004, 0, -12)]
    [InlineData(-0.00005, 50, -50)]
    [InlineData(0.9999999, 38, int.MinValue)]
    [InlineData(1e-300, 99, int.MaxValue)]
    public void Write_NumbersOfEveryKind_SameBytesAsTheWriter(double compound, int urgency, int points)
    {
        var score = Score("refund", compound, urgency, points);

        Assert.Equal(ByTheWriter(long.MaxValue, score), ByAnswerWriter(long.MaxValue, score));
    }

    [Theory]
    [InlineData(NotJudgedReason.NotEnglish)]
    [InlineData(NotJudgedReason.NoWords)]
    [InlineData(NotJudgedReason.Empty)]
    public void Write_TextNotJudged_SameBytesAsTheWriter(NotJudgedReason reason)
    {
        var score = new MentionScore(SentimentScore.Unjudged(reason), 1, []);

        Assert.Equal(ByTheWriter(1, score), ByAnswerWriter(1, score));
    }

    [Fact]
    public void Write_ScoresOfTheSampleMentions_SameBytesAsTheWriter()
    {
        var scorer = new MentionScorer(UrgencyOptions.CreateDefault());
        var sample = Path.Combine(AppContext.BaseDirectory, "samples", "mentions.jsonl");
        var texts = File.ReadLines(sample).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
        Assert.NotEmpty(texts);

        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
        {
            var score = scorer.Score(new ScoringInput(text, Followers: i * 997L));
            Assert.Equal(ByTheWriter(i + 1, score), ByAnswerWriter(i + 1, score));
        }
    }
}
