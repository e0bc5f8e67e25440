using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SocialHandoff.Core.Sla.Notifications;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class WebhookPayloadsTests
{
    private const string Hostile = "[Reset your password](https://evil.example/login) <https://evil.example|Reset here> <!channel> <@U024BE7LH> *bold* _it_ ~gone~ `code` **strong** # heading\n- item &amp; &lt;b&gt;";

    public static TheoryData<string> LongTexts => new()
    {
        new string('a', 30_000),
        string.Concat(Enumerable.Repeat("😀", 15_000)),
        new string('漢', 9_000),
        string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 4_000)),
        string.Concat(Enumerable.Repeat("e\u0301", 15_000)),
        new string('<', 30_000),
        new string('"', 30_000),
        "x" + string.Concat(Enumerable.Repeat("🇫🇷", 7_000)),
    };

    private static EscalationNotice Notice(string text, string level = "team lead", IReadOnlyList<string>? reasons = null) => new(
        "h1:first-response:breach", "h1", "care", "first response breached", level, text, "https://x.com/i/status/1", "P1", 91, -0.72,
        reasons ?? ["complaint: 'never arrived'", "strongly negative (-0.72)"], new DateTimeOffset(2026, 11, 23, 9, 15, 0, TimeSpan.Zero),
        new Uri("http://127.0.0.1:7071/#/handoffs/h1"));

    [Fact]
    public void Serialize_SlackHostileMention_CarriedOnlyAsPlainTextNeverMrkdwn()
    {
        var body = JsonNode.Parse(WebhookPayloads.Serialize(WebhookKind.Slack, Notice(Hostile)))!;

        var texts = TextObjects(body["blocks"]!).ToList();
        Assert.All(texts, t => Assert.Equal("plain_text", (string?)t["type"]));
        Assert.Contains(texts, t => (string?)t["text"] == Hostile);
        var top = (string)body["text"]!;
        Assert.DoesNotContain('<', top);
        Assert.DoesNotContain('>', top);
    }

    [Theory]
    [InlineData("<https://evil.example|Reset your password>", "&lt;https://evil.example|Reset your password&gt;")]
    [InlineData("<!channel> & <@U1>", "&lt;!channel&gt; &amp; &lt;@U1&gt;")]
    [InlineData("*bold* _it_", "*\u200Dbold*\u200D _\u200Dit_\u200D")]
    [InlineData("~s~ `c`", "~\u200Ds~\u200D `\u200Dc`\u200D")]
    public void EscapeMrkdwn_ControlSequencesAndFormatting_Neutralised(string text, string expected)
    {
        Assert.Equal(expected, WebhookPayloads.EscapeMrkdwn(text));
    }

    [Fact]
    public void Serialize_TeamsHostileMention_OnlyInTextRunsWhichHaveNoMarkdown()
    {
        var body = JsonNode.Parse(WebhookPayloads.Serialize(WebhookKind.Teams, Notice(Hostile, level: "[lead](https://evil.example)", reasons: ["**x** [y](https://evil.example)"])))!;
        var card = body["attachments"]![0]!["content"]!;

        var elements = card["body"]!.AsArray();
        Assert.All(elements, e => Assert.Equal("RichTextBlock", (string?)e!["type"]));
        var runs = elements.SelectMany(e => e!["inlines"]!.AsArray()).ToList();
        Assert.All(runs, r => Assert.Equal("TextRun", (string?)r!["type"]));
        Assert.Contains(runs, r => (string?)r!["text"] == Hostile);
        Assert.DoesNotContain("\"TextBlock\"", body.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"FactSet\"", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LongTexts))]
    public void Serialize_SlackLongText_EveryBlockKitLimitHeldAndCutBetweenTextElements(string text)
    {
        var notice = Notice(text, level: new string('L', 300), reasons: [new string('r', 2500), text]);
        var body = JsonNode.Parse(WebhookPayloads.Serialize(WebhookKind.Slack, notice))!;

        var blocks = body["blocks"]!.AsArray();
        Assert.InRange(blocks.Count, 1, WebhookPayloads.SlackMaxBlocks);
        Assert.InRange(((string)blocks[0]!["text"]!["text"]!).Length, 1, WebhookPayloads.SlackHeaderMax);
        var mention = (string)blocks[1]!["text"]!["text"]!;
        Assert.InRange(mention.Length, 1, WebhookPayloads.SlackSectionTextMax);
        AssertCutAtTextElement(text, mention);
        Assert.All(blocks[2]!["fields"]!.AsArray(), f => Assert.InRange(((string)f!["text"]!).Length, 1, WebhookPayloads.SlackFieldMax));
        Assert.All(TextObjects(blocks), t => AssertWellFormed((string)t["text"]!));
        Assert.False(string.IsNullOrWhiteSpace((string?)body["text"]));
    }

    [Theory]
    [MemberData(nameof(LongTexts))]
    public void Serialize_TeamsLongText_BodyUnder28KBAndMentionCutBetweenTextElements(string text)
    {
        var json = WebhookPayloads.Serialize(WebhookKind.Teams, Notice(text));

        Assert.InRange(Encoding.UTF8.GetByteCount(json), 1, WebhookPayloads.TeamsMaxBytes);
        var card = JsonNode.Parse(json)!["attachments"]![0]!["content"]!;
        var mention = (string)card["body"]![1]!["inlines"]![0]!["text"]!;
        AssertCutAtTextElement(text, mention);
        AssertWellFormed(mention);
        Assert.True(mention.Length > 1000, "the cut keeps as much of the mention as fits");
    }

    [Fact]
    public void Serialize_TeamsTextThatFits_KeptWhole()
    {
        var text = string.Concat(Enumerable.Repeat("refund please 😀 ", 500));
        var card = JsonNode.Parse(WebhookPayloads.Serialize(WebhookKind.Teams, Notice(text)))!["attachments"]![0]!["content"]!;
        Assert.Equal(text, (string?)card["body"]![1]!["inlines"]![0]!["text"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t")]
    public void Serialize_EmptyMention_ProvidersGetNonEmptyText(string text)
    {
        var slack = JsonNode.Parse(WebhookPayloads.Serialize(WebhookKind.Slack, Notice(text, reasons: [])))!;
        Assert.All(TextObjects(slack["blocks"]!), t => Assert.False(string.IsNullOrWhiteSpace((string?)t["text"])));
        Assert.Equal(WebhookPayloads.NoText, (string?)slack["blocks"]![1]!["text"]!["text"]);

        var teams = JsonNode.Parse(WebhookPayloads.Serialize(WebhookKind.Teams, Notice(text)))!["attachments"]![0]!["content"]!;
        Assert.Equal(WebhookPayloads.NoText, (string?)teams["body"]![1]!["inlines"]![0]!["text"]);
    }

    [Theory]
    [InlineData("ab😀cd", 4, "ab…")]
    [InlineData("a👨‍👩‍👧b", 9, "a…")]
    [InlineData("e\u0301e\u0301e\u0301", 4, "e\u0301…")]
    [InlineData("🇫🇷🇫🇷", 4, "…")]
    [InlineData("short", 5, "short")]
    public void Truncate_AtTheLimit_NeverSplitsATextElement(string text, int max, string expected)
    {
        var cut = WebhookPayloads.Truncate(text, max);
        Assert.Equal(expected, cut);
        Assert.True(cut.Length <= max);
    }

    private static IEnumerable<JsonObject> TextObjects(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["type"] is JsonValue type && (string?)type is "plain_text" or "mrkdwn")
                {
                    yield return obj;
                }

                foreach (var child in obj.Select(p => p.Value).OfType<JsonNode>().SelectMany(TextObjects))
                {
                    yield return child;
                }

                break;
            case JsonArray array:
                foreach (var child in array.OfType<JsonNode>().SelectMany(TextObjects))
                {
                    yield return child;
                }

                break;
        }
    }

    private static void AssertCutAtTextElement(string original, string shown)
    {
        if (shown == original)
        {
            return;
        }

        Assert.EndsWith("…", shown, StringComparison.Ordinal);
        var kept = shown[..^1];
        Assert.StartsWith(kept, original, StringComparison.Ordinal);
        Assert.True(kept.Length == 0 || StringInfo.ParseCombiningCharacters(original).Contains(kept.Length), "the cut falls between text elements");
    }

    private static void AssertWellFormed(string text) =>
        _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(text);
}
