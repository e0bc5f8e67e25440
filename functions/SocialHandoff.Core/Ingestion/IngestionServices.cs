using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion.Bluesky;
using SocialHandoff.Core.Ingestion.Feeds;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Ingestion.Mastodon;
using SocialHandoff.Core.Ingestion.Reddit;
using SocialHandoff.Core.Ingestion.X;

namespace SocialHandoff.Core.Ingestion;

public static class IngestionServices
{
    /// <summary>The sources (Sources:X, Sources:Mastodon, Sources:Bluesky, Sources:Reddit, Sources:Feeds, Sources:Files), the queue they feed, the watermarks and the IngestMentions stage.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<XSourceOptions>().BindConfiguration(XSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<XSourceOptions>, XSourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<XSourceOptions>, XSourceOptionsRules>();
        services.AddOptions<FileSourceOptions>().BindConfiguration(FileSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FileSourceOptions>, FileSourceOptionsValidator>();
        AddSource<MastodonSourceOptions, MastodonSourceOptionsValidator, MastodonSourceOptionsRules>(services, MastodonSourceOptions.SectionName, MastodonApiClient.HttpClientName);
        AddSource<BlueskySourceOptions, BlueskySourceOptionsValidator, BlueskySourceOptionsRules>(services, BlueskySourceOptions.SectionName, BlueskyApiClient.HttpClientName);
        AddSource<RedditSourceOptions, RedditSourceOptionsValidator, RedditSourceOptionsRules>(services, RedditSourceOptions.SectionName, RedditApiClient.HttpClientName);
        AddSource<FeedSourceOptions, FeedSourceOptionsValidator, FeedSourceOptionsRules>(services, FeedSourceOptions.SectionName, FeedMentionSource.HttpClientName);

        services.TryAddSingleton<IMentionQueue, StorageMentionQueue>();
        services.TryAddSingleton<IWatermarkStore, TableWatermarkStore>();
        services.TryAddSingleton(sp => new IngestStage(
            CreateSources(sp),
            sp.GetRequiredService<IWatermarkStore>(),
            sp.GetRequiredService<IMentionQueue>(),
            sp.GetRequiredService<IIngestRejects>(),
            sp.GetRequiredService<ILogger<IngestStage>>()));

        services.AddHttpClient(XApiClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(XApiClient.HttpClientName, (builder, context) => SourceResilience.Configure(
                builder,
                "x",
                context.ServiceProvider.GetRequiredService<IOptions<XSourceOptions>>().Value.Resilience,
                context.ServiceProvider.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// An API source's settings, bound from <paramref name="section"/> and validated at start-up (its
    /// attributes, then the shared and its own rules), and its named HttpClient with the resilience
    /// pipeline of the same name from its settings (see <see cref="SourceResilience"/>).
    /// </summary>
    private static void AddSource<TOptions, TValidator, TRules>(IServiceCollection services, string section, string httpClientName)
        where TOptions : SourceOptions
        where TValidator : class, IValidateOptions<TOptions>
        where TRules : SourceOptionsRules<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.AddSingleton<IValidateOptions<TOptions>, TRules>();
        services.AddHttpClient(httpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(httpClientName, (builder, context) => SourceResilience.Configure(
                builder,
                httpClientName,
                context.ServiceProvider.GetRequiredService<IOptions<TOptions>>().Value.Resilience,
                context.ServiceProvider.GetRequiredService<TimeProvider>()));
    }

    /// <summary>
    /// The configured sources: one X search per brand when a bearer token is set; per Mastodon instance its
    /// search and each tag; one Bluesky search per brand; one Reddit search per brand when a client id is set;
    /// one per feed; one per file export. Each has its own watermark.
    /// </summary>
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

        var time = services.GetRequiredService<TimeProvider>();
        var http = services.GetRequiredService<IHttpClientFactory>();
        var mastodon = services.GetRequiredService<IOptions<MastodonSourceOptions>>().Value;
        for (var i = 0; i < mastodon.Instances.Count; i++)
        {
            var instance = mastodon.Instances[i];
            var logger = services.GetRequiredService<ILogger<MastodonMentionSource>>();
            if (!string.IsNullOrWhiteSpace(instance.Query))
            {
                sources.Add(new MastodonMentionSource(instance, i, null, mastodon, http, time, logger));
            }

            sources.AddRange(instance.Tags.Select(tag => new MastodonMentionSource(instance, i, tag, mastodon, http, time, logger)));
        }

        var bluesky = services.GetRequiredService<IOptions<BlueskySourceOptions>>().Value;
        if (bluesky.Searches.Count > 0)
        {
            var client = new BlueskyApiClient(http, bluesky, time);
            sources.AddRange(bluesky.Searches.Select(s => new BlueskyMentionSource(s, bluesky, client, time, services.GetRequiredService<ILogger<BlueskyMentionSource>>())));
        }

        var reddit = services.GetRequiredService<IOptions<RedditSourceOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(reddit.ClientId))
        {
            var client = new RedditApiClient(http, reddit, time);
            sources.AddRange(reddit.Searches.Select(s => new RedditMentionSource(s, reddit, client, time, services.GetRequiredService<ILogger<RedditMentionSource>>())));
        }

        var feeds = services.GetRequiredService<IOptions<FeedSourceOptions>>().Value;
        sources.AddRange(feeds.Feeds.Select((f, i) => new FeedMentionSource(f, i, feeds, http, time)));

        var files = services.GetRequiredService<IOptions<FileSourceOptions>>().Value;
        sources.AddRange(files.Exports.Select(e => new FileMentionSource(e)));
        return sources;
    }
}
