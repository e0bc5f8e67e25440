using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Policies;

/// <summary>
/// Applies a proposed rule set to the most recent processed mentions (their stored bodies in the
/// ledger, MentionLedger.ReceivedSinceAsync, scored again) and reports what would change, against the current rules; and
/// routes one text a manager pastes. Nothing is written. A manager's action, so a filtered scan of
/// recent rows is acceptable.
/// </summary>
public sealed class RuleDryRun(Processing.MentionLedger ledger, LivePolicies policies, TeamDirectory directory, MentionScorer scorer, TimeProvider timeProvider)
{
    /// <summary>How far back the dry run looks. Default 7 days.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Validates the proposal first: an invalid one throws <see cref="RuleSetInvalidException"/> with every error.
    /// With <paramref name="watchRule"/>, the report also lists the mentions that rule of the proposal would take.
    /// </summary>
    public async Task<DryRunReport> RunAsync(RuleSet proposed, int lastN, CancellationToken cancellationToken, string? watchRule = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastN, 1);
        var candidate = RuleEngine.Compile(proposed);
        var current = await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false);
        var book = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);
        var teams = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var recent = await ledger.ReceivedSinceAsync(timeProvider.GetUtcNow() - Window, cancellationToken).ConfigureAwait(false);
        var chosen = recent
            .OrderByDescending(r => r.ReceivedAt)
            .ThenBy(r => r.Mention.Key, StringComparer.Ordinal)
            .Take(lastN)
            .Select(r => (r.Mention, Score(r.Mention)));
        return RuleEngine.DryRun(current, candidate, chosen, (match, score) => Outcome(match, score, book, teams), watchRule);
    }

    /// <summary>
    /// Scores and routes one text as if it had just arrived, by the proposal when given (validated
    /// first, like <see cref="RunAsync"/>) or else the rules in force. Nothing is stored.
    /// </summary>
    public async Task<RuleTryResult> TryAsync(RuleTryInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var engine = input.Rules is null ? await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false) : RuleEngine.Compile(input.Rules);
        var book = await policies.GetSlaAsync(cancellationToken).ConfigureAwait(false);
        var teams = await directory.GetAsync(cancellationToken).ConfigureAwait(false);
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "try", input.Source.Length > 0 ? input.Source : "try", "try",
            new MentionAuthor(null, null, null, input.Followers, input.Verified), input.Text, input.Language.Length > 0 ? input.Language : null,
            new MentionMetrics(null, null, null, null), null, timeProvider.GetUtcNow(), input.Brand.Length > 0 ? input.Brand : null);
        var score = Score(mention);
        var match = engine.Evaluate(mention, score);
        return new RuleTryResult(Outcome(match, score, book, teams), match.Why, score);
    }

    private MentionScore Score(MentionMessage mention) => scorer.Score(new ScoringInput(
        mention.Text, mention.Language, mention.Author.Followers, mention.Author.Verified, mention.Metrics.Likes, mention.Metrics.Reposts));

    // The same priority and policy the processing stage gives a new handoff, the team's directory entry included.
    private static RouteOutcome Outcome(RuleMatch match, MentionScore score, SlaPolicyBook book, DirectorySnapshot teams)
    {
        var priority = match.Action.Priority is "P1" or "P2" or "P3" or "P4" ? match.Action.Priority : score.Severity.Priority;
        var policy = book.Resolve(match.Action.Team, priority, match.Action.SlaPolicy, teams.SlaDefaults(match.Action.Team));
        return new RouteOutcome(match.Rule, match.Action.Team, priority, policy.Name, match.Action.Tags) { SlaPolicySource = policy.Source };
    }
}

/// <summary>A text to route as a test, with what the rules may ask of it; everything but the text may be left out.</summary>
public sealed record RuleTryInput
{
    public string Text { get; set; } = "";

    public string Language { get; set; } = "";

    public string Source { get; set; } = "";

    /// <summary>The brand or query the source would have searched for.</summary>
    public string Brand { get; set; } = "";

    public long? Followers { get; set; }

    public bool? Verified { get; set; }

    /// <summary>A proposed rule set to try instead of the rules in force.</summary>
    public RuleSet? Rules { get; set; }
}

public sealed record RuleTryResult(RouteOutcome Outcome, IReadOnlyList<string> Why, MentionScore Score);
