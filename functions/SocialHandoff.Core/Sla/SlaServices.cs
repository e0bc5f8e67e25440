using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Sla.Notifications;

namespace SocialHandoff.Core.Sla;

public static class SlaServices
{
    /// <summary>The SLA clocks' index, the sweep, daily stats and the team notices (Sla:*, Sla:Webhooks:*).</summary>
    public static IServiceCollection AddSla(this IServiceCollection services)
    {
        services.AddOptions<SlaOptions>().BindConfiguration(SlaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SlaOptions>, SlaOptionsValidator>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.TryAddSingleton<SlaDueIndex>();
        services.TryAddSingleton<DailyStatsStage>();
        services.TryAddSingleton<SlaSweepStage>();
        services.TryAddSingleton<NotificationOutbox>();
        services.AddHttpClient(WebhookNotifier.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);

        // Webhook retry delays are real waits on the network, so they run on the system clock whatever clock the SLA arithmetic uses.
        services.TryAddSingleton(sp => new WebhookNotifier(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookNotifier.HttpClientName),
            sp.GetRequiredService<IOptions<WebhookOptions>>().Value,
            TimeProvider.System));
        return services;
    }
}
