using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Incidents;

public static class IncidentServices
{
    /// <summary>Near-duplicate grouping (Incidents:*): the table, the grouping the ProcessMention stage calls, and the API's reads.</summary>
    public static IServiceCollection AddIncidents(this IServiceCollection services)
    {
        services.AddOptions<IncidentOptions>().BindConfiguration(IncidentOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IncidentOptions>, IncidentOptionsValidator>();
        services.TryAddSingleton<IncidentStore>();
        services.TryAddSingleton<IncidentCache>();
        services.TryAddSingleton<IncidentGrouping>();
        return services;
    }
}
