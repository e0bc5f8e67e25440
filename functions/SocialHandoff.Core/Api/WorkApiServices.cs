using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Api;

public static class WorkApiServices
{
    /// <summary>The team work API (Api:*): who is calling, the agents' actions, the queues and SLA reports.</summary>
    public static IServiceCollection AddWorkApi(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.TryAddSingleton(AppServicePlatform.FromEnvironment());
        services.TryAddSingleton<HandoffWork>();
        services.TryAddSingleton<WorkQueries>();
        services.TryAddSingleton<QueueIndexUpgrade>();
        services.TryAddSingleton<SlaReports>();
        services.TryAddSingleton<WorkApi>();
        return services;
    }
}
