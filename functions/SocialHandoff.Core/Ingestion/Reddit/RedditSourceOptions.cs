using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Reddit;

/// <summary>Reddit: application-only OAuth (client_credentials) and search sorted by new. Off while <see cref="ClientId"/> is empty.</summary>
public sealed class RedditSourceOptions
{
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

    /// <summary>Pages per search per run. Default 10; paging runs forward from the watermark, so the rest follows next run.</summary>
    [Range(1, 100)]
    public int MaxPagesPerRun { get; set; } = 10;

    /// <summary>How long one run may wait in all for Reddit's rate limit to reset (429, or X-Ratelimit-Remaining below 1). Default 60 s; at most 10 minutes, Reddit's window.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RateLimitWaitBudget { get; set; } = TimeSpan.FromSeconds(60);

    [Required]
    [ValidateObjectMembers]
    public SourceResilienceOptions Resilience { get; set; } = new();
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

internal sealed class RedditSourceOptionsRules : IValidateOptions<RedditSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, RedditSourceOptions options)
    {
        var errors = new List<string>();
        if (options.Resilience.Problem(RedditSourceOptions.SectionName) is { } problem)
        {
            errors.Add(problem);
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
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

        var duplicate = options.Searches.GroupBy(s => s.Brand, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            errors.Add($"{RedditSourceOptions.SectionName}:Searches names the brand '{duplicate.Key}' twice.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
