using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.Assignment;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Spam;
using SocialHandoff.Core.Spikes;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Everything the stages and the API need, shared by the Functions app and the local runner, composed
    /// feature by feature; each feature's wiring lives beside it. Settings are bound from configuration
    /// and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddSocialHandoff(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        return services
            .AddStorage()
            .AddIngestion()
            .AddScoring()
            .AddPolicies()
            .AddTeams()
            .AddProcessing()
            .AddIncidents()
            .AddSpam()
            .AddSpikes()
            .AddSla()
            .AddWorkApi()
            .AddAssignment();
    }

    /// <summary>The configured sources (see <see cref="IngestionServices.CreateSources"/>).</summary>
    public static IReadOnlyList<IMentionSource> CreateSources(IServiceProvider services) => IngestionServices.CreateSources(services);
}
