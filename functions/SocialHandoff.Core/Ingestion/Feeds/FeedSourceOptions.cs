using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Feeds;

/// <summary>RSS and Atom feeds (news, blogs, alert feeds). Off while <see cref="Feeds"/> is empty.</summary>
public sealed class FeedSourceOptions : SourceOptions
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

    internal override string Section => SectionName;

    /// <summary>A feed's Retry-After on a 429 is honoured within this; a feed asking for longer waits for the next run.</summary>
    internal override TimeSpan MaxRateLimitWaitBudget => TimeSpan.FromMinutes(5);
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

internal sealed class FeedSourceOptionsRules : SourceOptionsRules<FeedSourceOptions>
{
    protected override void Check(FeedSourceOptions options, List<string> errors)
    {
        for (var i = 0; i < options.Feeds.Count; i++)
        {
            RequireHttpUrl(options.Feeds[i].Url, $"{FeedSourceOptions.SectionName}:Feeds:{i}:Url", "", errors);
        }

        RequireDistinct(options.Feeds, f => f.Name, FeedSourceOptions.SectionName + ":Feeds", "feed", errors);
    }
}
