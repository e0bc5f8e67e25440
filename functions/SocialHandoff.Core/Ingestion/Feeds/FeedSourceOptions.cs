using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Feeds;

/// <summary>RSS and Atom feeds (news, blogs, alert feeds). Off while <see cref="Feeds"/> is empty.</summary>
public sealed class FeedSourceOptions
{
    public const string SectionName = "Sources:Feeds";

    /// <summary>Each feed has its own watermark ("rss:&lt;name&gt;": its ETag, Last-Modified and the ids already taken).</summary>
    [ValidateEnumeratedItems]
    public List<FeedSettings> Feeds { get; set; } = [];

    /// <summary>
    /// How many item ids each feed remembers to skip what it already took. Default 500: more than any feed
    /// keeps, so an item that stays in the feed is never taken twice (the watermark stays under 20 KB).
    /// </summary>
    [Range(10, 2000)]
    public int SeenItemsKept { get; set; } = 500;

    /// <summary>How long one run may wait in all for a feed's Retry-After on a 429. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan RateLimitWaitBudget { get; set; } = TimeSpan.FromSeconds(30);

    [Required]
    [ValidateObjectMembers]
    public SourceResilienceOptions Resilience { get; set; } = new();
}

public sealed class FeedSettings
{
    /// <summary>Short name: the watermark key is "rss:&lt;name&gt;".</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Feed names are lowercase letters, digits and hyphens.")]
    public string Name { get; set; } = "";

    /// <summary>The feed's address (RSS 2.0 or Atom 1.0).</summary>
    [Required]
    public Uri? Url { get; set; }

    /// <summary>The brand the feed's items are about (routing rules match it); empty: none.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Brand names are lowercase letters, digits and hyphens.")]
    public string? Brand { get; set; }
}

[OptionsValidator]
internal sealed partial class FeedSourceOptionsValidator : IValidateOptions<FeedSourceOptions>
{
}

internal sealed class FeedSourceOptionsRules : IValidateOptions<FeedSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedSourceOptions options)
    {
        var errors = new List<string>();
        if (options.Resilience.Problem(FeedSourceOptions.SectionName) is { } problem)
        {
            errors.Add(problem);
        }

        for (var i = 0; i < options.Feeds.Count; i++)
        {
            if (options.Feeds[i].Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
            {
                errors.Add($"{FeedSourceOptions.SectionName}:Feeds:{i}:Url must be an absolute http(s) URL.");
            }
        }

        var duplicate = options.Feeds.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            errors.Add($"{FeedSourceOptions.SectionName}:Feeds names the feed '{duplicate.Key}' twice.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
