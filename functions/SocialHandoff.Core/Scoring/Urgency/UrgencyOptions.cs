using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace SocialHandoff.Core.Scoring.Urgency;

/// <summary>
/// Weights of the urgency score. Points add up; urgency = 100 / (1 + e^(-points / PointsPerLogit)),
/// so ten points move the odds that a mention needs a person by a factor of e. The defaults live in
/// <c>urgency-defaults.json</c> (embedded) and were fitted on the shared complaints dev set, with
/// crisis, reach and engagement weights set by hand (that set has none of them). Any value can be
/// overridden in configuration under <see cref="SectionName"/>.
/// </summary>
public sealed class UrgencyOptions
{
    public const string SectionName = "Scoring:Urgency";

    /// <summary>Urgency at or above which a mention needs attention (counts as a complaint). Default 38.</summary>
    public int AttentionThreshold { get; set; }

    /// <summary>Starting points of every mention (the log-odds of "needs a person" with no signal at all).</summary>
    public double BasePoints { get; set; }

    /// <summary>Points that make one unit of log-odds. Default 10.</summary>
    public double PointsPerLogit { get; set; } = 10;

    /// <summary>The text names an @account: it is said to someone, usually the brand.</summary>
    public double AddressedToBrandPoints { get; set; }

    /// <summary>The text starts with an @handle (a reply in a thread rather than a new post).</summary>
    public double StartsWithHandlePoints { get; set; }

    /// <summary>A question mark in a text addressed to an account.</summary>
    public double QuestionToBrandPoints { get; set; }

    public double QuestionMarkPoints { get; set; }

    public double ExclamationPoints { get; set; }

    /// <summary>The text carries a link (shares, promotions and news more often than complaints).</summary>
    public double LinkPoints { get; set; }

    /// <summary>A number outside links and handles: order numbers, amounts, durations.</summary>
    public double NumberPoints { get; set; }

    public double HashtagPoints { get; set; }

    public int MaxHashtags { get; set; } = 3;

    /// <summary>Points per natural log of (1 + word count): longer mentions explain a problem.</summary>
    public double LengthPointsPerLogWords { get; set; }

    /// <summary>Points at compound -1, scaled linearly from 0.</summary>
    public double NegativeSentimentPoints { get; set; }

    /// <summary>Points at compound +1 (negative: praise lowers urgency).</summary>
    public double PositiveSentimentPoints { get; set; }

    /// <summary>Compound at or below which the reasons say "strongly negative". Default -0.5.</summary>
    public double StronglyNegativeCompound { get; set; } = -0.5;

    /// <summary>Followers below this add nothing. Default 1,000.</summary>
    public long FollowersFloor { get; set; } = 1000;

    /// <summary>Points per tenfold followers above the floor.</summary>
    public double ReachPointsPerDecade { get; set; }

    public double MaxReachPoints { get; set; }

    public double VerifiedPoints { get; set; }

    /// <summary>Likes plus reposts (reposts count double) below this add nothing. Default 10.</summary>
    public long EngagementFloor { get; set; } = 10;

    public double EngagementPointsPerDecade { get; set; }

    public double MaxEngagementPoints { get; set; }

    /// <summary>
    /// The text names an @account whose handle contains one of <see cref="CareHandleTerms"/>
    /// (@AcmeHelp, @acme_support): it is sent to a customer-care desk, on top of <see cref="AddressedToBrandPoints"/>.
    /// </summary>
    public double CareHandlePoints { get; set; }

    /// <summary>Fragments of a customer-care account's handle, matched anywhere in the handle, case-insensitive.</summary>
    public List<string> CareHandleTerms { get; set; } = [];

    /// <summary>Word and phrase cues, each group with its own points per match; configuration names a group by index or name (see <see cref="Bind"/>).</summary>
    public List<CueGroup> CueGroups { get; set; } = [];

    /// <summary>
    /// Points per unit of <see cref="WordEvidence"/>, summed over a mention's distinct words. 0 turns the
    /// learned word evidence off and leaves the named cue groups alone.
    /// </summary>
    public double WordEvidencePoints { get; set; }

    /// <summary>
    /// How much more often a word appears in complaints than in other mentions (natural log of the ratio,
    /// lower-case words). The defaults are <c>urgency-word-evidence.tsv</c> (embedded), learned from the
    /// complaints dev set; configuration can change or add a word (<c>Scoring:Urgency:WordEvidence:refund</c>;
    /// case ignored, as words are matched).
    /// </summary>
    public Dictionary<string, double> WordEvidence { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>The shipped defaults (a fresh copy each call).</summary>
    public static UrgencyOptions CreateDefault()
    {
        using var json = ShippedDefaults.Open("urgency-defaults.json");
        var options = ShippedDefaults.Read(json.RootElement, new UrgencyOptions(), Set, "urgency-defaults.json");
        using var evidence = new StreamReader(ShippedDefaults.OpenResource("urgency-word-evidence.tsv"));
        options.WordEvidence = ReadWordEvidence(evidence);
        return options;
    }

    /// <summary>
    /// Sets what <paramref name="section"/> (<see cref="SectionName"/>) names. A cue group is named by
    /// its index or its <see cref="CueGroup.Name"/>, case ignored (<c>CueGroups:0:PointsPerMatch</c>,
    /// <c>CueGroups:Crisis:PointsPerMatch</c>): that group changes; any other key adds a group (named
    /// by the key unless it sets a Name). An item that sets a Name is the group of that name wherever it sits (a
    /// list item named anew adds a group: an index never renames a group). The binder alone fills a list by appending, so
    /// <c>CueGroups:0:...</c> made a new group without a name instead of changing the first, and a
    /// value it could not convert there was dropped without a word.
    /// </summary>
    public void Bind(IConfiguration section)
    {
        var groups = CueGroups;
        CueGroups = [];
        section.Bind(this);
        CueGroups = groups;
        var given = groups.Count;
        foreach (var child in section.GetSection(nameof(CueGroups)).GetChildren())
        {
            // An item that names itself is that group wherever it sits: a list in appsettings.json
            // ("CueGroups": [ { "Name": "outrage", ... } ]) adds its groups, it does not rename the shipped first ones.
            var numbered = int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index);
            var name = child[nameof(CueGroup.Name)];
            var group = numbered && index < given && (name is null || ConfiguredNames.Comparer.Equals(name, groups[index].Name))
                ? groups[index]
                : groups.FirstOrDefault(g => ConfiguredNames.Comparer.Equals(g.Name, name ?? (numbered ? null : child.Key)));
            if (group is null)
            {
                group = new CueGroup { Name = numbered ? "" : child.Key };
                groups.Add(group);
            }

            // A group named in another case keeps the spelling it had (reasons and errors show the shipped name).
            var spelling = group.Name;
            child.Bind(group);
            if (spelling.Length > 0 && ConfiguredNames.Comparer.Equals(group.Name, spelling))
            {
                group.Name = spelling;
            }
        }
    }

    internal static bool Set(UrgencyOptions options, string name, JsonElement value)
    {
        switch (name)
        {
            case nameof(AttentionThreshold): options.AttentionThreshold = value.GetInt32(); break;
            case nameof(BasePoints): options.BasePoints = value.GetDouble(); break;
            case nameof(PointsPerLogit): options.PointsPerLogit = value.GetDouble(); break;
            case nameof(AddressedToBrandPoints): options.AddressedToBrandPoints = value.GetDouble(); break;
            case nameof(StartsWithHandlePoints): options.StartsWithHandlePoints = value.GetDouble(); break;
            case nameof(QuestionToBrandPoints): options.QuestionToBrandPoints = value.GetDouble(); break;
            case nameof(QuestionMarkPoints): options.QuestionMarkPoints = value.GetDouble(); break;
            case nameof(ExclamationPoints): options.ExclamationPoints = value.GetDouble(); break;
            case nameof(LinkPoints): options.LinkPoints = value.GetDouble(); break;
            case nameof(NumberPoints): options.NumberPoints = value.GetDouble(); break;
            case nameof(HashtagPoints): options.HashtagPoints = value.GetDouble(); break;
            case nameof(MaxHashtags): options.MaxHashtags = value.GetInt32(); break;
            case nameof(LengthPointsPerLogWords): options.LengthPointsPerLogWords = value.GetDouble(); break;
            case nameof(NegativeSentimentPoints): options.NegativeSentimentPoints = value.GetDouble(); break;
            case nameof(PositiveSentimentPoints): options.PositiveSentimentPoints = value.GetDouble(); break;
            case nameof(StronglyNegativeCompound): options.StronglyNegativeCompound = value.GetDouble(); break;
            case nameof(FollowersFloor): options.FollowersFloor = value.GetInt64(); break;
            case nameof(ReachPointsPerDecade): options.ReachPointsPerDecade = value.GetDouble(); break;
            case nameof(MaxReachPoints): options.MaxReachPoints = value.GetDouble(); break;
            case nameof(VerifiedPoints): options.VerifiedPoints = value.GetDouble(); break;
            case nameof(EngagementFloor): options.EngagementFloor = value.GetInt64(); break;
            case nameof(EngagementPointsPerDecade): options.EngagementPointsPerDecade = value.GetDouble(); break;
            case nameof(MaxEngagementPoints): options.MaxEngagementPoints = value.GetDouble(); break;
            case nameof(CareHandlePoints): options.CareHandlePoints = value.GetDouble(); break;
            case nameof(CareHandleTerms): options.CareHandleTerms = ShippedDefaults.Strings(value); break;
            case nameof(CueGroups): options.CueGroups = ReadCueGroups(value); break;
            case nameof(WordEvidencePoints): options.WordEvidencePoints = value.GetDouble(); break;
            default: return false;
        }

        return true;
    }

    private static List<CueGroup> ReadCueGroups(JsonElement array)
    {
        var groups = new List<CueGroup>(array.GetArrayLength());
        foreach (var group in array.EnumerateArray())
        {
            groups.Add(ShippedDefaults.Read(group, new CueGroup(), CueGroup.Set, "urgency-defaults.json CueGroups"));
        }

        return groups;
    }

    /// <summary>Reads "word TAB value" lines; lines starting with '#' are comments.</summary>
    private static Dictionary<string, double> ReadWordEvidence(TextReader reader)
    {
        var evidence = new Dictionary<string, double>(ConfiguredNames.Comparer);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var tab = line.IndexOf('\t');
            evidence[line[..tab]] = double.Parse(line.AsSpan(tab + 1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return evidence;
    }

    /// <summary>Every problem with these options, each naming the setting to fix; empty when valid.</summary>
    // Runs once at start-up: compiled without optimisation, as quick JIT would (it is off for loops in
    // `score`, so this loop-rich method was compiled fully optimised: about 6 KB of code, 13 ms of
    // `score`'s start-up CPU for both options' Validate).
    [MethodImpl(MethodImplOptions.NoOptimization)]
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (AttentionThreshold is < 0 or > 100)
        {
            errors.Add($"{SectionName}:{nameof(AttentionThreshold)} must be between 0 and 100 (was {AttentionThreshold}).");
        }

        if (!(PointsPerLogit > 0))
        {
            errors.Add($"{SectionName}:{nameof(PointsPerLogit)} must be greater than 0 (was {PointsPerLogit}).");
        }

        if (FollowersFloor < 1 || EngagementFloor < 1)
        {
            errors.Add($"{SectionName}:{nameof(FollowersFloor)} and {nameof(EngagementFloor)} must be at least 1.");
        }

        if (CareHandleTerms.Any(string.IsNullOrWhiteSpace) || CareHandleTerms.Any(t => t.Trim().StartsWith('@')))
        {
            errors.Add($"{SectionName}:{nameof(CareHandleTerms)} must list non-empty handle fragments without '@'.");
        }

        if (!double.IsFinite(WordEvidencePoints))
        {
            errors.Add($"{SectionName}:{nameof(WordEvidencePoints)} must be a finite number (was {WordEvidencePoints}).");
        }

        foreach (var clash in ConfiguredNames.Clashes(WordEvidence))
        {
            errors.Add($"{SectionName}:{nameof(WordEvidence)} has {clash}: words are matched ignoring case, so these are one word; keep one.");
        }

        foreach (var clash in ConfiguredNames.Clashes(CueGroups.Select(g => g.Name).Where(n => !string.IsNullOrWhiteSpace(n))))
        {
            errors.Add($"{SectionName}:{nameof(CueGroups)} has {clash}: cue group names ignore case (as Scoring:Severity:ComplaintEvidenceGroups names them); give each group its own name.");
        }

        foreach (var (word, value) in WordEvidence)
        {
            if (string.IsNullOrWhiteSpace(word) || word.Any(char.IsWhiteSpace) || !double.IsFinite(value))
            {
                errors.Add($"{SectionName}:{nameof(WordEvidence)}:'{word}' must be one word (no spaces) with a finite value (was {value}).");
            }
        }

        for (var i = 0; i < CueGroups.Count; i++)
        {
            var group = CueGroups[i];
            var where = $"{SectionName}:{nameof(CueGroups)}:{i} ('{group.Name}')";
            if (string.IsNullOrWhiteSpace(group.Name) || string.IsNullOrWhiteSpace(group.Signal) || string.IsNullOrWhiteSpace(group.Label))
            {
                errors.Add($"{where} needs a Name, a Signal and a Label.");
            }

            if (group.MaxMatches < 1)
            {
                errors.Add($"{where}:MaxMatches must be at least 1 (was {group.MaxMatches}).");
            }

            if (group.Terms.Count == 0 || group.Terms.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{where}:Terms must list at least one non-empty word or phrase.");
            }

            foreach (var clash in ConfiguredNames.Clashes(group.TermsByLanguage))
            {
                errors.Add($"{where}:TermsByLanguage has {clash}: language tags ignore case, so these are one language; keep one.");
            }

            foreach (var (language, terms) in group.TermsByLanguage)
            {
                if (Languages.MentionLanguage.Primary(language) != language.ToLowerInvariant() || terms.Any(string.IsNullOrWhiteSpace))
                {
                    errors.Add($"{where}:TermsByLanguage:{language} must be keyed by a primary language tag (\"es\") and list non-empty words or phrases.");
                }
            }
        }

        return errors;
    }
}

/// <summary>A list of words or phrases (whole words, case-insensitive) that signal the same thing.</summary>
public sealed class CueGroup
{
    public string Name { get; set; } = "";

    /// <summary>What kind of signal the group is: complaint, request, question, crisis, praise, context.</summary>
    public string Signal { get; set; } = "";

    /// <summary>How the reason reads: "{Label}: 'term'".</summary>
    public string Label { get; set; } = "";

    public double PointsPerMatch { get; set; }

    /// <summary>Matches beyond this many add nothing more. Default 3.</summary>
    public int MaxMatches { get; set; } = 3;

    /// <summary>English words and phrases.</summary>
    public List<string> Terms { get; set; } = [];

    /// <summary>
    /// The group's words in other languages, by primary language tag ("es", "pt", "fr", "de"), written
    /// for the project (not translations of <see cref="Terms"/> word for word). Matched with accents folded.
    /// </summary>
    public Dictionary<string, List<string>> TermsByLanguage { get; set; } = new(ConfiguredNames.Comparer);

    /// <summary>
    /// False for groups of function words (pronouns, auxiliaries, negation): they count in the score
    /// but say nothing an agent can act on, so their points join "base and minor signals". Default true.
    /// </summary>
    public bool Shown { get; set; } = true;

    internal static bool Set(CueGroup group, string name, JsonElement value)
    {
        switch (name)
        {
            case nameof(Name): group.Name = value.GetString()!; break;
            case nameof(Signal): group.Signal = value.GetString()!; break;
            case nameof(Label): group.Label = value.GetString()!; break;
            case nameof(PointsPerMatch): group.PointsPerMatch = value.GetDouble(); break;
            case nameof(MaxMatches): group.MaxMatches = value.GetInt32(); break;
            case nameof(Terms): group.Terms = ShippedDefaults.Strings(value); break;
            case nameof(TermsByLanguage): group.TermsByLanguage = ShippedDefaults.StringLists(value); break;
            case nameof(Shown): group.Shown = value.GetBoolean(); break;
            default: return false;
        }

        return true;
    }
}
