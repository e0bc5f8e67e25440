using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Routing;

namespace SocialHandoff.Core.Policies;

public static class PolicyServices
{
    /// <summary>Routing rules and SLA policies as versioned data (Policies:*, the Routing seed), the router that applies them and the dry run.</summary>
    public static IServiceCollection AddPolicies(this IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>();
        services.TryAddSingleton<PolicyStore>();
        services.TryAddSingleton<PolicySeed>();
        services.TryAddSingleton<LivePolicies>();
        services.TryAddSingleton<RuleDryRun>();
        services.TryAddSingleton<SlaPreview>();
        services.TryAddSingleton<IRouter, RuleRouter>();
        return services;
    }
}
