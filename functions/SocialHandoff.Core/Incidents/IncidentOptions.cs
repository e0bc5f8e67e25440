using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Incidents;

/// <summary>How near-duplicate mentions are grouped into incidents, and when an incident's surge raises its priority.</summary>
public sealed class IncidentOptions
{
    public const string SectionName = "Incidents";

    /// <summary>Group near-duplicates at all. Default true; false hands every mention off alone, as before incidents.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The share of the longer text's words (normalised) that the other must have in the same order to
    /// join (0.3 to 1), with no word replaced by another. Default 0.6: a copy with a few words added or
    /// removed stays above it (two added to a ten-word complaint is 0.83); a quote with a comment added
    /// joins by containing the original.
    /// </summary>
    public double SimilarityThreshold { get; set; } = 0.6;

    /// <summary>How far apart in posting time a copy may be from an incident's first and last member (1 minute to 7 days). Default 24 hours: an echo runs its course in a day; the same words a week later are news again.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Shortest normalised text that is compared (8 to 500 characters). Default 20: "@brand help!!" or an
    /// emoji alone says too little to call two mentions the same complaint.
    /// </summary>
    public int MinTextChars { get; set; } = 20;

    /// <summary>
    /// The severity tiers that may open an incident (a copy of any tier joins one). Default every tier but
    /// "request", "praise" and "other" (comma-separated; empty lets every tier open one): an incident is one echoed problem; people asking the same
    /// question each wait for their own answer, and praise or chatter needs no grouping to be read.
    /// </summary>
    public string ExcludedTiers { get; set; } = "request,praise,other";

    /// <summary><see cref="ExcludedTiers"/> as a set.</summary>
    public IReadOnlySet<string> ExcludedTierSet() =>
        ExcludedTiers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Members listed on the incident (1 to 50; the count stays exact beyond it). Default 20: what an agent reads; each entry is at most about 620 characters of the row.</summary>
    public int MaxMembersListed { get; set; } = 20;

    /// <summary>Copies within <see cref="SurgeWindow"/> that make a surge (2 to 100). Default 10.</summary>
    public int SurgeCount { get; set; } = 10;

    /// <summary>
    /// How old an instance's memory of a brand's incidents may be before it reads the journal of opens
    /// again (0 to 1 minute; one range read per brand). Default 1 second: a mention that opens nothing
    /// (its tier, or nothing near enough) costs no look-up when memory is fresher than this; an incident
    /// another instance opened less than this ago may be missed by such a mention, as by one processed at
    /// the same moment. 0 reads the journal for every mention. Opens and joins are checked by the table
    /// whatever this is.
    /// </summary>
    public TimeSpan MemoryFreshness { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The posting-time span <see cref="SurgeCount"/> copies must fall within (1 minute to <see cref="Window"/>). Default 1 hour.</summary>
    public TimeSpan SurgeWindow { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class IncidentOptionsValidator : IValidateOptions<IncidentOptions>
{
    public ValidateOptionsResult Validate(string? name, IncidentOptions options)
    {
        var errors = new List<string>();
        const string S = IncidentOptions.SectionName;
        if (!(options.SimilarityThreshold >= 0.3 && options.SimilarityThreshold <= 1))
        {
            errors.Add($"{S}:SimilarityThreshold must be from 0.3 to 1 (got {options.SimilarityThreshold}).");
        }

        if (options.Window < TimeSpan.FromMinutes(1) || options.Window > TimeSpan.FromDays(7))
        {
            errors.Add($"{S}:Window must be from 00:01:00 to 7.00:00:00 (got {options.Window}).");
        }

        if (options.MinTextChars is < 8 or > 500)
        {
            errors.Add($"{S}:MinTextChars must be from 8 to 500 (got {options.MinTextChars}).");
        }

        if (options.MaxMembersListed is < 1 or > IncidentStore.MaxMembersListedLimit)
        {
            errors.Add($"{S}:MaxMembersListed must be from 1 to {IncidentStore.MaxMembersListedLimit} (got {options.MaxMembersListed}).");
        }

        if (options.SurgeCount is < 2 or > IncidentStore.MaxRecentPosted)
        {
            errors.Add($"{S}:SurgeCount must be from 2 to {IncidentStore.MaxRecentPosted} (got {options.SurgeCount}).");
        }

        if (options.SurgeWindow < TimeSpan.FromMinutes(1) || options.SurgeWindow > options.Window)
        {
            errors.Add($"{S}:SurgeWindow must be from 00:01:00 to {S}:Window ({options.Window}) (got {options.SurgeWindow}).");
        }

        if (options.MemoryFreshness < TimeSpan.Zero || options.MemoryFreshness > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{S}:MemoryFreshness must be from 00:00:00 to 00:01:00 (got {options.MemoryFreshness}).");
        }

        if (options.ExcludedTiers is null)
        {
            errors.Add($"{S}:ExcludedTiers must be a comma-separated list of severity tiers (empty for none).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
