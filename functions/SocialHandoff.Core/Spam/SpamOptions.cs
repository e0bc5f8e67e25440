using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Spam;

/// <summary>
/// Thresholds of the spam filter (section <c>Spam</c>). A mention is filtered when its signals add up
/// to <see cref="Threshold"/> points, and never when it reads as a complaint. Validated at start-up.
/// </summary>
public sealed class SpamOptions
{
    public const string SectionName = "Spam";

    /// <summary>Off sends every mention to routing as before. Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Points that make a mention spam. Default 2: one signal alone (a single promo phrase, one link written out) is not enough.</summary>
    public int Threshold { get; set; } = 2;

    /// <summary>Links in one post that make a link farm (2 points). Default 3.</summary>
    public int LinkFarmLinks { get; set; } = 3;

    /// <summary>The same @handle this many times in one post (1 point). Default 3.</summary>
    public int RepeatedHandle { get; set; } = 3;

    /// <summary>Hashtags in one post that make a hashtag stuffing (1 point). Default 6.</summary>
    public int MaxHashtags { get; set; } = 6;

    /// <summary>An account younger than this many days is new (1 point; with repeated posts 2). Default 30.</summary>
    public int NewAccountDays { get; set; } = 30;

    /// <summary>Identical posts (same author, same text once links and numbers are set aside) that count as repetition. Default 3.</summary>
    public int IdenticalPosts { get; set; } = 3;

    /// <summary>When the source gives no account age, an author with fewer followers is watched for repetition instead. Default 50.</summary>
    public int LowReachFollowers { get; set; } = 50;

    /// <summary>
    /// Promotion phrases, matched as whole words, case-insensitively (1 point each, at most 2). Empty
    /// (the default) takes <see cref="SpamClassifier.DefaultPromoPhrases"/>; a list replaces them.
    /// </summary>
    public List<string> PromoPhrases { get; set; } = [];
}

internal sealed class SpamOptionsValidator : IValidateOptions<SpamOptions>
{
    public ValidateOptionsResult Validate(string? name, SpamOptions options)
    {
        var errors = new List<string>();
        void AtLeast(string setting, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{SpamOptions.SectionName}:{setting} must be {min}-{max} (got {value}).");
            }
        }

        AtLeast(nameof(options.Threshold), options.Threshold, 1, 10);
        AtLeast(nameof(options.LinkFarmLinks), options.LinkFarmLinks, 1, 100);
        AtLeast(nameof(options.RepeatedHandle), options.RepeatedHandle, 2, 100);
        AtLeast(nameof(options.MaxHashtags), options.MaxHashtags, 1, 100);
        AtLeast(nameof(options.NewAccountDays), options.NewAccountDays, 0, 3650);
        AtLeast(nameof(options.IdenticalPosts), options.IdenticalPosts, 2, 1000);
        AtLeast(nameof(options.LowReachFollowers), options.LowReachFollowers, 0, 1_000_000);
        for (var i = 0; i < options.PromoPhrases.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.PromoPhrases[i]) || options.PromoPhrases[i].Trim().Length > 100)
            {
                errors.Add($"{SpamOptions.SectionName}:{nameof(options.PromoPhrases)}:{i} must be a phrase of 1-100 characters.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
