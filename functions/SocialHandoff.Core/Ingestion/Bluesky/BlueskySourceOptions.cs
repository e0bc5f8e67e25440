using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.Bluesky;

/// <summary>Bluesky: app.bsky.feed.searchPosts on a configurable host. Off while <see cref="Searches"/> is empty.</summary>
public sealed class BlueskySourceOptions : PagedSourceOptions
{
    public const string SectionName = "Sources:Bluesky";
    public const string IdentifierSetting = SectionName + ":Identifier";
    public const string AppPasswordSetting = SectionName + ":AppPassword";

    /// <summary>
    /// The XRPC host. Default https://api.bsky.app/ (the public AppView, no session). With an app password,
    /// point it at the account's PDS (e.g. https://bsky.social/), which proxies searchPosts with the session.
    /// </summary>
    [Required]
    public Uri Host { get; set; } = new("https://api.bsky.app/");

    /// <summary>Handle or DID of the account for com.atproto.server.createSession; used only with <see cref="AppPassword"/>.</summary>
    public string? Identifier { get; set; }

    /// <summary>An app password (Settings, App passwords; Key Vault in Azure), never the account password. Empty: no session.</summary>
    public string? AppPassword { get; set; }

    /// <summary>One search per brand; each has its own watermark ("bluesky:&lt;brand&gt;").</summary>
    [ValidateEnumeratedItems]
    public List<BlueskySearch> Searches { get; set; } = [];

    /// <summary>Posts per page, 1 to 100 (the API's bounds). Default 100.</summary>
    [Range(1, 100)]
    public int Limit { get; set; } = 100;

    internal override string Section => SectionName;

    /// <summary>The AppView's limits are per 5 minutes; waiting longer never fits a run.</summary>
    internal override TimeSpan MaxRateLimitWaitBudget => TimeSpan.FromMinutes(5);
}

public sealed class BlueskySearch
{
    /// <summary>Brand name: routing rules match it and the watermark key is "bluesky:&lt;brand&gt;".</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Brand names are lowercase letters, digits and hyphens.")]
    public string Brand { get; set; } = "";

    /// <summary>The search query (Lucene-like syntax), e.g. "contoso".</summary>
    [Required]
    [StringLength(1000, MinimumLength = 1)]
    public string Query { get; set; } = "";

    /// <summary>Only posts in this language (ISO 639-1, e.g. "en"); empty: every language.</summary>
    [RegularExpression("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", ErrorMessage = "Lang is a language code such as 'en' or 'pt-BR'.")]
    public string? Lang { get; set; }
}

[OptionsValidator]
internal sealed partial class BlueskySourceOptionsValidator : IValidateOptions<BlueskySourceOptions>
{
}

internal sealed class BlueskySourceOptionsRules : SourceOptionsRules<BlueskySourceOptions>
{
    protected override void Check(BlueskySourceOptions options, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(options.AppPassword) && string.IsNullOrWhiteSpace(options.Identifier))
        {
            errors.Add($"{BlueskySourceOptions.AppPasswordSetting} is set but {BlueskySourceOptions.IdentifierSetting} is empty: give the account's handle or DID.");
        }

        RequireHttpUrl(options.Host, BlueskySourceOptions.SectionName + ":Host", "", errors);
        RequireDistinct(options.Searches, s => s.Brand, BlueskySourceOptions.SectionName + ":Searches", "brand", errors);
    }
}
