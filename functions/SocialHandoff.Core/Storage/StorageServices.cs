using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Storage;

public static class StorageServices
{
    /// <summary>The storage account (Storage:*): one set of SDK clients for every queue and table.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsRules>();
        services.TryAddSingleton<StorageClients>();
        return services;
    }
}
