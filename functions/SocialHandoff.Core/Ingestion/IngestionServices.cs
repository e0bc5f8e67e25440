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
        services.AddOptions<MastodonSourceOptions>().BindConfiguration(MastodonSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MastodonSourceOptions>, MastodonSourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<MastodonSourceOptions>, MastodonSourceOptionsRules>();
        services.AddOptions<BlueskySourceOptions>().BindConfiguration(BlueskySourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BlueskySourceOptions>, BlueskySourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<BlueskySourceOptions>, BlueskySourceOptionsRules>();
        services.AddOptions<RedditSourceOptions>().BindConfiguration(RedditSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedditSourceOptions>, RedditSourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<RedditSourceOptions>, RedditSourceOptionsRules>();
        services.AddOptions<FeedSourceOptions>().BindConfiguration(FeedSourceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeedSourceOptions>, FeedSourceOptionsValidator>();
        services.AddSingleton<IValidateOptions<FeedSourceOptions>, FeedSourceOptionsRules>();

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
        AddSourceClient<MastodonSourceOptions>(services, MastodonApiClient.HttpClientName, o => o.Resilience);
        AddSourceClient<BlueskySourceOptions>(services, BlueskyApiClient.HttpClientName, o => o.Resilience);
        AddSourceClient<RedditSourceOptions>(services, RedditApiClient.HttpClientName, o => o.Resilience);
        AddSourceClient<FeedSourceOptions>(services, FeedMentionSource.HttpClientName, o => o.Resilience);
        return services;
    }

    /// <summary>A source's named HttpClient with its resilience pipeline of the same name (see <see cref="SourceResilience"/>).</summary>
    private static void AddSourceClient<TOptions>(IServiceCollection services, string name, Func<TOptions, SourceResilienceOptions> resilience)
        where TOptions : class =>
        services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(name, (builder, context) => SourceResilience.Configure(
                builder,
                name,
                resilience(context.ServiceProvider.GetRequiredService<IOptions<TOptions>>().Value),
                context.ServiceProvider.GetRequiredService<TimeProvider>()));

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
