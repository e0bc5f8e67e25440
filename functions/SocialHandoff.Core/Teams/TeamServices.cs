using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Teams;

public static class TeamServices
{
    /// <summary>The team directory (table Directory, seeded from Teams:*): which teams exist, who works each, and who is away.</summary>
    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        services.AddOptions<TeamsOptions>().Configure<IConfiguration>((options, configuration) => configuration.GetSection(TeamsOptions.SectionName).Bind(options.Teams)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TeamsOptions>, TeamsOptionsValidator>();
        services.TryAddSingleton<DirectoryStore>();
        services.TryAddSingleton<TeamDirectory>();
        return services;
    }
}
