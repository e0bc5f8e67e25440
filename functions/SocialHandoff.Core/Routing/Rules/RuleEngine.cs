using System.Globalization;
using System.Text;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Scoring;

namespace SocialHandoff.Core.Routing.Rules;

/// <summary>Which rule routed a mention, what it decided, and why, in words a manager reads.</summary>
public sealed record RuleMatch(string Rule, int RuleSetVersion, RuleAction Action, IReadOnlyList<string> Why);

/// <summary>
/// What a proposed rule set would do to recent mentions compared with the current one. Every row of
/// <see cref="Moves"/> is a mention whose outcome (team, priority, SLA policy or tags) changes, and
/// <see cref="Moved"/> counts exactly those rows; <see cref="TeamChanges"/> is how many of them change team.
/// <see cref="CaughtByRule"/> counts, per rule of the proposal, the mentions it would take (first match);
/// <see cref="Caught"/> lists them for the one rule asked about (<see cref="Rule"/>).
/// </summary>
public sealed record DryRunReport(
    int Evaluated,
    int Moved,
    int TeamChanges,
    IReadOnlyDictionary<string, int> MovesByRoute,
    IReadOnlyList<DryRunMove> Moves,
    IReadOnlyDictionary<string, int> CaughtByRule,
    string? Rule,
    IReadOnlyList<DryRunCatch> Caught);

/// <summary>Where a mention ends up: the rule that took it, its team, the priority it gets and the SLA policy that times it.</summary>
public sealed record RouteOutcome(string Rule, string Team, string Priority, string SlaPolicy, IReadOnlyList<string> Tags)
{
    /// <summary>Why <see cref="SlaPolicy"/> applies (Sla.SlaPolicySources: "rule", "team default"...); null where not resolved.</summary>
    public string? SlaPolicySource { get; init; }
}

public sealed record DryRunMove(string MentionKey, string Text, RouteOutcome From, RouteOutcome To, IReadOnlyList<string> Why);

public sealed record DryRunCatch(string MentionKey, string Text, RouteOutcome Outcome, IReadOnlyList<string> Why);

/// <summary>
/// What a rule set may name, as it stands when a manager validates or saves: the teams that exist
/// and the policies of the SLA policy set in force. A stored version is compiled without them, so a
/// team later dropped from configuration never stops routing.
/// </summary>
public sealed record RuleReferences(IReadOnlySet<string> Teams, IReadOnlySet<string> SlaPolicies);

/// <summary>A validated rule set ready to evaluate. Pure: no I/O, thread-safe.</summary>
public sealed class RuleEngine
{
    private static readonly HashSet<string> Priorities = ["P1", "P2", "P3", "P4", "auto"];
    /// <summary>The urgency reason signals a rule can ask for (what <see cref="Scoring.Urgency"/> gives reasons for).</summary>
    public static readonly IReadOnlySet<string> Signals = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "crisis", "complaint", "request", "question", "sentiment", "reach", "engagement", "praise", "context" };

    // Every word, phrase and hashtag of each rule in the padded forms WordText gives, with the same
    // word in the other languages the rule lists (see RuleWords), computed once here rather than for
    // each mention evaluated.
    private readonly Dictionary<(RuleConditions When, string Phrase), (string Form, string Word)[]> _wordForms = [];

    private RuleEngine(RuleSet rules)
    {
        Rules = rules;
        foreach (var when in rules.Rules.Select(r => r.When))
        {
            foreach (var phrase in when.AnyWords.Concat(when.NoneOfWords))
            {
                _wordForms.TryAdd((when, phrase), [.. RuleWords.Expand(phrase, when.Languages).Select(w => (WordText(w), w))]);
            }

            foreach (var phrase in when.Hashtags.Select(HashtagPhrase))
            {
                _wordForms.TryAdd((when, phrase), [(WordText(phrase), phrase)]);
            }
        }
    }

    public RuleSet Rules { get; }

    /// <summary>Validates and compiles; a rule set with any error is refused, whole.</summary>
    public static RuleEngine Compile(RuleSet rules)
    {
        var errors = Validate(rules);
        if (errors.Count > 0)
        {
            throw new RuleSetInvalidException(errors);
        }

        return new RuleEngine(rules);
    }

    /// <summary>
    /// Every problem, each naming the rule and field; empty when the rule set can be applied. With
    /// <paramref name="references"/>, a team or SLA policy that does not exist is an error too.
    /// </summary>
    public static IReadOnlyList<RuleError> Validate(RuleSet rules, RuleReferences? references = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var errors = new List<RuleError>();
        ValidateAction(rules.Default, null, null, "default", references, errors);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < rules.Rules.Count; i++)
        {
            var rule = rules.Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                errors.Add(new RuleError(i, rule.Name, "name", "is required."));
            }
            else if (!names.Add(rule.Name.Trim()))
            {
                errors.Add(new RuleError(i, rule.Name, "name", "is used by an earlier rule; names must be unique."));
            }

            var when = rule.When;
            if (when.MinSentiment is < -1 or > 1 || when.MaxSentiment is < -1 or > 1)
            {
                errors.Add(new RuleError(i, rule.Name, "when.sentiment", "bounds must be between -1 and 1."));
            }

            if (when.MinSentiment > when.MaxSentiment)
            {
                errors.Add(new RuleError(i, rule.Name, "when.sentiment", $"minimum {when.MinSentiment} is above maximum {when.MaxSentiment}."));
            }

            if (when.MinUrgency is < 0 or > 100 || when.MaxUrgency is < 0 or > 100)
            {
                errors.Add(new RuleError(i, rule.Name, "when.urgency", "bounds must be between 0 and 100."));
            }

            if (when.MinUrgency > when.MaxUrgency)
            {
                errors.Add(new RuleError(i, rule.Name, "when.urgency", $"minimum {when.MinUrgency} is above maximum {when.MaxUrgency}."));
            }

            if (when.MinFollowers < 0)
            {
                errors.Add(new RuleError(i, rule.Name, "when.minFollowers", "cannot be negative."));
            }

            foreach (var (field, list) in new[] { ("when.anyWords", when.AnyWords), ("when.noneOfWords", when.NoneOfWords), ("when.hashtags", when.Hashtags), ("when.brands", when.Brands), ("when.sources", when.Sources), ("when.languages", when.Languages), ("when.tiers", when.Tiers) })
            {
                if (list.Any(string.IsNullOrWhiteSpace))
                {
                    errors.Add(new RuleError(i, rule.Name, field, "has an empty entry."));
                }
            }

            foreach (var signal in when.ReasonSignals.Where(s => !Signals.Contains(s)))
            {
                errors.Add(new RuleError(i, rule.Name, "when.reasonSignals", $"'{signal}' is not an urgency reason. {Sentence(DidYouMean.Hint(signal, [.. Signals]))}"));
            }

            if (IsUnconditional(when) && i < rules.Rules.Count - 1 && rule.Enabled)
            {
                errors.Add(new RuleError(i, rule.Name, "when", "has no condition, so it matches everything and the rules after it never run."));
            }

            ValidateAction(rule.Then, i, rule.Name, "then", references, errors);
        }

        return errors;
    }

    /// <summary>The first enabled rule that matches, else the default; with the reasons.</summary>
    public RuleMatch Evaluate(MentionMessage mention, MentionScore score)
    {
        var text = WordText(mention.Text);
        foreach (var rule in Rules.Rules)
        {
            if (!rule.Enabled)
            {
                continue;
            }

            var why = new List<string>();
            if (Matches(rule.When, mention, score, text, why))
            {
                return new RuleMatch(rule.Name, Rules.Version, rule.Then, why.Count > 0 ? why : ["no conditions"]);
            }
        }

        return new RuleMatch("default", Rules.Version, Rules.Default, ["no rule matched"]);
    }

    /// <summary>
    /// Applies both rule sets to the same mentions and reports every mention whose outcome changes;
    /// <paramref name="outcome"/> turns a match into the priority and policy it would get.
    /// </summary>
    public static DryRunReport DryRun(
        RuleEngine current,
        RuleEngine proposed,
        IEnumerable<(MentionMessage Mention, MentionScore Score)> recent,
        Func<RuleMatch, MentionScore, RouteOutcome> outcome,
        string? watchRule = null)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var moves = new List<DryRunMove>();
        var caught = new List<DryRunCatch>();
        var caughtByRule = proposed.Rules.Rules.Select(r => r.Name).Append("default").Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        var evaluated = 0;
        foreach (var (mention, score) in recent)
        {
            evaluated++;
            var beforeMatch = current.Evaluate(mention, score);
            var afterMatch = proposed.Evaluate(mention, score);
            var before = outcome(beforeMatch, score);
            var after = outcome(afterMatch, score);
            caughtByRule[afterMatch.Rule] = caughtByRule.GetValueOrDefault(afterMatch.Rule) + 1;
            if (watchRule is not null && string.Equals(afterMatch.Rule, watchRule, StringComparison.Ordinal))
            {
                caught.Add(new DryRunCatch(mention.Key, mention.Text, after, afterMatch.Why));
            }

            // A different rule with the same result is no change a manager would see.
            if (before.Team != after.Team || before.Priority != after.Priority || before.SlaPolicy != after.SlaPolicy || !before.Tags.SequenceEqual(after.Tags))
            {
                moves.Add(new DryRunMove(mention.Key, mention.Text, before, after, afterMatch.Why));
            }
        }

        var byRoute = moves.GroupBy(m => $"{m.From.Team} -> {m.To.Team}").ToDictionary(g => g.Key, g => g.Count());
        return new DryRunReport(evaluated, moves.Count, moves.Count(m => m.From.Team != m.To.Team), byRoute, moves, caughtByRule, watchRule, caught);
    }

    private bool Matches(RuleConditions when, MentionMessage mention, MentionScore score, string text, List<string> why)
    {
        if (when.Sources.Count > 0)
        {
            if (!when.Sources.Contains(mention.Source, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }

            why.Add($"source is {mention.Source}");
        }

        if (when.Brands.Count > 0)
        {
            if (mention.Query is null || !when.Brands.Any(b => mention.Query.Contains(b, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }

            why.Add($"brand query '{mention.Query}'");
        }

        if (when.Languages.Count > 0)
        {
            // The source's tag, or the language the scorer detected when the source gave none.
            var primary = (mention.Language ?? score.Language).Split('-', '_')[0];
            if (!when.Languages.Any(l => string.Equals(l.Split('-', '_')[0], primary, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }

            why.Add($"language {mention.Language ?? score.Language + " (detected)"}");
        }

        if (when.AnyWords.Count > 0)
        {
            var (word, said) = when.AnyWords.Select(w => (w, ContainsWords(when, text, w))).FirstOrDefault(m => m.Item2 is not null);
            if (said is null)
            {
                return false;
            }

            why.Add(said == MentionWordForm(word) ? $"mentions '{word}'" : $"mentions '{said}' ({word})");
        }

        var excluded = when.NoneOfWords.FirstOrDefault(w => ContainsWords(when, text, w) is not null);
        if (excluded is not null)
        {
            return false;
        }

        if (when.Hashtags.Count > 0)
        {
            var tag = when.Hashtags.FirstOrDefault(h => ContainsWords(when, text, HashtagPhrase(h)) is not null);
            if (tag is null)
            {
                return false;
            }

            why.Add($"hashtag #{tag.TrimStart('#')}");
        }

        var compound = score.Sentiment.Compound;
        if (when.MinSentiment is double minSentiment)
        {
            if (!score.Sentiment.IsJudged || compound < minSentiment)
            {
                return false;
            }

            why.Add(F($"sentiment {compound:0.00} >= {minSentiment:0.00}"));
        }

        if (when.MaxSentiment is double maxSentiment)
        {
            if (!score.Sentiment.IsJudged || compound > maxSentiment)
            {
                return false;
            }

            why.Add(F($"sentiment {compound:0.00} <= {maxSentiment:0.00}"));
        }

        if (when.MinUrgency is int minUrgency)
        {
            if (score.Urgency < minUrgency)
            {
                return false;
            }

            why.Add($"urgency {score.Urgency} >= {minUrgency}");
        }

        if (when.MaxUrgency is int maxUrgency)
        {
            if (score.Urgency > maxUrgency)
            {
                return false;
            }

            why.Add($"urgency {score.Urgency} <= {maxUrgency}");
        }

        if (when.MinFollowers is long minFollowers)
        {
            if ((mention.Author.Followers ?? 0) < minFollowers)
            {
                return false;
            }

            why.Add(F($"{mention.Author.Followers:N0} followers >= {minFollowers:N0}"));
        }

        if (when.Verified is bool verified)
        {
            if ((mention.Author.Verified ?? false) != verified)
            {
                return false;
            }

            why.Add(verified ? "verified author" : "unverified author");
        }

        if (when.Tiers.Count > 0)
        {
            if (!when.Tiers.Contains(score.Severity.Tier, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }

            why.Add($"tier {score.Severity.Tier} ({score.Severity.Reason})");
        }

        if (when.ReasonSignals.Count > 0)
        {
            var reason = score.Reasons.FirstOrDefault(r => when.ReasonSignals.Contains(r.Signal, StringComparer.OrdinalIgnoreCase));
            if (reason is null)
            {
                return false;
            }

            why.Add($"reason {reason.Text}");
        }

        return true;
    }

    // Messages are read at the field by a manager: "Team 'biling' does not exist. Did you mean 'billing'?"
    private static string Sentence(string hint) => hint.Length == 0 ? hint : char.ToUpperInvariant(hint[0]) + hint[1..];

    private static string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool IsUnconditional(RuleConditions when) =>
        when.Sources.Count == 0 && when.Brands.Count == 0 && when.Languages.Count == 0 && when.AnyWords.Count == 0
        && when.NoneOfWords.Count == 0 && when.Hashtags.Count == 0 && when.MinSentiment is null && when.MaxSentiment is null
        && when.MinUrgency is null && when.MaxUrgency is null && when.MinFollowers is null && when.Verified is null
        && when.ReasonSignals.Count == 0 && when.Tiers.Count == 0;

    private static void ValidateAction(RuleAction action, int? index, string? name, string prefix, RuleReferences? references, List<RuleError> errors)
    {
        if (!Storage.StorageNames.IsValidTeamName(action.Team))
        {
            errors.Add(new RuleError(index, name, $"{prefix}.team", $"'{action.Team}' is not a team name (lowercase letters, digits and hyphens)."));
        }
        else if (references is not null && !references.Teams.Contains(action.Team))
        {
            errors.Add(new RuleError(index, name, $"{prefix}.team", $"Team '{action.Team}' does not exist. {Sentence(DidYouMean.Hint(action.Team, [.. references.Teams]))}"));
        }

        if (references is not null && action.SlaPolicy.Length > 0 && !references.SlaPolicies.Contains(action.SlaPolicy))
        {
            errors.Add(new RuleError(index, name, $"{prefix}.slaPolicy", $"SLA policy '{action.SlaPolicy}' does not exist in the policies in force. {Sentence(DidYouMean.Hint(action.SlaPolicy, [.. references.SlaPolicies]))}"));
        }

        if (!Priorities.Contains(action.Priority))
        {
            errors.Add(new RuleError(index, name, $"{prefix}.priority", $"'{action.Priority}' must be P1, P2, P3, P4 or auto."));
        }

        if (action.Tags.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new RuleError(index, name, $"{prefix}.tags", "has an empty tag."));
        }
    }

    private static string MentionWordForm(string word) => Scoring.Languages.MentionLanguage.FoldWord(word.Trim());

    // Lower-case words (accents folded) separated by single spaces, padded, so " phrase " finds whole words only.
    private static string WordText(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append(' ');
        var lastWasSpace = true;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '#' or '\'' or '@' or '_')
            {
                builder.Append(Scoring.Languages.MentionLanguage.Fold(c));
                lastWasSpace = false;
            }
            else if (!lastWasSpace)
            {
                builder.Append(' ');
                lastWasSpace = true;
            }
        }

        if (!lastWasSpace)
        {
            builder.Append(' ');
        }

        return builder.ToString();
    }

    private static string HashtagPhrase(string tag) => "#" + tag.TrimStart('#');

    // The form of the rule's phrase the text holds (the phrase itself or the same word in another of the rule's languages), or null.
    private string? ContainsWords(RuleConditions when, string wordText, string phrase)
    {
        foreach (var (form, word) in _wordForms[(when, phrase)])
        {
            if (wordText.Contains(form, StringComparison.Ordinal))
            {
                return word;
            }
        }

        return null;
    }
}

/// <summary>Thrown when a rule set fails validation; it carries every error.</summary>
public sealed class RuleSetInvalidException(IReadOnlyList<RuleError> errors)
    : Exception("The rule set is invalid: " + string.Join("; ", errors))
{
    public IReadOnlyList<RuleError> Errors { get; } = errors;
}
