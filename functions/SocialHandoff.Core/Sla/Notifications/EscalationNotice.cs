namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>
/// What a webhook tells a team when a clock warns, breaches or escalates. NotificationId is
/// deterministic (handoff, clock, level): the key that makes each notice go out once.
/// </summary>
public sealed record EscalationNotice(
    string NotificationId,
    string HandoffId,
    string Team,
    string Kind,
    string Level,
    string MentionText,
    string? MentionUrl,
    string Priority,
    int Urgency,
    double Sentiment,
    IReadOnlyList<string> Reasons,
    DateTimeOffset DueAt,
    Uri Link);

/// <summary>Where a team's notices go: a Microsoft Teams (Workflows) or Slack incoming webhook.</summary>
public sealed record WebhookTarget(WebhookKind Kind, Uri Url);

public enum WebhookKind
{
    Teams,
    Slack,
}

/// <summary>The outcome of one delivery, recorded on the escalation whatever happened.</summary>
public sealed record DeliveryResult(bool Delivered, int? StatusCode, string Detail);
