using System.Runtime.CompilerServices;
using System.Text.Json;
using SocialHandoff.Core.Scoring.Languages;

namespace SocialHandoff.Core.Scoring.Severity;

/// <summary>
/// How severe a mention is and the priority that follows: the P1 tiers (safety, health, legal,
/// security, data exposure, discrimination, threats, outages) by their terms in each language, then an
/// actionable complaint with unusual reach (P1) or without (P2), questions and requests (P3), praise
/// and the rest (P4). The defaults are <c>severity-defaults.json</c> (embedded); any value can be set
/// under <see cref="SectionName"/>, and routing rules can still override a mention's priority.
/// </summary>
public sealed class SeverityOptions
{
    public const string SectionName = "Scoring:Severity";

    private static readonly string[] Priorities = ["P1", "P2", "P3", "P4"];

    /// <summary>
    /// Term tiers by name (what rules match on, e.g. <c>Scoring:Severity:Tiers:outage:Priority</c>). The
    /// tier whose term in the mention (not negated) is longest decides; on a tie, the one listed first.
    /// Names ignore case (<c>Outage</c> sets the shipped <c>outage</c>, whose spelling results keep).
    /// </summary>
    public Dictionary<string, SeverityTier> Tiers { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>Negation words by language: a tier term with one of these up to <see cref="NegationWindow"/> words before it does not count ("no one was injured").</summary>
    public Dictionary<string, List<string>> Negations { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>Words before a term in which a negation cancels it. Default 3.</summary>
    public int NegationWindow { get; set; } = 3;

    /// <summary>Priority of an actionable complaint (urgency at or above the attention threshold). Default P2.</summary>
    public string ComplaintPriority { get; set; } = "P2";

    /// <summary>Priority of an actionable complaint with unusual reach or spread. Default P1.</summary>
    public string ReachPriority { get; set; } = "P1";

    /// <summary>An author with this many followers or more gives a complaint unusual reach. Default 50,000.</summary>
    public long ReachMinFollowers { get; set; } = 50_000;

    /// <summary>Likes plus twice the reposts at or above which a complaint is spreading. Default 300.</summary>
    public long ReachMinEngagement { get; set; } = 300;

    /// <summary>Priority of a question or request that is not a complaint. Default P3.</summary>
    public string RequestPriority { get; set; } = "P3";

    /// <summary>Priority of praise (including praise of a problem solved). Default P4.</summary>
    public string PraisePriority { get; set; } = "P4";

    /// <summary>The highest priority praise can get, even when it names a tier term ("thanks for the quick recall notice"). Default P3.</summary>
    public string PraiseMaxPriority { get; set; } = "P3";

    /// <summary>Priority of everything else (chatter, promotion, a language with no cue lists). Default P4.</summary>
    public string OtherPriority { get; set; } = "P4";

    /// <summary>Praise needs a compound at least this high where sentiment is judged. Default 0.3.</summary>
    public double PraiseMinCompound { get; set; } = 0.3;

    /// <summary>Thanks and approval by language, including a problem solved ("sorted", "resolved").</summary>
    public Dictionary<string, List<string>> PraiseTerms { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>Words that keep a mention from being praise: the problem is not over ("still", "again"), contrast ("but"), sarcasm ("thanks for nothing").</summary>
    public Dictionary<string, List<string>> UnresolvedTerms { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>
    /// Urgency cue groups (by name) that name a problem: a mention over the attention threshold is a
    /// complaint only with one of them or negative sentiment. Default: complaint-phrases, problem,
    /// negation, anger, access, habit, crisis, risk.
    /// </summary>
    public List<string> ComplaintEvidenceGroups { get; set; } = [];

    /// <summary>
    /// Urgency from which a statement (not a question) is a complaint without a cue of
    /// <see cref="ComplaintEvidenceGroups"/> or negative sentiment (word evidence alone). Default 50 (chosen on complaints-dev: 38, 50, 60, 70 and never kept 82.6, 81.4, 80.1, 78.2 and 75.9% of its complaints at P1-P2 and let 11.6, 10.2, 10.0, 9.8 and 9.7% of the rest in).
    /// </summary>
    public int ComplaintWithoutCueMinUrgency { get; set; } = 50;

    /// <summary>Promotion and spam markers by language ("dm me", "link in bio"): such a mention is P4 unless a P1 tier term is in it.</summary>
    public Dictionary<string, List<string>> PromotionTerms { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>Requests and questions by language (a question mark counts in any language).</summary>
    public Dictionary<string, List<string>> RequestTerms { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>The shipped defaults (a fresh copy each call).</summary>
    public static SeverityOptions CreateDefault()
    {
        using var json = ShippedDefaults.Open("severity-defaults.json");
        return ShippedDefaults.Read(json.RootElement, new SeverityOptions(), Set, "severity-defaults.json");
    }

    internal static bool Set(SeverityOptions options, string name, JsonElement value)
    {
        switch (name)
        {
            case nameof(Tiers): options.Tiers = ReadTiers(value); break;
            case nameof(Negations): options.Negations = ShippedDefaults.StringLists(value); break;
            case nameof(NegationWindow): options.NegationWindow = value.GetInt32(); break;
            case nameof(ComplaintPriority): options.ComplaintPriority = value.GetString()!; break;
            case nameof(ReachPriority): options.ReachPriority = value.GetString()!; break;
            case nameof(ReachMinFollowers): options.ReachMinFollowers = value.GetInt64(); break;
            case nameof(ReachMinEngagement): options.ReachMinEngagement = value.GetInt64(); break;
            case nameof(RequestPriority): options.RequestPriority = value.GetString()!; break;
            case nameof(PraisePriority): options.PraisePriority = value.GetString()!; break;
            case nameof(PraiseMaxPriority): options.PraiseMaxPriority = value.GetString()!; break;
            case nameof(OtherPriority): options.OtherPriority = value.GetString()!; break;
            case nameof(PraiseMinCompound): options.PraiseMinCompound = value.GetDouble(); break;
            case nameof(PraiseTerms): options.PraiseTerms = ShippedDefaults.StringLists(value); break;
            case nameof(UnresolvedTerms): options.UnresolvedTerms = ShippedDefaults.StringLists(value); break;
            case nameof(ComplaintEvidenceGroups): options.ComplaintEvidenceGroups = ShippedDefaults.Strings(value); break;
            case nameof(ComplaintWithoutCueMinUrgency): options.ComplaintWithoutCueMinUrgency = value.GetInt32(); break;
            case nameof(PromotionTerms): options.PromotionTerms = ShippedDefaults.StringLists(value); break;
            case nameof(RequestTerms): options.RequestTerms = ShippedDefaults.StringLists(value); break;
            default: return false;
        }

        return true;
    }

    private static Dictionary<string, SeverityTier> ReadTiers(JsonElement json) =>
        ShippedDefaults.Keyed(json, static (name, tier) => ShippedDefaults.Read(tier, new SeverityTier(), SeverityTier.Set, $"severity-defaults.json Tiers:{name}"));

    /// <summary>Every problem with these options, each naming the setting to fix; empty when valid.</summary>
    // Runs once at start-up: compiled without optimisation, as quick JIT would (it is off for loops in
    // `score`, so this loop-rich method was compiled fully optimised: about 6 KB of code, 13 ms of
    // `score`'s start-up CPU for both options' Validate).
    [MethodImpl(MethodImplOptions.NoOptimization)]
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, value) in new[]
        {
            (nameof(ComplaintPriority), ComplaintPriority), (nameof(ReachPriority), ReachPriority), (nameof(RequestPriority), RequestPriority),
            (nameof(PraisePriority), PraisePriority), (nameof(PraiseMaxPriority), PraiseMaxPriority), (nameof(OtherPriority), OtherPriority),
        })
        {
            if (!Priorities.Contains(value))
            {
                errors.Add($"{SectionName}:{name} must be P1, P2, P3 or P4 (was '{value}').");
            }
        }

        if (ComplaintWithoutCueMinUrgency is < 0 or > 101)
        {
            errors.Add($"{SectionName}:{nameof(ComplaintWithoutCueMinUrgency)} must be 0-101 (101: never without a cue; was {ComplaintWithoutCueMinUrgency}).");
        }

        if (NegationWindow is < 0 or > 10)
        {
            errors.Add($"{SectionName}:{nameof(NegationWindow)} must be 0-10 (was {NegationWindow}).");
        }

        if (ReachMinFollowers < 1 || ReachMinEngagement < 1)
        {
            errors.Add($"{SectionName}:{nameof(ReachMinFollowers)} and {nameof(ReachMinEngagement)} must be at least 1.");
        }

        if (!double.IsFinite(PraiseMinCompound) || PraiseMinCompound is < -1 or > 1)
        {
            errors.Add($"{SectionName}:{nameof(PraiseMinCompound)} must be between -1 and 1 (was {PraiseMinCompound}).");
        }

        foreach (var clash in ConfiguredNames.Clashes(Tiers))
        {
            errors.Add($"{SectionName}:{nameof(Tiers)} has {clash}: tier names ignore case, so these are one tier; keep one.");
        }

        foreach (var (name, tier) in Tiers)
        {
            var where = $"{SectionName}:{nameof(Tiers)}:{name}";
            if (string.IsNullOrWhiteSpace(tier.Label))
            {
                errors.Add($"{where}:Label is required.");
            }

            if (SeverityTier.Computed.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{where}: the name is one of the computed tiers ({string.Join(", ", SeverityTier.Computed)}); choose another.");
            }

            if (!Priorities.Contains(tier.Priority))
            {
                errors.Add($"{where}:Priority must be P1, P2, P3 or P4 (was '{tier.Priority}').");
            }

            if (tier.Terms.Count == 0)
            {
                errors.Add($"{where}:Terms must list words for at least one language.");
            }

            errors.AddRange(CheckLists($"{where}:Terms", tier.Terms));
        }

        errors.AddRange(CheckLists($"{SectionName}:{nameof(Negations)}", Negations));
        errors.AddRange(CheckLists($"{SectionName}:{nameof(PraiseTerms)}", PraiseTerms));
        errors.AddRange(CheckLists($"{SectionName}:{nameof(UnresolvedTerms)}", UnresolvedTerms));
        errors.AddRange(CheckLists($"{SectionName}:{nameof(RequestTerms)}", RequestTerms));
        errors.AddRange(CheckLists($"{SectionName}:{nameof(PromotionTerms)}", PromotionTerms));
        if (ComplaintEvidenceGroups.Count == 0 || ComplaintEvidenceGroups.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{SectionName}:{nameof(ComplaintEvidenceGroups)} must name at least one urgency cue group.");
        }
        return errors;
    }

    private static IEnumerable<string> CheckLists(string where, Dictionary<string, List<string>> lists)
    {
        foreach (var clash in ConfiguredNames.Clashes(lists))
        {
            yield return $"{where} has {clash}: language tags ignore case, so these are one language; keep one.";
        }

        foreach (var (language, terms) in lists)
        {
            if (MentionLanguage.Primary(language) != language.ToLowerInvariant())
            {
                yield return $"{where}:{language} must be keyed by a primary language tag such as \"es\".";
            }

            if (terms.Any(string.IsNullOrWhiteSpace))
            {
                yield return $"{where}:{language} has an empty entry.";
            }
        }
    }
}

/// <summary>A severity tier decided by terms (its name is its key in <see cref="SeverityOptions.Tiers"/>): how the reason reads, its priority and its terms by language.</summary>
public sealed class SeverityTier
{
    /// <summary>The tiers the classifier computes rather than reads from terms.</summary>
    public static readonly IReadOnlyList<string> Computed = ["complaint-with-reach", "complaint", "request", "praise", "promotion", "other"];

    public string Label { get; set; } = "";

    public string Priority { get; set; } = "P1";

    /// <summary>Words and phrases by primary language tag ("en", "es").</summary>
    public Dictionary<string, List<string>> Terms { get; set; } = new(ConfiguredNames.Comparer);

    internal static bool Set(SeverityTier tier, string name, JsonElement value)
    {
        switch (name)
        {
            case nameof(Label): tier.Label = value.GetString()!; break;
            case nameof(Priority): tier.Priority = value.GetString()!; break;
            case nameof(Terms): tier.Terms = ShippedDefaults.StringLists(value); break;
            default: return false;
        }

        return true;
    }
}
