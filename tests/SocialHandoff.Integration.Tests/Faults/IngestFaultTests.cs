using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>Hostile records in a source's export: the rest flows, each bad one is dead-lettered with its line, the watermark moves past it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class IngestFaultTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(3);
    private readonly string _folder = Directory.CreateTempSubdirectory("ingest-faults-").FullName;

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Ingest_HostileJsonLinesMidExport_RestHandedOffBadOnesDeadLetteredWithLineWatermarkPast()
    {
        var good = File.ReadLines(Harness.SamplePath).Where(l => !string.IsNullOrWhiteSpace(l)).Take(40).ToList();
        var hostile = new Dictionary<int, (string Line, string Reason)>
        {
            // Too large for a queue message: read fine, refused before enqueue.
            [5] = (Record("big", new string('a', 100_000)), "over the"),
            // A lone UTF-16 surrogate escaped in the JSON: the reader cannot take it.
            [10] = ("{\"id\":\"lone\",\"text\":\"bad \\ud800 text\",\"postedAt\":\"2026-11-01T10:00:00Z\"}", "not a JSON mention"),
            [15] = ("{ not json at all", "not a JSON mention"),
            [20] = ("null", "null is not a mention"),
            [25] = ("{\"text\":\"no id\",\"postedAt\":\"2026-11-01T10:00:00Z\"}", "no 'id'"),
            [30] = ("{\"id\":\"t\",\"text\":\"x\",\"postedAt\":\"2026-11-01T10:00:00Z\",\"followers\":\"many\"}", "not a JSON mention"),
            [35] = ("[1,2,3]", "not a JSON mention"),
        };
        var lines = new List<string>(good);
        foreach (var (at, record) in hostile.OrderBy(h => h.Key))
        {
            lines.Insert(at, record.Line);
        }

        var path = Path.Combine(_folder, "export.jsonl");
        await File.WriteAllLinesAsync(path, lines);
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: Export(path), withSample: false);

        var ingest = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        Assert.True(ingest.Succeeded, string.Join("; ", ingest.Sources.Select(s => s.Error)));
        Assert.Equal(good.Count, ingest.Enqueued);
        Assert.Equal(hostile.Count, ingest.DeadLettered);
        Assert.Equal(lines.Count.ToString(CultureInfo.InvariantCulture), await harness.Services.GetRequiredService<IWatermarkStore>().GetAsync("file:export", CancellationToken.None));
        Assert.Equal(good.Count, (await harness.HandoffRowsAsync()).Count);
        var dead = (await harness.RowsAsync(StorageNames.DeadLettersTable)).Where(d => d.PartitionKey == DeadLetterStore.IngestPartition).ToList();
        Assert.Equal(hostile.Count, dead.Count);
        foreach (var (at, record) in hostile)
        {
            var locator = "line " + (at + 1).ToString(CultureInfo.InvariantCulture);
            var row = Assert.Single(dead, d => d.GetString("Locator") == locator);
            Assert.Equal("file:export", row.GetString("Source"));
            Assert.Contains(record.Reason, row.GetString("Reason"), StringComparison.Ordinal);
            Assert.Equal(record.Line, DeadLetterStore.ReadBody(row));
        }

        Assert.True(summary.Complete);
        Assert.Equal(lines.Count, summary.Ingested);
        Assert.Equal(good.Count, summary.HandedOff);
        Assert.Equal(hostile.Count, summary.DeadLettered);

        var again = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        Assert.Equal(0, again.Enqueued + again.DeadLettered);
    }

    [Fact]
    public async Task Ingest_HostileCsvRows_RestHandedOffBadRowsDeadLetteredWithTheirLines()
    {
        var csv = new StringBuilder("id,text,postedAt,followers,verified\n")
            .Append("c1,\"fine, with a comma\",2026-11-01T10:00:00Z,10,true\n")
            .Append("c2,too,many,fields,here,now\n")
            .Append("c3,bad followers,2026-11-01T10:00:00Z,lots,false\n")
            .Append("c4,\"multi\nline text\",2026-11-01T10:01:00Z,,\n")
            .Append("c5,bad date,yesterday,,\n")
            .Append("c6,fine too,2026-11-01T10:02:00Z,,\n")
            .Append("c7,\"never closed,2026-11-01T10:03:00Z,,\n")
            .ToString();
        var path = Path.Combine(_folder, "export.csv");
        await File.WriteAllTextAsync(path, csv);
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: Export(path), withSample: false);

        var ingest = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        Assert.True(ingest.Succeeded, ingest.Sources[0].Error);
        Assert.Equal(["file:export:c1", "file:export:c4", "file:export:c6"], (await harness.HandoffRowsAsync()).Select(h => h.GetString("MentionKey")).Order(StringComparer.Ordinal));
        var dead = (await harness.RowsAsync(StorageNames.DeadLettersTable)).ToDictionary(d => d.GetString("Locator")!, d => d.GetString("Reason")!);
        Assert.Equal(4, dead.Count);
        Assert.Contains("6 fields where the header has 5", dead["line 3"], StringComparison.Ordinal);
        Assert.Contains("followers 'lots'", dead["line 4"], StringComparison.Ordinal);
        Assert.Contains("postedAt 'yesterday'", dead["line 7"], StringComparison.Ordinal);
        Assert.Contains("not closed", dead["line 9"], StringComparison.Ordinal);
        Assert.Equal("7", await harness.Services.GetRequiredService<IWatermarkStore>().GetAsync("file:export", CancellationToken.None));
        Assert.True((await harness.Pipeline.SummarizeAsync(CancellationToken.None)).Complete);
    }

    [Fact]
    public async Task Ingest_QueueRefusesOneMention_ItIsDeadLetteredAndTheSourceAdvances()
    {
        var refused = JsonDocument.Parse(File.ReadLines(Harness.SamplePath).Skip(6).First()).RootElement.GetProperty("id").GetString()!;
        await using var harness = await Harness.CreateAsync(
            azurite.ConnectionString,
            services => services.AddSingleton<IMentionQueue>(sp => new RefusingMentionQueue(ActivatorUtilities.CreateInstance<StorageMentionQueue>(sp), refused)));

        var ingest = await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        Assert.True(ingest.Succeeded);
        Assert.Equal(Harness.SampleCount - 1, ingest.Enqueued);
        var row = Assert.Single(await harness.RowsAsync(StorageNames.DeadLettersTable));
        Assert.Equal("id " + refused, row.GetString("Locator"));
        Assert.Contains("refused (test fake)", row.GetString("Reason"), StringComparison.Ordinal);
        Assert.Equal(refused, JsonDocument.Parse(DeadLetterStore.ReadBody(row)).RootElement.GetProperty("id").GetString());
        Assert.NotNull(await harness.Services.GetRequiredService<IWatermarkStore>().GetAsync("file:sample", CancellationToken.None));
        Assert.True((await harness.Pipeline.SummarizeAsync(CancellationToken.None)).Complete);
    }

    private static string Record(string id, string text) =>
        JsonSerializer.Serialize(new { id, text, postedAt = "2026-11-01T10:00:00Z" });

    private static Dictionary<string, string?> Export(string path) => new()
    {
        ["Sources:Files:Exports:0:Name"] = "export",
        ["Sources:Files:Exports:0:Path"] = path,
    };

    /// <summary>Our own queue port, faked: refuses one mention for good, as the service refuses a message it can never take.</summary>
    private sealed class RefusingMentionQueue(IMentionQueue inner, string refusedId) : IMentionQueue
    {
        public Task EnqueueAsync(MentionMessage mention, CancellationToken cancellationToken) =>
            mention.Id == refusedId
                ? throw new MentionRejectedException($"mention {mention.Key} refused (test fake)")
                : inner.EnqueueAsync(mention, cancellationToken);
    }
}
