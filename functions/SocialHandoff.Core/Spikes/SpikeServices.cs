using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Spikes;

public static class SpikeServices
{
    /// <summary>Volume counting and the spike detector (Spikes:*, validated at start-up).</summary>
    public static IServiceCollection AddSpikes(this IServiceCollection services)
    {
        services.AddOptions<SpikeOptions>().BindConfiguration(SpikeOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SpikeOptions>, SpikeOptionsValidator>();
        services.TryAddSingleton<VolumeLog>();
        services.TryAddSingleton<SpikeSweepStage>();
        return services;
    }
}
