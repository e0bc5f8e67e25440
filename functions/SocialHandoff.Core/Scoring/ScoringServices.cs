using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SocialHandoff.Core.Scoring.Urgency;

namespace SocialHandoff.Core.Scoring;

public static class ScoringServices
{
    /// <summary>The scorer: sentiment and urgency, its weights the shipped defaults with any Scoring:Urgency overrides.</summary>
    public static IServiceCollection AddScoring(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var urgency = UrgencyOptions.CreateDefault();
            sp.GetService<IConfiguration>()?.GetSection(UrgencyOptions.SectionName).Bind(urgency);
            return new MentionScorer(urgency);
        });
        return services;
    }
}
