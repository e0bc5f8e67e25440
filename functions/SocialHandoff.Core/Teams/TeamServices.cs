using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Teams;

public static class TeamServices
{
    /// <summary>The team directory (Teams:*): which teams exist and who works each.</summary>
    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        services.AddOptions<TeamsOptions>().Configure<IConfiguration>((options, configuration) => configuration.GetSection(TeamsOptions.SectionName).Bind(options.Teams)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TeamsOptions>, TeamsOptionsValidator>();
        services.TryAddSingleton<TeamDirectory>();
        return services;
    }
}
