using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Mastodon;

/// <summary>Mastodon: status search and public hashtag timelines on one or more instances. Off while <see cref="Instances"/> is empty.</summary>
public sealed class MastodonSourceOptions : PagedSourceOptions
{
    public const string SectionName = "Sources:Mastodon";

    /// <summary>Each instance is polled on its own; every search and every tag has its own min_id watermark.</summary>
    [ValidateEnumeratedItems]
    public List<MastodonInstance> Instances { get; set; } = [];

    /// <summary>Statuses per page, 1 to 40 (the API's maximum). Default 40: fewest requests against 300 per 5 minutes.</summary>
    [Range(1, 40)]
    public int Limit { get; set; } = 40;

    internal override string Section => SectionName;

    /// <summary>Mastodon's rate-limit window: 300 calls per 5 minutes.</summary>
    internal override TimeSpan MaxRateLimitWaitBudget => TimeSpan.FromMinutes(5);

    internal static string AccessTokenSetting(int index) => $"{SectionName}:Instances:{index}:AccessToken";
}

public sealed class MastodonInstance
{
    /// <summary>Short name of the instance: part of the watermark keys ("mastodon:&lt;name&gt;:search", "mastodon:&lt;name&gt;:tag:&lt;tag&gt;").</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Instance names are lowercase letters, digits and hyphens.")]
    public string Name { get; set; } = "";

    /// <summary>The instance, e.g. https://mastodon.social/.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>A user access token with the read:search scope (Key Vault in Azure). Required for <see cref="Query"/>: Mastodon searches statuses only for a signed-in user.</summary>
    public string? AccessToken { get; set; }

    /// <summary>The brand the mentions are for (routing rules match it).</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Brand names are lowercase letters, digits and hyphens.")]
    public string Brand { get; set; } = "";

    /// <summary>Status search text (/api/v2/search?type=statuses). Empty: no search on this instance.</summary>
    public string? Query { get; set; }

    /// <summary>Hashtags (without '#') whose public timelines are read (/api/v1/timelines/tag/{tag}).</summary>
    public List<string> Tags { get; set; } = [];
}

[OptionsValidator]
internal sealed partial class MastodonSourceOptionsValidator : IValidateOptions<MastodonSourceOptions>
{
}

internal sealed class MastodonSourceOptionsRules : SourceOptionsRules<MastodonSourceOptions>
{
    protected override void Check(MastodonSourceOptions options, List<string> errors)
    {
        for (var i = 0; i < options.Instances.Count; i++)
        {
            var instance = options.Instances[i];
            var at = $"{MastodonSourceOptions.SectionName}:Instances:{i}";
            RequireHttpUrl(instance.BaseUrl, at + ":BaseUrl", " of the instance", errors);
            if (string.IsNullOrWhiteSpace(instance.Query) && instance.Tags.Count == 0)
            {
                errors.Add($"{at} has neither a Query nor Tags: give it a status search, hashtags, or both.");
            }

            if (!string.IsNullOrWhiteSpace(instance.Query) && string.IsNullOrWhiteSpace(instance.AccessToken))
            {
                errors.Add($"{at}:Query is set but {MastodonSourceOptions.AccessTokenSetting(i)} is empty: Mastodon searches statuses only with a user access token (scope read:search).");
            }

            foreach (var tag in instance.Tags.Where(t => !System.Text.RegularExpressions.Regex.IsMatch(t ?? "", @"^[\p{L}\p{N}_]{1,100}$")))
            {
                errors.Add($"{at}:Tags has '{tag}': a hashtag is letters, digits and underscores, without '#'.");
            }
        }

        RequireDistinct(options.Instances, x => x.Name, MastodonSourceOptions.SectionName + ":Instances", "instance", errors);
    }
}
