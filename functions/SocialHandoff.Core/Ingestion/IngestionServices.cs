using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Ingestion.X;

namespace SocialHandoff.Core.Ingestion;

public static class IngestionServices
{
    /// <summary>The sources (Sources:X, Sources:Files), the queue they feed, the watermarks and the IngestMentions stage.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<XSourceOptions>().BindConfiguration(XSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<XSourceOptions>, XSourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<XSourceOptions>, XSourceOptionsRules>();
        services.AddOptions<FileSourceOptions>().BindConfiguration(FileSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FileSourceOptions>, FileSourceOptionsValidator>();

        services.TryAddSingleton<IMentionQueue, StorageMentionQueue>();
        services.TryAddSingleton<IWatermarkStore, TableWatermarkStore>();
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
