using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Spikes;

/// <summary>
/// The volume spike detector (section <c>Spikes</c>): per brand, rule and tag, the mentions of the
/// running hour against the usual level for that hour of the week. Validated at start-up.
/// </summary>
public sealed class SpikeOptions
{
    public const string SectionName = "Spikes";

    /// <summary>Off stops counting and alerting. Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many standard deviations above the usual level is a spike. Default 3.</summary>
    public double K { get; set; } = 3;

    /// <summary>A spike needs at least this many mentions in the hour, however quiet the usual level. Default 10.</summary>
    public int Floor { get; set; } = 10;

    /// <summary>Weeks of history an hour-of-week needs before mean + K sd applies. Default 3.</summary>
    public int MinWeeks { get; set; } = 3;

    /// <summary>Before that (cold start), a spike needs this many mentions in the hour. Default 50.</summary>
    public int ColdStartFloor { get; set; } = 50;

    /// <summary>Weight of the newest week in the exponentially weighted mean and variance (0-1). Default 0.3: the level follows a lasting change within a few weeks.</summary>
    public double Alpha { get; set; } = 0.3;

    /// <summary>The SLA sweep's timer runs the detector when the minute is a multiple of this. Default 5.</summary>
    public int CheckEveryMinutes { get; set; } = 5;

    /// <summary>
    /// The IANA time zone whose clock the hours of the week follow (Europe/Amsterdam, America/New_York),
    /// so "Monday 9-10" is the brand's Monday morning in summer and winter alike. Default UTC.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary><see cref="TimeZone"/> as the system knows it; null when it knows no such IANA zone (start-up refuses that).</summary>
    public TimeZoneInfo? Zone() =>
        System.TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out var zone) && zone.HasIanaId ? zone : null;
}

internal sealed class SpikeOptionsValidator : IValidateOptions<SpikeOptions>
{
    public ValidateOptionsResult Validate(string? name, SpikeOptions options)
    {
        var errors = new List<string>();
        if (options.K is not (> 0 and <= 20) || double.IsNaN(options.K))
        {
            errors.Add($"Spikes:K must be above 0 and at most 20 (got {options.K}).");
        }

        if (options.Alpha is not (> 0 and <= 1) || double.IsNaN(options.Alpha))
        {
            errors.Add($"Spikes:Alpha must be above 0 and at most 1 (got {options.Alpha}).");
        }

        if (options.Floor is < 1 or > 1_000_000)
        {
            errors.Add($"Spikes:Floor must be 1-1000000 (got {options.Floor}).");
        }

        if (options.ColdStartFloor < options.Floor || options.ColdStartFloor > 1_000_000)
        {
            errors.Add($"Spikes:ColdStartFloor must be at least Spikes:Floor ({options.Floor}) and at most 1000000 (got {options.ColdStartFloor}).");
        }

        if (options.MinWeeks is < 1 or > 52)
        {
            errors.Add($"Spikes:MinWeeks must be 1-52 (got {options.MinWeeks}).");
        }

        if (options.CheckEveryMinutes is < 1 or > 60)
        {
            errors.Add($"Spikes:CheckEveryMinutes must be 1-60 (got {options.CheckEveryMinutes}).");
        }

        if (options.Zone() is null)
        {
            errors.Add($"Spikes:TimeZone must be an IANA time zone id such as Europe/Amsterdam, America/New_York or UTC (got '{options.TimeZone}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
