using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Spam;

public static class SpamServices
{
    /// <summary>The spam filter (Spam:*, validated at start-up) and the filtered view.</summary>
    public static IServiceCollection AddSpam(this IServiceCollection services)
    {
        services.AddOptions<SpamOptions>().BindConfiguration(SpamOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SpamOptions>, SpamOptionsValidator>();
        services.TryAddSingleton(sp => new SpamClassifier(sp.GetRequiredService<IOptions<SpamOptions>>().Value));
        services.TryAddSingleton<RepeatCounter>();
        services.TryAddSingleton<SpamFilter>();
        services.TryAddSingleton<SpamReview>();
        return services;
    }
}
