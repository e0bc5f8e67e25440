using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SocialHandoff.Core;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Pipeline;

namespace SocialHandoff.Integration.Tests;

/// <summary>The services of the pipeline on the fixture's Azurite, with the local runner's routing rules and a fake clock.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    private Harness(ServiceProvider services, string connectionString)
    {
        Services = services;
        ConnectionString = connectionString;
        Pipeline = new LocalPipeline(services, new QueuePumpOptions { MaxPollingInterval = TimeSpan.FromMilliseconds(200) });
    }

    public ServiceProvider Services { get; }

    public string ConnectionString { get; }

    public LocalPipeline Pipeline { get; }

    public FakeTimeProvider Clock => (FakeTimeProvider)Services.GetRequiredService<TimeProvider>();

    public static string SamplePath => Path.Combine(AppContext.BaseDirectory, "samples", "mentions.jsonl");

    public static int SampleCount => File.ReadLines(SamplePath).Count(l => !string.IsNullOrWhiteSpace(l));

    public static async Task<Harness> CreateAsync(
        string connectionString,
        Action<IServiceCollection>? configure = null,
        IDictionary<string, string?>? settings = null,
        bool withSample = true)
    {
        // The pipeline tests count every sample mention as a handoff; the spam tests (Spam/) turn the filter on.
        var values = new Dictionary<string, string?> { ["Spam:Enabled"] = "false" };
        if (withSample)
        {
            values["Sources:Files:Exports:0:Name"] = "sample";
            values["Sources:Files:Exports:0:Path"] = SamplePath;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = Configuration(connectionString, values);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Start));
        configure?.Invoke(services);
        services.AddSocialHandoff();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var harness = new Harness(provider, connectionString);
        await harness.Pipeline.InitializeAsync(CancellationToken.None);
        return harness;
    }

    /// <summary>The local runner's appsettings.json with the storage account and the test's settings on top.</summary>
    public static IConfiguration Configuration(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Storage:ConnectionString"] = connectionString };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .AddInMemoryCollection(values)
            .Build();
    }

    public TableClient Table(string name) => new TableServiceClient(ConnectionString).GetTableClient(name);

    /// <summary>A queue client that reads and writes base64 bodies, as the pipeline and the Functions host do.</summary>
    public QueueClient Queue(string name) =>
        new QueueServiceClient(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(name);

    public async Task<List<TableEntity>> RowsAsync(string table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Table(table).QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The handoff rows of Handoffs (each handoff's partition also holds its ledger row and its events).</summary>
    public async Task<List<TableEntity>> HandoffRowsAsync() =>
        (await RowsAsync(StorageNames.HandoffsTable)).Where(r => r.RowKey == Core.Handoffs.HandoffRow.RowKey).ToList();

    /// <summary>The audit events, kept in each handoff's partition of Handoffs.</summary>
    public async Task<List<TableEntity>> EventRowsAsync() =>
        (await RowsAsync(StorageNames.HandoffsTable)).Where(Core.Handoffs.HandoffRow.IsEvent).ToList();

    /// <summary>The mentions' ledger rows (dedupe, body, errors, dead-lettering), in their handoffs' partitions.</summary>
    public async Task<List<TableEntity>> LedgerRowsAsync() =>
        (await RowsAsync(StorageNames.HandoffsTable)).Where(r => r.RowKey == Core.Handoffs.HandoffRow.LedgerRowKey).ToList();

    /// <summary>The records of mentions that joined another mention's incident: their membership rows in Incidents, with their ledger columns (MentionLedger.JoinedColumns).</summary>
    public async Task<List<TableEntity>> JoinedRecordsAsync() =>
        (await RowsAsync(StorageNames.IncidentsTable)).Where(r => r.RowKey.StartsWith("m|", StringComparison.Ordinal) && r.GetString("Status") == Core.Processing.MentionLedger.HandedOff).ToList();

    /// <summary>The teams' queue index rows (without the count rows and the SLA due rows kept in the same partitions).</summary>
    public async Task<List<TableEntity>> IndexRowsAsync() =>
        (await RowsAsync(StorageNames.HandoffIndexTable)).Where(r => string.CompareOrdinal(r.RowKey, Core.Handoffs.HandoffIndex.CountRowKey) < 0).ToList();

    /// <summary>Mentions that joined another mention's incident instead of having a handoff of their own (each incident's count but its leader).</summary>
    public async Task<int> JoinedIncidentsAsync() =>
        (await RowsAsync(StorageNames.IncidentsTable)).Where(r => r.RowKey.StartsWith("i|", StringComparison.Ordinal)).Sum(r => (r.GetInt32("Count") ?? 1) - 1);

    private static readonly string[] Places =
        ["downtown", "airport", "harbour", "campus", "station", "riverside", "uptown", "mall", "market", "hillside", "lakeside", "midtown", "seafront", "parkway", "oldtown", "northgate"];

    /// <summary>
    /// A place word per <paramref name="i"/>, so test complaints differ by a word: numbers do not tell
    /// near-duplicates apart, and "store 1" / "store 2" would join one incident instead of each having a handoff.
    /// </summary>
    public static string Place(int i) => Places[i % Places.Length] + (i < Places.Length ? "" : " " + Places[i / Places.Length % Places.Length]);

    public async Task<int> QueueLengthAsync(string queue) =>
        (await Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    public async Task<int> TeamMessagesAsync()
    {
        var total = 0;
        await foreach (var queue in new QueueServiceClient(ConnectionString).GetQueuesAsync(prefix: StorageNames.TeamQueuePrefix))
        {
            total += await QueueLengthAsync(queue.Name);
        }

        return total;
    }

    public async Task<IReadOnlyList<MentionMessage>> SampleMentionsAsync() =>
        (await new Core.Ingestion.Files.FileMentionSource(new() { Name = "sample", Path = SamplePath }).FetchAsync(null, CancellationToken.None)).Mentions;

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
