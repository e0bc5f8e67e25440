using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Assignment;

public static class AssignmentServices
{
    /// <summary>Auto-assignment (opt-in per team in the directory): the per-team lock and the assigner, on the work path agents' claims take.</summary>
    public static IServiceCollection AddAssignment(this IServiceCollection services)
    {
        services.TryAddSingleton<HandoffWork>();
        services.TryAddSingleton<WorkQueries>();
        services.TryAddSingleton<AssignmentLock>();
        services.TryAddSingleton<AutoAssignment>();
        return services;
    }
}
