namespace SocialHandoff.Core.Routing.Rules;

/// <summary>
/// The routing rules a manager owns: tried in order, first enabled match wins, otherwise the
/// default action. Saved as data with its version and author; a new version never rewrites the
/// handoffs made under an older one.
/// </summary>
public sealed record RuleSet
{
    public int Version { get; init; }

    public string Author { get; init; } = "";

    public DateTimeOffset SavedAt { get; init; }

    public List<RoutingRuleDefinition> Rules { get; init; } = [];

    /// <summary>What happens to a mention no rule matches.</summary>
    public RuleAction Default { get; init; } = new();
}

public sealed record RoutingRuleDefinition
{
    public string Name { get; init; } = "";

    public bool Enabled { get; init; } = true;

    public RuleConditions When { get; init; } = new();

    public RuleAction Then { get; init; } = new();
}

/// <summary>Every condition given must hold; an empty list or null bound means "any".</summary>
public sealed record RuleConditions
{
    /// <summary>Source names ("x", "file", "mastodon"); any one.</summary>
    public List<string> Sources { get; init; } = [];

    /// <summary>The brand or query the source searched for; any one, case-insensitive.</summary>
    public List<string> Brands { get; init; } = [];

    /// <summary>Language tags ("en", "es"); any one, by primary subtag.</summary>
    public List<string> Languages { get; init; } = [];

    /// <summary>Words or phrases, whole-word, case- and accent-insensitive; any one must appear. A word of the shared rule-word table also matches its equivalents in the rule's languages (all languages when none are listed).</summary>
    public List<string> AnyWords { get; init; } = [];

    /// <summary>Words or phrases that exclude the mention when present.</summary>
    public List<string> NoneOfWords { get; init; } = [];

    /// <summary>Hashtags without '#'; any one.</summary>
    public List<string> Hashtags { get; init; } = [];

    public double? MinSentiment { get; init; }

    public double? MaxSentiment { get; init; }

    public int? MinUrgency { get; init; }

    public int? MaxUrgency { get; init; }

    public long? MinFollowers { get; init; }

    public bool? Verified { get; init; }

    /// <summary>Severity tiers ("safety", "outage", "complaint", "praise"; see Scoring:Severity); any one. With a priority in the action, this is how a manager changes what a tier gets.</summary>
    public List<string> Tiers { get; init; } = [];

    /// <summary>Urgency reason signals ("crisis", "complaint", "request"); any one must be among the mention's reasons.</summary>
    public List<string> ReasonSignals { get; init; } = [];
}

public sealed record RuleAction
{
    public string Team { get; init; } = "";

    /// <summary>P1-P4, or "auto" to take it from the urgency score.</summary>
    public string Priority { get; init; } = "auto";

    public List<string> Tags { get; init; } = [];

    /// <summary>The SLA policy the handoff is timed by; empty means the team's default policy.</summary>
    public string SlaPolicy { get; init; } = "";
}

/// <summary>A problem with a rule set, naming the rule (by position and name) and the field.</summary>
public sealed record RuleError(int? RuleIndex, string? RuleName, string Field, string Message)
{
    public override string ToString() =>
        RuleIndex is int i ? $"rule {i + 1} ('{RuleName}'), {Field}: {Message}" : $"{Field}: {Message}";
}
