using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Spikes;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Spikes;

/// <summary>The spike detector on Azurite with a fake clock and synthetic volume; the team's webhook is a loopback server.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SpikeTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    // A Monday, 00:05 UTC, after the harness's start (the fake clock only moves forward): the first run starts the history.
    private static readonly DateTimeOffset Week0 = new(2026, 11, 9, 0, 5, 0, TimeSpan.Zero);
    private readonly WebhookServer _webhook = new();

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _webhook.Dispose();

    private Task<Harness> HarnessAsync(int minWeeks = 2, string timeZone = "UTC") => Harness.CreateAsync(azurite.ConnectionString, withSample: false, settings: new Dictionary<string, string?>
    {
        ["Spikes:MinWeeks"] = minWeeks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Spikes:Floor"] = "10",
        ["Spikes:ColdStartFloor"] = "50",
        ["Spikes:TimeZone"] = timeZone,
        ["Sla:Teams:care:Webhooks:0:Kind"] = "Slack",
        ["Sla:Teams:care:Webhooks:0:Url"] = _webhook.Url("slack/care").ToString(),
    });

    private static async Task PostAsync(Harness harness, DateTimeOffset at, int count, string text, string id)
    {
        var log = harness.Services.GetRequiredService<VolumeLog>();
        harness.Clock.SetUtcNow(at.AddSeconds(count));
        for (var i = 0; i < count; i++)
        {
            var mention = new MentionMessage(MentionMessage.CurrentSchemaVersion, "c", "test", $"{id}-{i}", new MentionAuthor("a" + i, "user" + i, "U", 10, false),
                $"{text} #{i}", "en", new MentionMetrics(0, 0, 0, 0), null, at.AddSeconds(i), "contoso");
            await log.RecordAsync(mention, "care", "default", ["outage"], CancellationToken.None);
            await log.RecordAsync(mention, "care", "default", ["outage"], CancellationToken.None);
        }
    }

    private static async Task<SpikeRunResult> SweepAsync(Harness harness, DateTimeOffset at)
    {
        harness.Clock.SetUtcNow(at);
        return await harness.Services.GetRequiredService<SpikeSweepStage>().RunAsync(at, CancellationToken.None);
    }

    [Fact]
    public async Task Sweep_UsualVolumeTwoWeeksThenASurge_OneAlertWithTopWordsThenOneRecovery()
    {
        await using var harness = await HarnessAsync();
        var sweep = harness.Services.GetRequiredService<SpikeSweepStage>();
        Assert.Equal(0, (await SweepAsync(harness, Week0)).HoursFolded);
        foreach (var week in new[] { 0, 1 })
        {
            var tenOClock = Week0.AddDays(7 * week).AddHours(10).AddMinutes(-5);
            await PostAsync(harness, tenOClock.AddMinutes(1), 4 + week, "@contoso is the app slow for anyone", $"w{week}");
            Assert.Equal(0, (await SweepAsync(harness, tenOClock.AddMinutes(55))).Raised);
            await SweepAsync(harness, Week0.AddDays((7 * week) + 7).AddMinutes(-10));
        }

        var surge = Week0.AddDays(14).AddHours(10).AddMinutes(-5);
        await PostAsync(harness, surge.AddMinutes(1), 30, "@contoso app outage, login broken everywhere", "surge");
        var first = await SweepAsync(harness, surge.AddMinutes(10));
        var again = await SweepAsync(harness, surge.AddMinutes(20));
        var banner = await sweep.ActiveAsync(CancellationToken.None);

        Assert.Equal(3, first.Raised);
        Assert.Equal(0, again.Raised);
        Assert.Equal(["brand:contoso", "rule:default", "tag:outage"], banner.Select(s => s.Series).Order().ToArray());
        var brand = banner.Single(s => s.Series == "brand:contoso");
        Assert.Equal((30, "care"), (brand.Count, brand.Team));
        Assert.True(brand.Threshold is >= 10 and < 30, brand.Why);
        Assert.Contains("outage", brand.TopWords);
        Assert.Contains("login", brand.TopWords);
        Assert.Equal(3, brand.Examples.Count);
        Assert.Equal(3, _webhook.Received.Count);
        Assert.All(_webhook.Received, r => Assert.Contains("Volume spike", r.Body, StringComparison.Ordinal));

        var recovered = await SweepAsync(harness, surge.AddHours(2).AddMinutes(10));
        var recoveredAgain = await SweepAsync(harness, surge.AddHours(2).AddMinutes(20));

        Assert.Equal(3, recovered.Recovered);
        Assert.Equal(0, recoveredAgain.Recovered);
        Assert.Empty(await sweep.ActiveAsync(CancellationToken.None));
        Assert.Equal(6, _webhook.Received.Count);
        var audit = (await harness.RowsAsync(StorageNames.HandoffEventsTable)).Select(e => e.GetString("Type")).ToList();
        Assert.Equal(3, audit.Count(t => t == "SpikeAlert"));
        Assert.Equal(3, audit.Count(t => t == "SpikeRecovered"));
    }

    [Theory]
    [InlineData(49, 0)]
    [InlineData(50, 1)]
    public async Task Sweep_ColdStart_OnlyTheColdStartFloorAlerts(int mentions, int alerts)
    {
        await using var harness = await HarnessAsync(minWeeks: 3);
        await SweepAsync(harness, Week0);
        await PostAsync(harness, Week0.AddMinutes(1), mentions, "@contoso anyone else charged twice", "cold");

        var result = await SweepAsync(harness, Week0.AddMinutes(30));

        Assert.Equal(alerts, (await harness.Services.GetRequiredService<SpikeSweepStage>().ActiveAsync(CancellationToken.None)).Count(s => s.Series == "brand:contoso"));
        Assert.Equal(alerts * 3, result.Raised);
    }

    [Fact]
    public async Task Record_ManyMentionsOfOneHourAtOnceSomeTwice_EachCountedOncePerSeries()
    {
        await using var harness = await HarnessAsync();
        var log = harness.Services.GetRequiredService<VolumeLog>();
        harness.Clock.SetUtcNow(Week0.AddMinutes(59));
        var mentions = Enumerable.Range(0, 60).Select(i => new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "c", "test", $"burst-{i}", new MentionAuthor("a" + i, "user" + i, "U", 10, false),
            $"@contoso burst {i}", "en", new MentionMetrics(0, 0, 0, 0), null, Week0.AddSeconds(i), "contoso")).ToList();

        // Sixty at once share the hour's transactions (three rows each: more than one transaction holds); ten are delivered twice.
        await Task.WhenAll(mentions.Concat(mentions.Take(10)).Select(m => Task.Run(() => log.RecordAsync(m, "care", "default", ["outage"], CancellationToken.None))));

        var rows = await log.ReadHourAsync(Week0, CancellationToken.None);
        Assert.Equal(60, rows["brand:contoso"].Count);
        Assert.Equal(60, rows["rule:default"].Count);
        Assert.Equal(60, rows["tag:outage"].Count);
    }

    [Fact]
    public async Task Record_RedeliveredMention_CountsOnce()
    {
        await using var harness = await HarnessAsync();
        await PostAsync(harness, Week0, 3, "@contoso hello", "dup");

        var rows = await harness.Services.GetRequiredService<VolumeLog>().ReadHourAsync(Week0, CancellationToken.None);

        Assert.Equal(3, rows["brand:contoso"].Count);
        Assert.Equal(3, rows["tag:outage"].Count);
    }

    [Fact]
    public async Task Record_PostsOfEarlierHoursProcessedTogether_OnePartitionEachCountedInItsPostingHour()
    {
        await using var harness = await HarnessAsync();
        var log = harness.Services.GetRequiredService<VolumeLog>();
        harness.Clock.SetUtcNow(Week0.AddHours(5));
        var mentions = Enumerable.Range(0, 12).Select(i => new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "c", "test", $"backlog-{i}", new MentionAuthor("a" + i, "user" + i, "U", 10, false),
            $"@contoso backlog {i}", "en", new MentionMetrics(0, 0, 0, 0), null, Week0.AddHours(i % 4), "contoso")).ToList();

        // A backlog of four posting hours processed in one hour: the rows share the processing hour's partition (and its transactions).
        await Task.WhenAll(mentions.Select(m => Task.Run(() => log.RecordAsync(m, "care", "default", [], CancellationToken.None))));

        Assert.Equal([VolumeLog.HourKey(Week0.AddHours(5))], (await harness.RowsAsync(StorageNames.MentionVolumeTable)).Select(r => r.PartitionKey).Distinct());
        for (var h = 0; h < 4; h++)
        {
            Assert.Equal(3, (await log.ReadHourAsync(Week0.AddHours(h), CancellationToken.None))["brand:contoso"].Count);
        }

        Assert.Empty(await log.ReadHourAsync(Week0.AddHours(5), CancellationToken.None));
    }

    [Fact]
    public async Task Record_RedeliveredInALaterHour_CountsOnceInItsPostingHour()
    {
        await using var harness = await HarnessAsync();
        await PostAsync(harness, Week0.AddMinutes(50), 3, "@contoso late again", "late");
        var log = harness.Services.GetRequiredService<VolumeLog>();
        harness.Clock.SetUtcNow(Week0.AddHours(1).AddMinutes(10));
        var again = new MentionMessage(MentionMessage.CurrentSchemaVersion, "c", "test", "late-0", new MentionAuthor("a0", "user0", "U", 10, false),
            "@contoso late again #0", "en", new MentionMetrics(0, 0, 0, 0), null, Week0.AddMinutes(50), "contoso");

        await log.RecordAsync(again, "care", "default", ["outage"], CancellationToken.None);

        Assert.Equal(2, (await harness.RowsAsync(StorageNames.MentionVolumeTable)).Select(r => r.PartitionKey).Distinct().Count());
        var rows = await log.ReadHourAsync(Week0, CancellationToken.None);
        Assert.Equal(3, rows["brand:contoso"].Count);
        Assert.Equal(3, rows["tag:outage"].Count);
        Assert.Empty(await log.ReadHourAsync(Week0.AddHours(1), CancellationToken.None));
    }

    [Fact]
    public async Task ReadHourAsync_RowsWrittenBeforeProcessingHourPartitions_StillCounted()
    {
        await using var harness = await HarnessAsync();
        await PostAsync(harness, Week0, 2, "@contoso new layout", "new");
        // A row as written before: in its posting hour's partition, keyed by series and mention alone.
        await harness.Table(StorageNames.MentionVolumeTable).AddEntityAsync(new Azure.Data.Tables.TableEntity(VolumeLog.HourKey(Week0), "brand:contoso|test:old-0")
        {
            ["Series"] = "brand:contoso", ["Team"] = "care", ["Text"] = "@contoso old layout", ["MentionKey"] = "test:old-0",
        });

        Assert.Equal(3, (await harness.Services.GetRequiredService<VolumeLog>().ReadHourAsync(Week0, CancellationToken.None))["brand:contoso"].Count);
    }

    [Fact]
    public async Task Sweep_BrandZoneHalfAnHourOffUtc_MondayNineToTenLocalFoldsAsOneHourOfTheWeek()
    {
        await using var harness = await HarnessAsync(timeZone: "Asia/Kolkata");
        await SweepAsync(harness, Week0);

        // Monday 09:05 and 09:55 in Kolkata: two UTC hours, one local hour.
        await PostAsync(harness, Week0.AddHours(3).AddMinutes(30), 3, "@contoso morning login trouble", "early");
        await PostAsync(harness, Week0.AddHours(4).AddMinutes(20), 4, "@contoso morning login trouble", "late");
        await SweepAsync(harness, Week0.AddHours(4).AddMinutes(40));

        var baselines = (await harness.RowsAsync(StorageNames.VolumeBaselinesTable)).Where(r => r.PartitionKey == "b|brand:contoso").ToList();
        Assert.Equal(7, Assert.Single(baselines, r => r.RowKey == "009").GetInt32("LastCount"));
        Assert.Equal(7, baselines.Sum(r => r.GetInt32("LastCount") ?? 0));
    }

    [Fact]
    public async Task Sweep_VolumeRowsOfHoursFoldedLongAgo_PrunedAndARepeatDeletesNothing()
    {
        await using var harness = await HarnessAsync();
        await SweepAsync(harness, Week0);
        await PostAsync(harness, Week0.AddHours(1), 5, "@contoso old news", "old");
        await PostAsync(harness, Week0.AddDays(3), 5, "@contoso fresh news", "new");
        var log = harness.Services.GetRequiredService<VolumeLog>();

        var first = await SweepAsync(harness, Week0.AddDays(3).AddMinutes(30));
        var again = await SweepAsync(harness, Week0.AddDays(3).AddMinutes(35));

        Assert.Equal(5 * 3, first.VolumeRowsPruned);
        Assert.Equal(0, again.VolumeRowsPruned);
        Assert.Empty(await log.ReadHourAsync(Week0.AddHours(1), CancellationToken.None));
        Assert.Equal(5, (await log.ReadHourAsync(Week0.AddDays(3), CancellationToken.None))["brand:contoso"].Count);
    }

    [Fact]
    public async Task Prune_MoreRowsThanARunMayDelete_BoundedPerCallAndTheNextCallGoesOn()
    {
        await using var harness = await HarnessAsync();
        await PostAsync(harness, Week0, 4, "@contoso first hour", "a");
        await PostAsync(harness, Week0.AddHours(1), 3, "@contoso second hour", "b");
        var log = harness.Services.GetRequiredService<VolumeLog>();
        var cutoff = Week0.AddHours(2);

        var deleted = new List<int>();
        for (var call = 0; call < 4; call++)
        {
            deleted.Add(await log.PruneAsync(cutoff, 10, CancellationToken.None));
        }

        Assert.Equal([10, 10, 1, 0], deleted);
        Assert.Empty(await harness.RowsAsync(StorageNames.MentionVolumeTable));
    }
}
