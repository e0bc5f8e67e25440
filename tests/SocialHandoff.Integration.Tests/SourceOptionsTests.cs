using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Ingestion.Bluesky;
using SocialHandoff.Core.Ingestion.Feeds;
using SocialHandoff.Core.Ingestion.Mastodon;
using SocialHandoff.Core.Ingestion.Reddit;

namespace SocialHandoff.Integration.Tests;

/// <summary>The settings every API source shares are validated alike at start-up, each failure naming the source's setting.</summary>
public sealed class SourceOptionsTests
{
    private static readonly Uri Loopback = new("http://127.0.0.1:9/");

    public static TheoryData<string, string, string, string> SharedSettings => new()
    {
        { "mastodon", "MaxPagesPerRun", "0", "MaxPagesPerRun" },
        { "bluesky", "MaxPagesPerRun", "101", "MaxPagesPerRun" },
        { "reddit", "MaxPagesPerRun", "0", "MaxPagesPerRun" },
        { "mastodon", "RateLimitWaitBudget", "00:05:01", "Sources:Mastodon:RateLimitWaitBudget must be from 00:00:00 to 00:05:00" },
        { "bluesky", "RateLimitWaitBudget", "-00:00:01", "Sources:Bluesky:RateLimitWaitBudget must be from 00:00:00 to 00:05:00" },
        { "reddit", "RateLimitWaitBudget", "00:10:01", "Sources:Reddit:RateLimitWaitBudget must be from 00:00:00 to 00:10:00" },
        { "feeds", "RateLimitWaitBudget", "01:00:00", "Sources:Feeds:RateLimitWaitBudget must be from 00:00:00 to 00:05:00" },
        { "mastodon", "Resilience:TotalTimeout", "00:00:01", "Sources:Mastodon:Resilience:TotalTimeout must be at least AttemptTimeout" },
        { "bluesky", "Resilience:TotalTimeout", "00:00:01", "Sources:Bluesky:Resilience:TotalTimeout must be at least AttemptTimeout" },
        { "reddit", "Resilience:TotalTimeout", "00:00:01", "Sources:Reddit:Resilience:TotalTimeout must be at least AttemptTimeout" },
        { "feeds", "Resilience:TotalTimeout", "00:00:01", "Sources:Feeds:Resilience:TotalTimeout must be at least AttemptTimeout" },
        { "feeds", "Resilience:MaxRetryAttempts", "11", "MaxRetryAttempts" },
    };

    [Theory]
    [MemberData(nameof(SharedSettings))]
    public void Start_SharedSourceSettingOutOfRange_FailsNamingTheSetting(string source, string key, string value, string expected)
    {
        var (settings, section, read) = Source(source);
        settings[section + ":" + key] = value;
        using var services = SourceLoopbackServer.Services(settings);

        var error = Assert.Throws<OptionsValidationException>(() => read(services));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mastodon")]
    [InlineData("bluesky")]
    [InlineData("reddit")]
    [InlineData("feeds")]
    public void Start_SourceWithItsDefaults_Passes(string source)
    {
        var (settings, _, read) = Source(source);
        using var services = SourceLoopbackServer.Services(settings);

        Assert.NotNull(read(services));
    }

    private static (Dictionary<string, string?> Settings, string Section, Func<IServiceProvider, SourceOptions> Read) Source(string source) => source switch
    {
        "mastodon" => (MastodonSourceTests.Settings(Loopback, 40, "token"), MastodonSourceOptions.SectionName, s => s.GetRequiredService<IOptions<MastodonSourceOptions>>().Value),
        "bluesky" => (BlueskySourceTests.Settings(Loopback), BlueskySourceOptions.SectionName, s => s.GetRequiredService<IOptions<BlueskySourceOptions>>().Value),
        "reddit" => (RedditSourceTests.Settings(Loopback, 100), RedditSourceOptions.SectionName, s => s.GetRequiredService<IOptions<RedditSourceOptions>>().Value),
        _ => (FeedSourceTests.Settings(Loopback), FeedSourceOptions.SectionName, s => s.GetRequiredService<IOptions<FeedSourceOptions>>().Value),
    };
}
