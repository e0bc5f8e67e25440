using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Handoffs;

/// <summary>How urgency maps to a priority, and each priority's SLA targets. The full SLA engine comes with the next issue.</summary>
public sealed class HandoffOptions
{
    public const string SectionName = "Handoffs";

    /// <summary>Urgency at or above which a handoff is P1. Default 80.</summary>
    public int P1MinUrgency { get; set; } = 80;

    /// <summary>Default 60.</summary>
    public int P2MinUrgency { get; set; } = 60;

    /// <summary>Default 35. Below it a handoff is P4.</summary>
    public int P3MinUrgency { get; set; } = 35;

    /// <summary>Default 15 minutes to first response, 4 hours to resolution.</summary>
    public SlaTarget P1 { get; set; } = new() { FirstResponse = TimeSpan.FromMinutes(15), Resolution = TimeSpan.FromHours(4) };

    /// <summary>Default 1 hour, 8 hours.</summary>
    public SlaTarget P2 { get; set; } = new() { FirstResponse = TimeSpan.FromHours(1), Resolution = TimeSpan.FromHours(8) };

    /// <summary>Default 4 hours, 24 hours.</summary>
    public SlaTarget P3 { get; set; } = new() { FirstResponse = TimeSpan.FromHours(4), Resolution = TimeSpan.FromHours(24) };

    /// <summary>Default 24 hours, 72 hours.</summary>
    public SlaTarget P4 { get; set; } = new() { FirstResponse = TimeSpan.FromHours(24), Resolution = TimeSpan.FromHours(72) };

    public string PriorityFor(int urgency) =>
        urgency >= P1MinUrgency ? "P1" : urgency >= P2MinUrgency ? "P2" : urgency >= P3MinUrgency ? "P3" : "P4";

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
        if (!(100 >= options.P1MinUrgency && options.P1MinUrgency > options.P2MinUrgency && options.P2MinUrgency > options.P3MinUrgency && options.P3MinUrgency > 0))
        {
            errors.Add($"Handoffs: urgency thresholds must satisfy 100 >= P1MinUrgency > P2MinUrgency > P3MinUrgency > 0 (got {options.P1MinUrgency}, {options.P2MinUrgency}, {options.P3MinUrgency}).");
        }

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
