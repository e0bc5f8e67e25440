using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>One place a notice goes: the outbox row key that makes it go once, the target's name, and its webhook.</summary>
public sealed record AddressedTarget(string RowKey, string Name, WebhookTarget Webhook);

/// <summary>
/// Where a team's notices go, pure: the team's own targets from the directory (<c>Notify</c>, names of
/// <c>Sla:Notifications:&lt;name&gt;</c>) when it names any that are configured, else the webhooks
/// configured for the team (<c>Sla:Teams:&lt;team&gt;:Webhooks</c>), so a name IT has not configured (yet,
/// or any more) never silences a team that has webhooks. A named target's row key is its name, so a
/// retry after the team's list changed still finds the rows already sent; the team's webhooks keep their index.
/// </summary>
public static class NotificationTargets
{
    public static IReadOnlyList<AddressedTarget> For(string team, IReadOnlyList<string> notify, SlaOptions options)
    {
        ArgumentNullException.ThrowIfNull(notify);
        ArgumentNullException.ThrowIfNull(options);
        var named = notify.Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(name => options.Notifications.TryGetValue(name, out var settings) && settings.Url is not null)
            .Select(name => new AddressedTarget(
                "n-" + StorageNames.EscapeKey(name.ToLowerInvariant()),
                name,
                new WebhookTarget(options.Notifications[name].Kind, options.Notifications[name].Url!)))
            .ToList();
        if (named.Count > 0)
        {
            return named;
        }

        return options.Teams.TryGetValue(team, out var configured)
            ? [.. configured.Webhooks.Select((w, i) => (w, i)).Where(x => x.w.Url is not null)
                .Select(x => new AddressedTarget(x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Sla:Teams:{team}:Webhooks:{x.i}", new WebhookTarget(x.w.Kind, x.w.Url!)))]
            : [];
    }

    /// <summary>The names a team lists that are not configured (said on its outbox row when nothing could be sent).</summary>
    public static IReadOnlyList<string> Unconfigured(IReadOnlyList<string> notify, SlaOptions options)
    {
        ArgumentNullException.ThrowIfNull(notify);
        ArgumentNullException.ThrowIfNull(options);
        return [.. notify.Where(name => !(options.Notifications.TryGetValue(name, out var settings) && settings.Url is not null))];
    }
}
