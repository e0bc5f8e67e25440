using System.Globalization;
using System.Text.Json.Nodes;

namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>
/// Message bodies in each provider's documented format: Teams Workflows / incoming webhook (a message
/// with an Adaptive Card attachment) and Slack incoming webhook (text with Block Kit blocks). Mention
/// text is placed as plain text fields, never as markup.
/// </summary>
internal static class WebhookPayloads
{
    public static JsonObject For(WebhookKind kind, EscalationNotice notice) => kind switch
    {
        WebhookKind.Teams => Teams(notice),
        WebhookKind.Slack => Slack(notice),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static string Title(EscalationNotice n) => $"[{n.Priority}] {n.Kind} for team {n.Team} ({n.Level})";

    private static string Due(EscalationNotice n) => n.DueAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Scores(EscalationNotice n) =>
        string.Create(CultureInfo.InvariantCulture, $"urgency {n.Urgency}, sentiment {n.Sentiment:+0.00;-0.00;0.00}");

    private static JsonObject Teams(EscalationNotice n)
    {
        var facts = new JsonArray(
            Fact("Due", Due(n)),
            Fact("Scores", Scores(n)),
            Fact("Why", string.Join("; ", n.Reasons)));
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["version"] = "1.4",
            ["body"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["text"] = Title(n), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
                new JsonObject { ["type"] = "TextBlock", ["text"] = n.MentionText, ["wrap"] = true },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts }),
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
        };

        static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
    }

    private static JsonObject Slack(EscalationNotice n) => new()
    {
        ["text"] = $"{Title(n)}: due {Due(n)}",
        ["blocks"] = new JsonArray(
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Title(n)) },
            new JsonObject { ["type"] = "section", ["text"] = PlainText(n.MentionText) },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray(PlainText("Due: " + Due(n)), PlainText(Scores(n)), PlainText("Why: " + string.Join("; ", n.Reasons))),
            },
            new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = PlainText("Open handoff"), ["url"] = n.Link.ToString() }),
            }),
    };

    // plain_text: Slack shows it as typed, so a mention cannot inject mrkdwn links or pings.
    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = Truncate(text, 2900) };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
