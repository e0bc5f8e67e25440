using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Reddit;

/// <summary>Reddit: application-only OAuth (client_credentials) and search sorted by new. Off while <see cref="ClientId"/> is empty.</summary>
public sealed class RedditSourceOptions : PagedSourceOptions
{
    public RedditSourceOptions() => RateLimitWaitBudget = TimeSpan.FromSeconds(60);

    public const string SectionName = "Sources:Reddit";
    public const string ClientIdSetting = SectionName + ":ClientId";
    public const string ClientSecretSetting = SectionName + ":ClientSecret";

    /// <summary>The app's client id (a "script" or "web app" at reddit.com/prefs/apps). Empty: the Reddit source is off.</summary>
    public string? ClientId { get; set; }

    /// <summary>The app's secret (Key Vault in Azure).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Reddit asks every client for a unique, descriptive User-Agent, e.g. "azure:socialhandoff:1.0 (by /u/yourname)"; generic ones are throttled.</summary>
    public string? UserAgent { get; set; }

    /// <summary>Default https://www.reddit.com/api/v1/access_token.</summary>
    [Required]
    public Uri TokenUrl { get; set; } = new("https://www.reddit.com/api/v1/access_token");

    /// <summary>Default https://oauth.reddit.com/ (OAuth calls go there, not to www).</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://oauth.reddit.com/");

    /// <summary>One search per brand; each has its own watermark ("reddit:&lt;brand&gt;").</summary>
    [ValidateEnumeratedItems]
    public List<RedditSearch> Searches { get; set; } = [];

    /// <summary>Posts per page, 1 to 100 (the API's maximum). Default 100.</summary>
    [Range(1, 100)]
    public int Limit { get; set; } = 100;

    internal override string Section => SectionName;

    /// <summary>Reddit's window: 100 queries a minute, averaged over 10 minutes.</summary>
    internal override TimeSpan MaxRateLimitWaitBudget => TimeSpan.FromMinutes(10);
}

public sealed class RedditSearch
{
    /// <summary>Brand name: routing rules match it and the watermark key is "reddit:&lt;brand&gt;".</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Brand names are lowercase letters, digits and hyphens.")]
    public string Brand { get; set; } = "";

    /// <summary>The search query, at most 512 characters (Reddit's limit).</summary>
    [Required]
    [StringLength(512, MinimumLength = 1)]
    public string Query { get; set; } = "";

    /// <summary>Search only this subreddit (without "r/"); empty: all of Reddit.</summary>
    [RegularExpression("^[A-Za-z0-9_]{2,21}$", ErrorMessage = "Subreddit is the name without 'r/': letters, digits and underscores.")]
    public string? Subreddit { get; set; }
}

[OptionsValidator]
internal sealed partial class RedditSourceOptionsValidator : IValidateOptions<RedditSourceOptions>
{
}

internal sealed class RedditSourceOptionsRules : SourceOptionsRules<RedditSourceOptions>
{
    protected override void Check(RedditSourceOptions options, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            errors.Add($"{RedditSourceOptions.ClientIdSetting} is set but {RedditSourceOptions.ClientSecretSetting} is empty: application-only OAuth needs the app's secret.");
        }

        if (string.IsNullOrWhiteSpace(options.UserAgent))
        {
            errors.Add($"{RedditSourceOptions.ClientIdSetting} is set but {RedditSourceOptions.SectionName}:UserAgent is empty: Reddit requires a unique User-Agent such as 'azure:socialhandoff:1.0 (by /u/yourname)'.");
        }

        if (options.Searches.Count == 0)
        {
            errors.Add($"{RedditSourceOptions.ClientIdSetting} is set but {RedditSourceOptions.SectionName}:Searches is empty: add at least one brand query.");
        }

        RequireDistinct(options.Searches, s => s.Brand, RedditSourceOptions.SectionName + ":Searches", "brand", errors);
    }
}
