using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion.X;

/// <summary>The X (Twitter) API v2 recent-search source. Off while <see cref="BearerToken"/> is empty.</summary>
public sealed class XSourceOptions
{
    public const string SectionName = "Sources:X";
    public const string BearerTokenSetting = SectionName + ":BearerToken";

    /// <summary>App-only bearer token. Keep it in Key Vault / user secrets, never in a committed file. Empty: the X source is off.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Default https://api.x.com/ (tests point it at a loopback server).</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.x.com/");

    /// <summary>One search per brand; each has its own since_id watermark ("x:&lt;name&gt;").</summary>
    [ValidateEnumeratedItems]
    public List<XBrandQuery> Brands { get; set; } = [];

    /// <summary>Tweets per page, 10 to 100 (the API's bounds). Default 100: fewest requests against the 450 per 15 minutes.</summary>
    [Range(10, 100)]
    public int MaxResults { get; set; } = 100;

    /// <summary>Pages per brand per run. Default 10 (1,000 tweets); beyond it the oldest of a first run are skipped, with a warning.</summary>
    [Range(1, 100)]
    public int MaxPagesPerRun { get; set; } = 10;

    /// <summary>
    /// Longest query X accepts on the app's access level, checked at start-up against every brand's query.
    /// Default 512, the self-serve (Basic) limit; raise it only on a plan that allows more (1,024 on
    /// the older enterprise/academic levels, 4,096 on Pro, the spec's maximum).
    /// </summary>
    [Range(1, 4096)]
    public int MaxQueryLength { get; set; } = 512;

    /// <summary>
    /// How long one brand's run may wait in all for X's rate limit to reset (429 with x-rate-limit-reset).
    /// A reset further away ends the run: what was fetched is enqueued, the watermark stays where it was,
    /// and the next run resumes. Default 60 s; at most 15 minutes, X's rate-limit window.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:15:00")]
    public TimeSpan RateLimitWaitBudget { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The pipeline every source's client has (strategies named x-total-timeout, x-retry, ...); X keeps its 4 retries by default.</summary>
    [Required]
    [ValidateObjectMembers]
    public SourceResilienceOptions Resilience { get; set; } = new() { MaxRetryAttempts = 4 };
}

public sealed class XBrandQuery
{
    /// <summary>Brand name: routing rules match it and the watermark key is "x:&lt;name&gt;".</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "Brand names are lowercase letters, digits and hyphens.")]
    public string Name { get; set; } = "";

    /// <summary>The search query, e.g. "(@contoso OR contoso) -is:retweet". At most Sources:X:MaxQueryLength characters [512].</summary>
    [Required]
    public string Query { get; set; } = "";
}

[OptionsValidator]
internal sealed partial class XSourceOptionsValidator : IValidateOptions<XSourceOptions>
{
}

internal sealed class XSourceOptionsRules : IValidateOptions<XSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, XSourceOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.BearerToken) && options.Brands.Count == 0)
        {
            return ValidateOptionsResult.Fail($"{XSourceOptions.BearerTokenSetting} is set but Sources:X:Brands is empty: add at least one brand query.");
        }

        if (options.Resilience.Problem(XSourceOptions.SectionName) is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }

        var duplicate = options.Brands.GroupBy(b => b.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            return ValidateOptionsResult.Fail($"Sources:X:Brands names the brand '{duplicate.Key}' twice.");
        }

        var errors = new List<string>();
        for (var i = 0; i < options.Brands.Count; i++)
        {
            var query = options.Brands[i].Query ?? "";
            if (query.Length > options.MaxQueryLength)
            {
                errors.Add($"Sources:X:Brands:{i}:Query is {query.Length} characters; X accepts at most Sources:X:MaxQueryLength ({options.MaxQueryLength}; 512 on self-serve access, raise it only on a plan that allows longer queries).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
