using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Local.Azurite;

/// <summary>What every benchmark here stands on: a fresh in-memory Azurite, the pipeline's services on it (the local runner's settings plus any given), and a count of every storage request they send.</summary>
internal sealed class BenchmarkStorage : IAsyncDisposable
{
    private BenchmarkStorage(AzuriteLauncher azurite, RequestCounter counter, ServiceProvider services)
    {
        Azurite = azurite;
        Counter = counter;
        Services = services;
    }

    public AzuriteLauncher Azurite { get; }

    public RequestCounter Counter { get; }

    public ServiceProvider Services { get; }

    public static async Task<BenchmarkStorage> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var azurite = await AzuriteLauncher.StartAsync(Console.Out, CancellationToken.None);
        var counter = new RequestCounter(azurite.TablePort);
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Storage:ConnectionString"] = azurite.ConnectionString };
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .AddInMemoryCollection(values)
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<HttpPipelinePolicy>(counter)
            .AddSocialHandoff()
            .BuildServiceProvider();
        return new BenchmarkStorage(azurite, counter, services);
    }

    /// <summary>The local runner's sample mentions, the material every benchmark multiplies.</summary>
    public static async Task<IReadOnlyList<MentionMessage>> SampleAsync() =>
        (await new FileMentionSource(new FileSourceSettings { Name = "bench", Path = Path.Combine(AppContext.BaseDirectory, "samples", "mentions.jsonl") })
            .FetchAsync(null, CancellationToken.None)).Mentions;

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
