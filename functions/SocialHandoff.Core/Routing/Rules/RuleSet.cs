namespace SocialHandoff.Core.Routing.Rules;

/// <summary>
/// The routing rules a manager owns: tried in order, first enabled match wins, otherwise the
/// default action. Saved as data with its version and author; a new version never rewrites the
/// handoffs made under an older one. These documents use <c>set</c>, not <c>init</c>: the
/// source-generated JSON reader gives an omitted init-only member null (or false), not its
/// default, so a manager's minimal rule would arrive with null lists and a disabled rule.
/// </summary>
public sealed record RuleSet
{
    public int Version { get; set; }

    public string Author { get; set; } = "";

    public DateTimeOffset SavedAt { get; set; }

    public List<RoutingRuleDefinition> Rules { get; set; } = [];

    /// <summary>What happens to a mention no rule matches.</summary>
    public RuleAction Default { get; set; } = new();
}

public sealed record RoutingRuleDefinition
{
    public string Name { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public RuleConditions When { get; set; } = new();

    public RuleAction Then { get; set; } = new();
}

/// <summary>Every condition given must hold; an empty list or null bound means "any".</summary>
public sealed record RuleConditions
{
    /// <summary>Source names ("x", "file", "mastodon"); any one.</summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>The brand or query the source searched for; any one, case-insensitive.</summary>
    public List<string> Brands { get; set; } = [];

    /// <summary>Language tags ("en", "es"); any one, by primary subtag.</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>Words or phrases, whole-word, case- and accent-insensitive; any one must appear. A word of the shared rule-word table also matches its equivalents in the rule's languages (all languages when none are listed).</summary>
    public List<string> AnyWords { get; set; } = [];

    /// <summary>Words or phrases that exclude the mention when present.</summary>
    public List<string> NoneOfWords { get; set; } = [];

    /// <summary>Hashtags without '#'; any one.</summary>
    public List<string> Hashtags { get; set; } = [];

    public double? MinSentiment { get; set; }

    public double? MaxSentiment { get; set; }

    public int? MinUrgency { get; set; }

    public int? MaxUrgency { get; set; }

    public long? MinFollowers { get; set; }

    public bool? Verified { get; set; }

    /// <summary>Severity tiers ("safety", "outage", "complaint", "praise"; see Scoring:Severity); any one. With a priority in the action, this is how a manager changes what a tier gets.</summary>
    public List<string> Tiers { get; set; } = [];

    /// <summary>Urgency reason signals ("crisis", "complaint", "request"); any one must be among the mention's reasons.</summary>
    public List<string> ReasonSignals { get; set; } = [];
}

public sealed record RuleAction
{
    public string Team { get; set; } = "";

    /// <summary>P1-P4, or "auto" to take it from the urgency score.</summary>
    public string Priority { get; set; } = "auto";

    public List<string> Tags { get; set; } = [];

    /// <summary>The SLA policy the handoff is timed by; empty means the team's default policy.</summary>
    public string SlaPolicy { get; set; } = "";
}

/// <summary>A problem with a rule set, naming the rule (by position and name) and the field.</summary>
public sealed record RuleError(int? RuleIndex, string? RuleName, string Field, string Message)
{
    public override string ToString() =>
        RuleIndex is int i ? $"rule {i + 1} ('{RuleName}'), {Field}: {Message}" : $"{Field}: {Message}";
}
