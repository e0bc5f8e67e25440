using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Handoffs;

/// <summary>Each priority's default SLA targets. The priority itself comes from severity (Scoring:Severity) or a routing rule.</summary>
public sealed class HandoffOptions
{
    public const string SectionName = "Handoffs";

    /// <summary>Default 15 minutes to first response, 4 hours to resolution.</summary>
    public SlaTarget P1 { get; set; } = new() { FirstResponse = TimeSpan.FromMinutes(15), Resolution = TimeSpan.FromHours(4) };

    /// <summary>Default 1 hour, 8 hours.</summary>
    public SlaTarget P2 { get; set; } = new() { FirstResponse = TimeSpan.FromHours(1), Resolution = TimeSpan.FromHours(8) };

    /// <summary>Default 4 hours, 24 hours.</summary>
    public SlaTarget P3 { get; set; } = new() { FirstResponse = TimeSpan.FromHours(4), Resolution = TimeSpan.FromHours(24) };

    /// <summary>Default 24 hours, 72 hours.</summary>
    public SlaTarget P4 { get; set; } = new() { FirstResponse = TimeSpan.FromHours(24), Resolution = TimeSpan.FromHours(72) };

    public SlaTarget TargetFor(string priority) => priority switch
    {
        "P1" => P1,
        "P2" => P2,
        "P3" => P3,
        "P4" => P4,
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Priorities are P1 to P4."),
    };
}

public sealed class SlaTarget
{
    public TimeSpan FirstResponse { get; set; }

    public TimeSpan Resolution { get; set; }
}

internal sealed class HandoffOptionsValidator : IValidateOptions<HandoffOptions>
{
    public ValidateOptionsResult Validate(string? name, HandoffOptions options)
    {
        var errors = new List<string>();
        foreach (var priority in new[] { "P1", "P2", "P3", "P4" })
        {
            var target = options.TargetFor(priority);
            if (target.FirstResponse <= TimeSpan.Zero || target.Resolution < target.FirstResponse)
            {
                errors.Add($"Handoffs:{priority}: FirstResponse must be positive and Resolution at least FirstResponse (got {target.FirstResponse}, {target.Resolution}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
