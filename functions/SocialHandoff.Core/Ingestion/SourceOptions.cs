using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Ingestion;

/// <summary>
/// What every API source's settings hold (Mastodon, Bluesky, Reddit, RSS/Atom feeds): the resilience
/// pipeline of its HttpClient and the run's allowance for waiting on the provider's rate limit.
/// Validated at start-up by <see cref="SourceOptionsRules{TOptions}"/>.
/// </summary>
public abstract class SourceOptions
{
    /// <summary>
    /// How long one run may wait in all for the provider's rate limit to reset (a 429 with a reset, or a
    /// page saying no calls are left); at most <see cref="MaxRateLimitWaitBudget"/>, the provider's window.
    /// Default 30 s (Reddit 60 s).
    /// </summary>
    public TimeSpan RateLimitWaitBudget { get; set; } = TimeSpan.FromSeconds(30);

    [Required]
    [ValidateObjectMembers]
    public SourceResilienceOptions Resilience { get; set; } = new();

    /// <summary>The configuration section ("Sources:Mastodon"), for messages that name a setting.</summary>
    internal abstract string Section { get; }

    /// <summary>The provider's rate-limit window: a longer wait never fits a run.</summary>
    internal abstract TimeSpan MaxRateLimitWaitBudget { get; }
}

/// <summary>An API source read page by page (<see cref="SourcePager"/>).</summary>
public abstract class PagedSourceOptions : SourceOptions
{
    /// <summary>Pages per search per run, 1 to 100. Default 10; what a run leaves follows next run (or, for a source paging backward, is skipped with a warning).</summary>
    [Range(1, 100)]
    public int MaxPagesPerRun { get; set; } = 10;
}

/// <summary>
/// The start-up rules the attributes cannot say, shared by the API sources (the resilience timeouts, the
/// wait budget within the provider's window), then the source's own (<see cref="Check"/>), with helpers
/// for the checks several sources make: an http(s) URL, a name given twice.
/// </summary>
internal abstract class SourceOptionsRules<TOptions> : IValidateOptions<TOptions>
    where TOptions : SourceOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Resilience?.Problem(options.Section) is { } problem)
        {
            errors.Add(problem);
        }

        if (options.RateLimitWaitBudget < TimeSpan.Zero || options.RateLimitWaitBudget > options.MaxRateLimitWaitBudget)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{options.Section}:RateLimitWaitBudget must be from 00:00:00 to {options.MaxRateLimitWaitBudget} (the provider's rate-limit window) (got {options.RateLimitWaitBudget})."));
        }

        Check(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The source's own rules: each problem added as a sentence naming the setting.</summary>
    protected abstract void Check(TOptions options, List<string> errors);

    protected static void RequireHttpUrl(Uri? url, string setting, string what, List<string> errors)
    {
        if (url is not null && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add($"{setting} must be an absolute http(s) URL{what}.");
        }
    }

    protected static void RequireDistinct<T>(IEnumerable<T> items, Func<T, string> key, string setting, string noun, List<string> errors)
    {
        if (items.GroupBy(key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            errors.Add($"{setting} names the {noun} '{duplicate.Key}' twice.");
        }
    }
}
