using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Incidents;

public static class IncidentServices
{
    /// <summary>Near-duplicate grouping (Incidents:*): the table, the grouping the ProcessMention stage calls, the hand-over when a leader ends without a handoff, and the API's reads.</summary>
    public static IServiceCollection AddIncidents(this IServiceCollection services)
    {
        services.AddOptions<IncidentOptions>().BindConfiguration(IncidentOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IncidentOptions>, IncidentOptionsValidator>();
        services.TryAddSingleton<IncidentStore>();
        services.TryAddSingleton<IncidentCache>();
        services.TryAddSingleton<IncidentGrouping>();
        services.TryAddSingleton<IncidentHandover>();
        return services;
    }
}
