using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>
/// Message bodies in each provider's documented format, inside each provider's documented limits.
/// Mention text (and everything else that is not ours) is never markup:
/// <list type="bullet">
/// <item>Teams (Workflows / incoming webhook): a message with an Adaptive Card whose text is all in
/// RichTextBlock TextRuns, which the card schema renders literally (no markdown), so
/// "[Reset your password](https://…)" shows as typed. The whole body stays under 28 KB: the mention is
/// cut (at a text element, with an ellipsis) until it fits.</item>
/// <item>Slack (incoming webhook): Block Kit with plain_text objects (not parsed as mrkdwn) cut to each
/// limit: header 150, section text 3,000, fields 2,000; the top-level text, which Slack reads as mrkdwn,
/// has &amp; &lt; &gt; escaped and its control sequences neutralised.</item>
/// </list>
/// </summary>
internal static class WebhookPayloads
{
    /// <summary>
    /// Teams refuses message bodies over 28 KB (413); measured on the UTF-8 JSON that is sent, and read as
    /// 28,000 bytes so the body is under the limit whichever way "KB" is counted.
    /// </summary>
    public const int TeamsMaxBytes = 28_000;

    public const int SlackHeaderMax = 150;
    public const int SlackSectionTextMax = 3000;
    public const int SlackFieldMax = 2000;
    public const int SlackButtonTextMax = 75;
    public const int SlackMaxBlocks = 50;

    /// <summary>What a provider shows for an empty mention: both reject (Slack) or drop (Teams) empty text.</summary>
    internal const string NoText = "(no text)";

    private const string Ellipsis = "…";

    /// <summary>The JSON body to send, exactly as measured against the provider's limits.</summary>
    public static string Serialize(WebhookKind kind, EscalationNotice notice) => kind switch
    {
        WebhookKind.Teams => Teams(notice),
        WebhookKind.Slack => Slack(notice).ToJsonString(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string Title(EscalationNotice n) => $"[{n.Priority}] {n.Kind} for team {n.Team} ({n.Level})";

    private static string Due(EscalationNotice n) => n.DueAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Scores(EscalationNotice n) =>
        string.Create(CultureInfo.InvariantCulture, $"urgency {n.Urgency}, sentiment {n.Sentiment:+0.00;-0.00;0.00}");

    private static string Why(EscalationNotice n) => string.Join("; ", n.Reasons);

    private static string MentionOrPlaceholder(string? text) => string.IsNullOrWhiteSpace(text) ? NoText : text;

    private static string Teams(EscalationNotice n)
    {
        var mention = MentionOrPlaceholder(n.MentionText);
        var body = TeamsBody(n, mention);
        if (Encoding.UTF8.GetByteCount(body) <= TeamsMaxBytes)
        {
            return body;
        }

        // Largest cut of the mention (in text elements) whose body fits: escaping makes bytes per element vary.
        var elements = TextElements(mention);
        int low = 0, high = elements.Length - 1;
        var best = TeamsBody(n, Ellipsis);
        while (low <= high)
        {
            var count = low + ((high - low) / 2);
            var candidate = TeamsBody(n, string.Concat(elements.AsSpan(0, count)) + Ellipsis);
            if (Encoding.UTF8.GetByteCount(candidate) <= TeamsMaxBytes)
            {
                best = candidate;
                low = count + 1;
            }
            else
            {
                high = count - 1;
            }
        }

        return best;
    }

    private static string TeamsBody(EscalationNotice n, string mention)
    {
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = "1.4",
            ["body"] = new JsonArray(
                Rich(Run(Truncate(Title(n), 500), bold: true, size: "Medium")),
                Rich(Run(mention)),
                Rich(Run("Due: ", bold: true), Run(Due(n))),
                Rich(Run("Scores: ", bold: true), Run(Scores(n))),
                Rich(Run("Why: ", bold: true), Run(Truncate(MentionOrPlaceholder(Why(n)), 2000)))),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open handoff", ["url"] = n.Link.ToString() }),
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        }.ToJsonString();

        // A TextRun is shown as typed: the Adaptive Card schema gives it no markdown.
        static JsonObject Run(string text, bool bold = false, string? size = null)
        {
            var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
            if (bold)
            {
                run["weight"] = "Bolder";
            }

            if (size is not null)
            {
                run["size"] = size;
            }

            return run;
        }

        static JsonObject Rich(params JsonNode[] inlines) => new() { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray(inlines) };
    }

    private static JsonObject Slack(EscalationNotice n) => new()
    {
        ["text"] = EscapeMrkdwn(Truncate($"{Title(n)}: due {Due(n)}", SlackSectionTextMax)),
        ["blocks"] = new JsonArray(
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Title(n), SlackHeaderMax) },
            new JsonObject { ["type"] = "section", ["text"] = PlainText(MentionOrPlaceholder(n.MentionText), SlackSectionTextMax) },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray(
                    PlainText("Due: " + Due(n), SlackFieldMax),
                    PlainText(Scores(n), SlackFieldMax),
                    PlainText("Why: " + MentionOrPlaceholder(Why(n)), SlackFieldMax)),
            },
            new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = PlainText("Open handoff", SlackButtonTextMax), ["url"] = n.Link.ToString() }),
            }),
    };

    // plain_text: Slack shows it as typed, so a mention cannot inject mrkdwn links or pings.
    private static JsonObject PlainText(string text, int max) => new() { ["type"] = "plain_text", ["text"] = Truncate(MentionOrPlaceholder(text), max), ["emoji"] = true };

    /// <summary>
    /// Slack mrkdwn: &amp; &lt; &gt; become entities (so no &lt;url|text&gt;, &lt;!channel&gt; or &lt;@U…&gt;), and
    /// * _ ~ ` get a zero-width joiner after them so they open no bold, italic, strike or code span.
    /// </summary>
    internal static string EscapeMrkdwn(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '*' or '_' or '~' or '`': builder.Append(c).Append('\u200D'); break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }

    /// <summary>At most <paramref name="max"/> UTF-16 units, cut between text elements (never inside a surrogate pair, emoji sequence or combining mark), ending in an ellipsis when cut.</summary>
    internal static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var limit = max - Ellipsis.Length;
        var length = 0;
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            var next = length + ((string)enumerator.Current).Length;
            if (next > limit)
            {
                break;
            }

            length = next;
        }

        return text[..length] + Ellipsis;
    }

    private static string[] TextElements(string text)
    {
        var elements = new List<string>();
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext())
        {
            elements.Add((string)enumerator.Current);
        }

        return [.. elements];
    }
}
