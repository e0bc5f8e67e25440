using Azure.Data.Tables;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Policies;

/// <summary>
/// Applies a proposed rule set to the most recent processed mentions (their stored bodies in the
/// Mentions ledger, scored again) and reports what would move where, against the current rules.
/// Nothing is written. A manager's action, so a filtered scan of recent rows is acceptable.
/// </summary>
public sealed class RuleDryRun(StorageClients clients, LivePolicies policies, MentionScorer scorer, TimeProvider timeProvider)
{
    /// <summary>How far back the dry run looks. Default 7 days.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Validates the proposal first: an invalid one throws <see cref="RuleSetInvalidException"/> with every error.</summary>
    public async Task<DryRunReport> RunAsync(RuleSet proposed, int lastN, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lastN, 1);
        var candidate = RuleEngine.Compile(proposed);
        var current = await policies.GetRulesAsync(cancellationToken).ConfigureAwait(false);
        var table = await clients.GetTableAsync(StorageNames.MentionsTable, cancellationToken).ConfigureAwait(false);
        var since = timeProvider.GetUtcNow() - Window;
        var recent = new List<(DateTimeOffset At, MentionMessage Mention)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ReceivedAt ge {since}"), select: ["ReceivedAt", "Body"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (MentionJson.TryParse(row.GetString("Body"), out var mention, out _))
            {
                recent.Add((row.GetDateTimeOffset("ReceivedAt") ?? since, mention));
            }
        }

        var chosen = recent
            .OrderByDescending(r => r.At)
            .Take(lastN)
            .Select(r => (r.Mention, scorer.Score(new ScoringInput(
                r.Mention.Text, r.Mention.Language, r.Mention.Author.Followers, r.Mention.Author.Verified, r.Mention.Metrics.Likes, r.Mention.Metrics.Reposts))));
        return RuleEngine.DryRun(current, candidate, chosen);
    }
}
