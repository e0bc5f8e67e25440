using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Ingestion.X;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Scoring;
using SocialHandoff.Core.Scoring.Urgency;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Everything the four stages need (ingest, process, dead letters, SLA sweep), shared by the Functions app and the local runner. Settings
    /// are bound from configuration and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddSocialHandoff(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsRules>();
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        services.AddOptions<HandoffOptions>().BindConfiguration(HandoffOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HandoffOptions>, HandoffOptionsValidator>();
        services.AddOptions<XSourceOptions>().BindConfiguration(XSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<XSourceOptions>, XSourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<XSourceOptions>, XSourceOptionsRules>();
        services.AddOptions<FileSourceOptions>().BindConfiguration(FileSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FileSourceOptions>, FileSourceOptionsValidator>();

        services.TryAddSingleton<StorageClients>();
        services.TryAddSingleton<IMentionQueue, StorageMentionQueue>();
        services.TryAddSingleton<IWatermarkStore, TableWatermarkStore>();
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>();
        services.AddOptions<SlaOptions>().BindConfiguration(SlaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SlaOptions>, SlaOptionsValidator>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.TryAddSingleton<PolicyStore>();
        services.TryAddSingleton<PolicySeed>();
        services.TryAddSingleton<LivePolicies>();
        services.TryAddSingleton<RuleDryRun>();
        services.TryAddSingleton<IRouter, RuleRouter>();
        services.TryAddSingleton<SlaDueIndex>();
        services.TryAddSingleton<HandoffWork>();
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.TryAddSingleton<WorkQueries>();
        services.TryAddSingleton<SlaReports>();
        services.TryAddSingleton<WorkApi>();
        services.TryAddSingleton<DailyStatsStage>();
        services.TryAddSingleton<SlaSweepStage>();
        services.TryAddSingleton<NotificationOutbox>();
        services.AddHttpClient(WebhookNotifier.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        // Webhook retry delays are real waits on the network, so they run on the system clock whatever clock the SLA arithmetic uses.
        services.TryAddSingleton(sp => new WebhookNotifier(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookNotifier.HttpClientName),
            sp.GetRequiredService<IOptions<WebhookOptions>>().Value,
            TimeProvider.System));
        services.AddScoring();
        services.TryAddSingleton<MentionLedger>();
        services.TryAddSingleton<HandoffStore>();
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<IIngestRejects>(sp => sp.GetRequiredService<DeadLetterStore>());
        services.TryAddSingleton<ProcessMentionStage>();
        services.TryAddSingleton<RecordDeadLetterStage>();
        services.TryAddSingleton<PoisonOfPoisonSweep>();
        services.TryAddSingleton(sp => new IngestStage(
            CreateSources(sp),
            sp.GetRequiredService<IWatermarkStore>(),
            sp.GetRequiredService<IMentionQueue>(),
            sp.GetRequiredService<IIngestRejects>(),
            sp.GetRequiredService<ILogger<IngestStage>>()));

        services.AddHttpClient(XApiClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(XResilience.PipelineName, (builder, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<XSourceOptions>>().Value;
                XResilience.Configure(builder, options.Resilience, context.ServiceProvider.GetRequiredService<TimeProvider>());
            });
        return services;
    }

    /// <summary>The configured sources: one X search per brand when a bearer token is set, one per file export.</summary>
    public static IReadOnlyList<IMentionSource> CreateSources(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sources = new List<IMentionSource>();
        var x = services.GetRequiredService<IOptions<XSourceOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(x.BearerToken))
        {
            var factory = services.GetRequiredService<IHttpClientFactory>();
            var logger = services.GetRequiredService<ILogger<XMentionSource>>();
            sources.AddRange(x.Brands.Select(b => new XMentionSource(b, x, factory, services.GetRequiredService<TimeProvider>(), logger)));
        }

        var files = services.GetRequiredService<IOptions<FileSourceOptions>>().Value;
        sources.AddRange(files.Exports.Select(e => new FileMentionSource(e)));
        return sources;
    }
}
