using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Routing;

/// <summary>Chooses the team, priority and SLA policy of a mention.</summary>
public interface IRouter
{
    /// <summary>Every team that exists, which includes every team the rules in force can name (their queues are created up front).</summary>
    Task<IReadOnlyCollection<string>> GetTeamsAsync(CancellationToken cancellationToken);

    Task<RouteDecision> RouteAsync(MentionMessage mention, MentionScore score, CancellationToken cancellationToken);
}

/// <summary>
/// What routing decided and why: the rule ("default" when none matched), the rule-set version, the
/// explanation, tags, the priority (P1-P4, or "auto" for the urgency thresholds) and the named SLA
/// policy ("" = the team's policy).
/// </summary>
public sealed record RouteDecision(string Team, string Rule, int RuleSetVersion, IReadOnlyList<string> Why, IReadOnlyList<string> Tags, string Priority, string SlaPolicy);

/// <summary>Routes with the rule set in force (managers change it at run time; see <see cref="Policies.LivePolicies"/>).</summary>
internal sealed class RuleRouter(Policies.LivePolicies policies, Teams.TeamDirectory directory) : IRouter
{
    // The team directory is the one answer to which teams exist; the rules in force are part of it.
    public async Task<IReadOnlyCollection<string>> GetTeamsAsync(CancellationToken cancellationToken) =>
        [.. await directory.KnownTeamsAsync(cancellationToken).ConfigureAwait(false)];

    public async Task<RouteDecision> RouteAsync(MentionMessage mention, MentionScore score, CancellationToken cancellationToken)
    {
        var engine = await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false);
        var match = engine.Evaluate(mention, score);
        return new RouteDecision(match.Action.Team, match.Rule, match.RuleSetVersion, match.Why, match.Action.Tags, match.Action.Priority, match.Action.SlaPolicy);
    }
}

/// <summary>Keyword and brand rules from settings: the seed of rule-set version 1 (see <see cref="Policies.PolicySeed"/>).</summary>
public sealed class RoutingOptions
{
    public const string SectionName = "Routing";

    /// <summary>Team of a mention no rule matches. Default "care".</summary>
    public string DefaultTeam { get; set; } = "care";

    /// <summary>Tried in order; empty by default.</summary>
    public List<RoutingRule> Rules { get; set; } = [];
}

public sealed class RoutingRule
{
    public string Name { get; set; } = "";

    public string Team { get; set; } = "";

    /// <summary>Words or phrases matched case-insensitively on word boundaries; any one matches.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>Brand (the source's query) names; any one matches. Empty means any brand.</summary>
    public List<string> Brands { get; set; } = [];

    /// <summary>Match only at or above this urgency (0-100). Default 0.</summary>
    public int MinUrgency { get; set; }
}

internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var errors = new List<string>();
        if (!StorageNames.IsValidTeamName(options.DefaultTeam))
        {
            errors.Add($"Routing:DefaultTeam '{options.DefaultTeam}' is not a valid team name (lowercase letters, digits, hyphens; at most 58).");
        }

        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                errors.Add($"Routing:Rules:{i}:Name is required.");
            }

            if (!StorageNames.IsValidTeamName(rule.Team))
            {
                errors.Add($"Routing:Rules:{i}:Team '{rule.Team}' is not a valid team name (lowercase letters, digits, hyphens; at most 58).");
            }

            if (rule.Keywords.Count == 0 && rule.Brands.Count == 0 && rule.MinUrgency <= 0)
            {
                errors.Add($"Routing:Rules:{i} ('{rule.Name}') has no keywords, brands or minUrgency, so it would match everything.");
            }

            if (rule.MinUrgency is < 0 or > 100)
            {
                errors.Add($"Routing:Rules:{i}:MinUrgency must be 0-100.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
