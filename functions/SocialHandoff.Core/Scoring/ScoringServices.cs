using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Scoring.Severity;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Scoring;

public static class ScoringServices
{
    /// <summary>
    /// The scorer with the shipped urgency and severity defaults, overridden under Scoring:Urgency and
    /// Scoring:Severity; both are validated at start-up, each error naming its setting.
    /// </summary>
    public static IServiceCollection AddScoring(this IServiceCollection services)
    {
        services.AddOptions<UrgencyOptions>().Configure(CopyDefaults)
            .Configure<IConfiguration>((options, configuration) => options.Bind(configuration.GetSection(UrgencyOptions.SectionName))).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UrgencyOptions>>(new Rules<UrgencyOptions>(o => o.Validate()));
        services.AddOptions<SeverityOptions>().Configure(CopyDefaults).BindConfiguration(SeverityOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SeverityOptions>>(new Rules<SeverityOptions>(o => o.Validate()));
        services.TryAddSingleton(sp => new MentionScorer(
            sp.GetRequiredService<IOptions<UrgencyOptions>>().Value, sp.GetRequiredService<IOptions<SeverityOptions>>().Value));
        return services;
    }

    // Options start as the embedded defaults; configuration then changes what it names.
    private static void CopyDefaults(UrgencyOptions options) => Copy(UrgencyOptions.CreateDefault(), options);

    private static void CopyDefaults(SeverityOptions options) => Copy(SeverityOptions.CreateDefault(), options);

    private static void Copy<T>(T from, T to)
    {
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
        {
            property.SetValue(to, property.GetValue(from));
        }
    }

    private sealed class Rules<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = validate(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
