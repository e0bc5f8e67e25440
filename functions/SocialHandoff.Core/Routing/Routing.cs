using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Routing;

/// <summary>Chooses the team that gets a mention. The rules engine managers edit arrives behind this port.</summary>
public interface IRouter
{
    /// <summary>Every team a decision can name (their queues are created up front).</summary>
    IReadOnlyCollection<string> Teams { get; }

    RouteDecision Route(MentionMessage mention, MentionScore score);
}

/// <summary>The team and the rule that chose it ("default" when none matched).</summary>
public sealed record RouteDecision(string Team, string Rule);

/// <summary>Keyword and brand rules from settings, first match wins, else the default team.</summary>
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

internal sealed class KeywordRouter : IRouter
{
    private readonly string _defaultTeam;
    private readonly (RoutingRule Rule, Regex? Keywords)[] _rules;

    public KeywordRouter(IOptions<RoutingOptions> options)
    {
        var settings = options.Value;
        _defaultTeam = settings.DefaultTeam;
        _rules = settings.Rules
            .Select(r => (r, r.Keywords.Count == 0
                ? null
                : new Regex(
                    @"(?<![\p{L}\p{N}])(" + string.Join('|', r.Keywords.Select(k => Regex.Escape(k.Trim()).Replace(@"\ ", @"\s+", StringComparison.Ordinal))) + @")(?![\p{L}\p{N}])",
                    RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                    TimeSpan.FromMilliseconds(200))))
            .ToArray();
        Teams = settings.Rules.Select(r => r.Team).Append(_defaultTeam).Distinct(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyCollection<string> Teams { get; }

    public RouteDecision Route(MentionMessage mention, MentionScore score)
    {
        foreach (var (rule, keywords) in _rules)
        {
            if (score.Urgency < rule.MinUrgency)
            {
                continue;
            }

            if (rule.Brands.Count > 0 && !rule.Brands.Contains(mention.Query ?? "", StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (keywords is not null && !keywords.IsMatch(mention.Text))
            {
                continue;
            }

            return new RouteDecision(rule.Team, rule.Name);
        }

        return new RouteDecision(_defaultTeam, "default");
    }
}
