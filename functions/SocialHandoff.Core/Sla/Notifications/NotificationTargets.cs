using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>
/// One place a notice goes: the outbox row key that makes it go once, the target's name, and its
/// webhook (null when the name is not configured: the row records that instead of sending).
/// </summary>
public sealed record AddressedTarget(string RowKey, string Name, WebhookTarget? Webhook);

/// <summary>
/// Where a team's notices go, pure: the team's own targets from the directory (<c>Notify</c>, names of
/// <c>Sla:Notifications:&lt;name&gt;</c>) when it lists any, else the webhooks configured for the team
/// (<c>Sla:Teams:&lt;team&gt;:Webhooks</c>). A named target's row key is its name, so a retry after the
/// team's list changed still finds the rows already sent; the configured webhooks keep their index.
/// </summary>
public static class NotificationTargets
{
    public static IReadOnlyList<AddressedTarget> For(string team, IReadOnlyList<string> notify, SlaOptions options)
    {
        ArgumentNullException.ThrowIfNull(notify);
        ArgumentNullException.ThrowIfNull(options);
        if (notify.Count > 0)
        {
            return [.. notify.Distinct(StringComparer.OrdinalIgnoreCase).Select(name => new AddressedTarget(
                "n-" + StorageNames.EscapeKey(name.ToLowerInvariant()),
                name,
                options.Notifications.TryGetValue(name, out var settings) && settings.Url is { } url ? new WebhookTarget(settings.Kind, url) : null))];
        }

        return options.Teams.TryGetValue(team, out var configured)
            ? [.. configured.Webhooks.Select((w, i) => (w, i)).Where(x => x.w.Url is not null)
                .Select(x => new AddressedTarget(x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Sla:Teams:{team}:Webhooks:{x.i}", new WebhookTarget(x.w.Kind, x.w.Url!)))]
            : [];
    }
}
