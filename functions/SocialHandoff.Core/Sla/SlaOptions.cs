using Microsoft.Extensions.Options;
using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Sla;

/// <summary>What happens to a notice that falls due while the team's calendar is closed.</summary>
public enum OutsideHoursMode
{
    /// <summary>Send it at once.</summary>
    NotifyNow,

    /// <summary>Hold it until the calendar opens (calendar.NextOpen).</summary>
    HoldUntilOpen,
}

/// <summary>The sweep, escalation and notification settings (section <c>Sla</c>).</summary>
public sealed class SlaOptions
{
    public const string SectionName = "Sla";

    /// <summary>Six-field NCRONTAB of the SlaSweep timer. Default every minute, <c>0 * * * * *</c>.</summary>
    public string SweepSchedule { get; set; } = "0 * * * * *";

    /// <summary>Default NotifyNow.</summary>
    public OutsideHoursMode OutsideHours { get; set; } = OutsideHoursMode.NotifyNow;

    /// <summary>
    /// Escalation levels after a breach, in order, each with its delay after the due time. Default
    /// assignee at once, team-lead after 30 minutes, manager after 2 hours.
    /// </summary>
    public List<EscalationLevel> Escalation { get; set; } = [];

    /// <summary>Per team: the Teams / Slack webhooks its notices go to. A team without any still gets its escalation records.</summary>
    public Dictionary<string, SlaTeamOptions> Teams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Named webhook targets (<c>Sla:Notifications:&lt;name&gt;:Kind</c> and <c>:Url</c>, the URL a secret):
    /// what a team's <c>Notify</c> list in the directory may name. A team that names any gets its notices
    /// there instead of at its <see cref="Teams"/> webhooks. Names compare case-insensitively.
    /// </summary>
    public Dictionary<string, WebhookSettings> Notifications { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Base of the "Open handoff" link in notices; the handoff id is appended. Default http://localhost:7071/handoffs/.</summary>
    public Uri LinkBaseUrl { get; set; } = new("http://localhost:7071/handoffs/");

    /// <summary>Longest one delivery may take, retries included, so a dead endpoint never holds the sweep. Default 30 seconds.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Due rows handled at once by one sweep. Default 8.</summary>
    public int SweepParallelism { get; set; } = 8;

    /// <summary>How often the sweep recomputes today's (and yesterday's) DailyStats. Default 15 minutes; 0 turns it off.</summary>
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Version 1 of the SLA policy set when the Configuration table has none (see README, SLA policies).</summary>
    public SlaPolicySet Seed { get; set; } = new();

    internal IReadOnlyList<EscalationLevel> Levels => Escalation.Count > 0 ? Escalation : DefaultLevels;

    internal static readonly EscalationLevel[] DefaultLevels =
    [
        new() { Name = "assignee", After = TimeSpan.Zero },
        new() { Name = "team-lead", After = TimeSpan.FromMinutes(30) },
        new() { Name = "manager", After = TimeSpan.FromHours(2) },
    ];
}

public sealed class EscalationLevel
{
    public string Name { get; set; } = "";

    /// <summary>Wall-clock delay after the due time (held to the next opening under HoldUntilOpen).</summary>
    public TimeSpan After { get; set; }
}

public sealed class SlaTeamOptions
{
    public List<WebhookSettings> Webhooks { get; set; } = [];
}

public sealed class WebhookSettings
{
    public WebhookKind Kind { get; set; } = WebhookKind.Teams;

    /// <summary>The incoming webhook URL; a secret (in Azure a Key Vault reference).</summary>
    public Uri? Url { get; set; }
}

internal sealed class SlaOptionsValidator : IValidateOptions<SlaOptions>
{
    public ValidateOptionsResult Validate(string? name, SlaOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SweepSchedule) || options.SweepSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            errors.Add($"Sla:SweepSchedule '{options.SweepSchedule}' must be a six-field NCRONTAB expression (second minute hour day month weekday).");
        }

        var previous = TimeSpan.MinValue;
        for (var i = 0; i < options.Escalation.Count; i++)
        {
            var level = options.Escalation[i];
            if (string.IsNullOrWhiteSpace(level.Name))
            {
                errors.Add($"Sla:Escalation:{i}:Name is required.");
            }

            if (level.After < TimeSpan.Zero || level.After < previous)
            {
                errors.Add($"Sla:Escalation:{i}:After must be zero or more and not before the level above it (got {level.After}).");
            }
            else if (level.After > SlaPolicyBook.MaxTarget)
            {
                // Added to a due time; a longer delay could reach past the calendar's end.
                errors.Add($"Sla:Escalation:{i}:After must be at most {SlaPolicyBook.MaxTarget.TotalDays:0} days (got {level.After}).");
            }

            previous = level.After;
        }

        foreach (var (team, settings) in options.Teams)
        {
            if (!StorageNames.IsValidTeamName(team))
            {
                errors.Add($"Sla:Teams:{team} is not a valid team name.");
            }

            for (var i = 0; i < settings.Webhooks.Count; i++)
            {
                if (settings.Webhooks[i].Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                {
                    errors.Add($"Sla:Teams:{team}:Webhooks:{i}:Url must be an absolute http(s) URL.");
                }
            }
        }

        foreach (var (target, settings) in options.Notifications)
        {
            if (target.Length is 0 or > 64 || !target.All(c => char.IsAsciiLetterOrDigit(c) || c is '#' or '@' or '.' or '_' or '-'))
            {
                errors.Add($"Sla:Notifications:{target} must be named with 1 to 64 letters, digits and - _ . # @ (the name teams' Notify lists use).");
            }

            if (settings.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"Sla:Notifications:{target}:Url must be an absolute http(s) URL.");
            }
        }

        if (!options.LinkBaseUrl.IsAbsoluteUri)
        {
            errors.Add("Sla:LinkBaseUrl must be an absolute URL.");
        }

        if (options.DeliveryTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Sla:DeliveryTimeout must be positive (got {options.DeliveryTimeout}).");
        }

        if (options.SweepParallelism is < 1 or > 64)
        {
            errors.Add($"Sla:SweepParallelism must be 1-64 (got {options.SweepParallelism}).");
        }

        if (options.StatsInterval < TimeSpan.Zero)
        {
            errors.Add("Sla:StatsInterval must be zero (off) or positive.");
        }

        if (options.Seed.Policies.Count > 0 || options.Seed.Calendars.Count > 0)
        {
            errors.AddRange(SlaPolicyBook.Validate(options.Seed).Select(e => "Sla:Seed: " + e));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
