using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Spam;
using SocialHandoff.Core.Storage;
using SocialHandoff.Integration.Tests.Api;

namespace SocialHandoff.Integration.Tests.Spam;

/// <summary>The spam filter in ProcessMention, the filtered view and restoring, on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SpamFilterTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> SpamOn = new() { ["Spam:Enabled"] = "true" };
    private const string Advert = "Earn £58 a day from home!!! DM me, no experience needed #ad @ContosoBank";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static MentionMessage Mention(string id, string text, long? followers = 20, DateTimeOffset? accountCreated = null, string handle = "promo_bot") =>
        new(MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("author-" + handle, handle, "Bot", followers, false, accountCreated),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/{handle}/status/{id}", Harness.Start, "contoso");

    private static Task<ProcessOutcome> ProcessAsync(Harness harness, MentionMessage mention, long dequeueCount = 1) =>
        harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), dequeueCount, CancellationToken.None);

    [Fact]
    public async Task Process_Advert_FilteredWithReasonsOutOfTeamQueuesWithAuditEvent()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var mention = Mention("ad1", Advert);

        var outcome = await ProcessAsync(harness, mention);

        Assert.Equal(ProcessOutcome.Filtered, outcome);
        Assert.Empty(await harness.HandoffRowsAsync());
        Assert.Equal(0, await harness.TeamMessagesAsync());
        var row = Assert.Single(await harness.RowsAsync(StorageNames.FilteredMentionsTable));
        Assert.Equal("Filtered", row.GetString("Status"));
        Assert.Contains("promo phrases: ", row.GetString("Reasons"), StringComparison.Ordinal);
        var ledger = Assert.Single(await harness.LedgerRowsAsync());
        Assert.Equal(MentionLedger.Filtered, ledger.GetString("Status"));
        var audit = Assert.Single(await harness.EventRowsAsync());
        Assert.Equal(("Filtered", "spam filter", HandoffIds.For(mention.Key)), (audit.GetString("Type"), audit.GetString("Actor"), audit.PartitionKey));
    }

    [Fact]
    public async Task Process_FilteredMentionRedelivered_StaysFilteredWithOneOfEachRow()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var mention = Mention("ad2", Advert);

        var outcomes = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => ProcessAsync(harness, mention, i)));

        Assert.All(outcomes, o => Assert.Equal(ProcessOutcome.Filtered, o));
        Assert.Single(await harness.RowsAsync(StorageNames.FilteredMentionsTable));
        Assert.Single(await harness.EventRowsAsync());
        Assert.Single(await harness.LedgerRowsAsync());
        Assert.Empty(await harness.HandoffRowsAsync());
    }

    [Theory]
    [InlineData("@ContosoBank I was charged twice, screenshot: https://imgur.com/a/x1 https://imgur.com/a/x2 https://imgur.com/a/x3")]
    [InlineData("@ContosoBank @ContosoHelp @ContosoBank @ContosoBank my card was blocked and nobody answers, DM me")]
    [InlineData("@ContosoBank your promo code didn't work and I was charged full price, DM me please")]
    public async Task Process_ComplaintWithLinksHandlesOrPromoWordsFromNewAccount_HandedOff(string text)
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);

        var outcome = await ProcessAsync(harness, Mention("c1", text, followers: 3, accountCreated: Harness.Start.AddDays(-1), handle: "new_customer"));

        Assert.Equal(ProcessOutcome.HandedOff, outcome);
        Assert.Empty(await harness.RowsAsync(StorageNames.FilteredMentionsTable));
    }

    [Fact]
    public async Task Process_NewAccountPostsOneAdvertFiveTimes_FromTheThirdFilteredNamingAgeAndCount()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var created = Harness.Start.AddDays(-2);
        var outcomes = new List<ProcessOutcome>();

        for (var i = 1; i <= 5; i++)
        {
            var mention = Mention("burst" + i, $"Great offers on kettles today only @ContosoBank https://spam.link/{i * 17}", followers: 3, accountCreated: created);
            outcomes.Add(await ProcessAsync(harness, mention));
            outcomes.Add(await ProcessAsync(harness, mention, 2));
        }

        Assert.Equal(
            [ProcessOutcome.HandedOff, ProcessOutcome.Duplicate, ProcessOutcome.HandedOff, ProcessOutcome.Duplicate,
             ProcessOutcome.Filtered, ProcessOutcome.Filtered, ProcessOutcome.Filtered, ProcessOutcome.Filtered, ProcessOutcome.Filtered, ProcessOutcome.Filtered],
            outcomes);
        var reasons = (await harness.RowsAsync(StorageNames.FilteredMentionsTable)).Select(r => r.GetString("Reasons")).OrderBy(r => r).ToList();
        Assert.Equal(["account 2 days old with 3 identical posts", "account 2 days old with 4 identical posts", "account 2 days old with 5 identical posts"], reasons);
    }

    /// <summary>Six identical posts of a day-old account, posted a minute apart; their ids sort against their posting order (it is posting order that decides).</summary>
    private static List<MentionMessage> Burst(string handle) =>
        [.. Enumerable.Range(0, 6).Select(i => Mention($"{handle}-{9 - i}", "Great offers on kettles today only @ContosoBank https://spam.link/k", followers: 3, accountCreated: Harness.Start.AddDays(-2), handle: handle)
            with { PostedAt = Harness.Start.AddMinutes(i) })];

    /// <summary>The indexes (by posting order) of the posts filtered.</summary>
    private static int[] FilteredIndexes(List<MentionMessage> burst, IReadOnlyList<MentionMessage> processed, IReadOnlyList<ProcessOutcome> outcomes) =>
        [.. processed.Zip(outcomes).Where(p => p.Second == ProcessOutcome.Filtered).Select(p => burst.IndexOf(p.First)).Order()];

    [Fact]
    public async Task Process_IdenticalPostsInAnyOrderOrTogether_TheThirdOnwardFilteredAndRedeliveriesAnswerTheSame()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        await ProcessAsync(harness, Mention("warm-up", "Thanks for the quick help with my card today @ContosoBank"));

        // One at a time in posting order: the reference.
        var inOrder = Burst("bot_inorder");
        var sequential = new List<ProcessOutcome>();
        foreach (var mention in inOrder)
        {
            sequential.Add(await ProcessAsync(harness, mention));
        }

        Assert.Equal([2, 3, 4, 5], FilteredIndexes(inOrder, inOrder, sequential));

        // One at a time in another order: as many filtered (the third onward to arrive).
        var shuffled = Burst("bot_shuffled");
        var arrival = shuffled.OrderBy(_ => Random.Shared.Next()).ToList();
        var oneByOne = new List<ProcessOutcome>();
        foreach (var mention in arrival)
        {
            oneByOne.Add(await ProcessAsync(harness, mention));
        }

        Assert.Equal(4, oneByOne.Count(o => o == ProcessOutcome.Filtered));
        Assert.All(oneByOne.Take(2), o => Assert.NotEqual(ProcessOutcome.Filtered, o));

        // All in flight together, started in other orders (as a received batch is): as many filtered (in posting order
        // when each had started before the others counted: RepeatCounter's tests), and a redelivery answers the same.
        foreach (var seed in new[] { 1, 2, 3, 4 })
        {
            var burst = Burst("bot_together" + seed);
            var order = seed == 1 ? Enumerable.Reverse(burst).ToList() : [.. burst.OrderBy(_ => Random.Shared.Next())];

            var outcomes = await Task.WhenAll(order.Select(m => Task.Run(() => ProcessAsync(harness, m))));
            var filtered = FilteredIndexes(burst, order, outcomes);
            Assert.Equal(4, filtered.Length);

            // Every post delivered again, together: the same answer (each reads the rank its row holds).
            var again = await Task.WhenAll(order.Select(m => Task.Run(() => ProcessAsync(harness, m, 2))));
            Assert.Equal(filtered, FilteredIndexes(burst, order, again));
            Assert.All(again, o => Assert.Contains(o, new[] { ProcessOutcome.Filtered, ProcessOutcome.Duplicate }));
        }
    }

    [Fact]
    public async Task CountAsync_EarlierPostProcessedLate_TakesTheNextRankAndLeavesTheRanksGiven()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var counter = harness.Services.GetRequiredService<RepeatCounter>();
        const string Partition = "test|late|fingerprint";
        async Task<int> CountAsync(int minute, string id) =>
            await counter.CountAsync(Partition, RepeatCounter.RowKey(Harness.Start.AddMinutes(minute), id), Harness.Start.AddMinutes(minute), CancellationToken.None);

        Assert.Equal(1, await CountAsync(2, "b"));
        Assert.Equal(2, await CountAsync(3, "c"));

        // Posted first, processed after the others were ranked: the next rank; theirs stand, on every redelivery.
        Assert.Equal(3, await CountAsync(1, "a"));
        Assert.Equal(2, await CountAsync(3, "c"));
        Assert.Equal(1, await CountAsync(2, "b"));
        Assert.Equal(3, await CountAsync(1, "a"));
        Assert.Equal(4, await CountAsync(4, "a"));
    }

    [Fact]
    public async Task CountAsync_PostsOfOnePartitionTogetherInAnyOrder_RankedByPostingTimeThenId()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var counter = harness.Services.GetRequiredService<RepeatCounter>();
        var posts = Enumerable.Range(0, 12).Select(i => (At: Harness.Start.AddMinutes(i / 2), Id: "id" + (9 - (i % 2)).ToString(System.Globalization.CultureInfo.InvariantCulture) + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(p => p.At).ThenBy(p => RepeatCounter.RowKey(p.At, p.Id), StringComparer.Ordinal).ToList();

        foreach (var round in Enumerable.Range(0, 3))
        {
            var partition = "test|together|" + round.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var order = posts.OrderBy(_ => Random.Shared.Next()).ToList();
            var tickets = order.Select(p => counter.Expect(partition, RepeatCounter.RowKey(p.At, p.Id))).ToList();
            var ranks = await Task.WhenAll(order.Select((p, i) => Task.Run(() => counter.CountAsync(partition, RepeatCounter.RowKey(p.At, p.Id), p.At, CancellationToken.None, tickets[i]))));
            tickets.ForEach(t => t.Dispose());

            Assert.Equal(Enumerable.Range(1, posts.Count), order.Zip(ranks).OrderBy(r => r.Second).Select(r => posts.IndexOf(r.First) + 1));
        }
    }

    [Fact]
    public async Task CountAsync_TwoInstancesRankingABurstAtOnce_EveryRankGivenOnce()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);

        // Two instances (each its own counter, so nothing in memory orders them): only storage can keep the ranks apart.
        var instances = new[] { harness.Services.GetRequiredService<RepeatCounter>(), new RepeatCounter(harness.Services.GetRequiredService<StorageClients>()) };
        foreach (var round in Enumerable.Range(0, 4))
        {
            var partition = "test|instances|" + round.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var posts = Enumerable.Range(0, 6).Select(i => (At: Harness.Start.AddSeconds(i), Id: "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
            var ranks = await Task.WhenAll(posts.Select((p, i) => Task.Run(() =>
                instances[i % 2].CountAsync(partition, RepeatCounter.RowKey(p.At, p.Id), p.At, CancellationToken.None))));

            Assert.Equal(Enumerable.Range(1, posts.Count), ranks.Order());

            // A redelivery on the other instance reads the rank given.
            Assert.Equal(ranks[0], await instances[1].CountAsync(partition, RepeatCounter.RowKey(posts[0].At, posts[0].Id), posts[0].At, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Process_CrashAfterItsRepeatCountWasRecorded_RedeliveryKeepsThatCount()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var burst = Burst("bot_crash");
        var last = burst[2];

        // The last-posted post's delivery was screened (its count recorded: the first) and died; the two before it arrive meanwhile.
        var spam = harness.Services.GetRequiredService<SpamFilter>();
        var scorer = harness.Services.GetRequiredService<SocialHandoff.Core.Scoring.MentionScorer>();
        SocialHandoff.Core.Scoring.MentionScore Score(MentionMessage m) =>
            scorer.Score(new SocialHandoff.Core.Scoring.ScoringInput(m.Text, m.Language, m.Author.Followers, m.Author.Verified, m.Metrics.Likes, m.Metrics.Reposts));
        Assert.Null(await spam.ScreenAsync(last, Score(last), CancellationToken.None));
        Assert.NotEqual(ProcessOutcome.Filtered, await ProcessAsync(harness, burst[0]));
        Assert.Equal(ProcessOutcome.Filtered, await ProcessAsync(harness, burst[1]));

        // Its redelivery: the count it recorded, not the three posts there now.
        Assert.NotEqual(ProcessOutcome.Filtered, await ProcessAsync(harness, last, 2));
        Assert.Equal([burst[1].Key], (await harness.RowsAsync(StorageNames.FilteredMentionsTable)).Select(r => r.GetString("MentionKey")));
    }

    [Theory]
    [InlineData(2)] // a redelivery of its message
    [InlineData(1)] // a second message of the same mention: ingest enqueued it again (a crash between the enqueue and the watermark)
    public async Task Process_JoinedCopyDeliveredAgainWhereItWouldNowBeFiltered_StaysWithItsIncident(int dequeueCount)
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var created = Harness.Start.AddYears(-2);
        const string Promotion = "Big kettle sale this weekend only at the corner shop, link in bio for the details @ContosoBank";
        var first = Mention("joined1", Promotion, followers: 500, accountCreated: created, handle: "kettle_shop");
        var second = first with { Id = "joined2", Url = "https://x.com/kettle_shop/status/joined2", PostedAt = Harness.Start.AddMinutes(1) };
        Assert.Equal(ProcessOutcome.HandedOff, await ProcessAsync(one, first));
        Assert.Equal(ProcessOutcome.JoinedIncident, await ProcessAsync(one, second));

        // Another instance whose filter now calls one promo phrase spam (as a changed setting would): its redelivery of the copy.
        await using var two = await Harness.CreateAsync(
            azurite.ConnectionString, settings: new Dictionary<string, string?>(SpamOn) { ["Spam:Threshold"] = "1" }, withSample: false);
        var verdict = two.Services.GetRequiredService<SpamClassifier>().Classify(new SpamInput(second.Text, 500, created, second.PostedAt));
        Assert.True(verdict.IsSpam, "the second instance's filter would filter the copy");

        Assert.Equal(ProcessOutcome.Duplicate, await ProcessAsync(two, second, dequeueCount));

        Assert.Empty(await one.RowsAsync(StorageNames.FilteredMentionsTable));
        Assert.Equal(MentionLedger.HandedOff, (await one.Services.GetRequiredService<MentionLedger>().GetStateAsync(second, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Restore_FilteredMentionHoursLater_KeepsItsArrivalForTheRuleDryRun()
    {
        // Regression: the restore's handoff claimed the ledger row with a new entry, and its arrival became the restore's time.
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var mention = Mention("ad-arrival", Advert);
        var arrived = harness.Clock.GetUtcNow();
        Assert.Equal(ProcessOutcome.Filtered, await ProcessAsync(harness, mention));
        harness.Clock.Advance(TimeSpan.FromHours(3));

        Assert.True((await harness.Services.GetRequiredService<SpamReview>().RestoreAsync(mention.Key, "ana", CancellationToken.None))!.Restored);

        var received = await harness.Services.GetRequiredService<MentionLedger>().ReceivedSinceAsync(arrived.AddMinutes(-1), CancellationToken.None);
        Assert.Equal(arrived, Assert.Single(received, r => r.Mention.Key == mention.Key).ReceivedAt);
        Assert.Equal(MentionLedger.HandedOff, (await harness.Services.GetRequiredService<MentionLedger>().GetStateAsync(mention, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Restore_FilteredMentionTwice_OneHandoffOneTeamMessageAndTheAuditTrail()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn, withSample: false);
        var mention = Mention("ad3", Advert);
        Assert.Equal(ProcessOutcome.Filtered, await ProcessAsync(harness, mention));
        var review = harness.Services.GetRequiredService<SpamReview>();

        var results = await Task.WhenAll(review.RestoreAsync(mention.Key, "ana", CancellationToken.None), review.RestoreAsync(mention.Key, "ben", CancellationToken.None));
        var again = await review.RestoreAsync(mention.Key, "ana", CancellationToken.None);

        Assert.Single(results, r => r!.Restored);
        Assert.False(again!.Restored);
        Assert.Single(await harness.HandoffRowsAsync());
        Assert.Equal(1, await harness.TeamMessagesAsync());
        var events = (await harness.EventRowsAsync()).Where(e => e.PartitionKey == HandoffIds.For(mention.Key)).Select(e => e.GetString("Type")).Order().ToList();
        Assert.Equal(["Created", "Filtered", "Restored"], events);
        Assert.Single(await harness.LedgerRowsAsync());
        Assert.Equal(MentionLedger.HandedOff, (await harness.Services.GetRequiredService<MentionLedger>().GetStateAsync(mention, CancellationToken.None)).Status);
        Assert.Empty(await review.ListAsync(10, includeRestored: false, CancellationToken.None));
        Assert.Equal("Restored", Assert.Single(await review.ListAsync(10, includeRestored: true, CancellationToken.None)).Status);
        Assert.Equal(ProcessOutcome.Duplicate, await ProcessAsync(harness, mention, 3));
    }

    [Fact]
    public async Task RunOnce_SampleWithFilterOn_HandedOffPlusFilteredIsIngestedAndNoComplaintFiltered()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: SpamOn);
        using var metrics = new Telemetry.SourceMetricRecorder("file:sample");

        await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        await harness.Pipeline.DrainAsync(TimeSpan.FromMinutes(3), CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        Assert.True(summary.Complete);
        Assert.Equal(Harness.SampleCount, summary.HandedOff + summary.Filtered + summary.DeadLettered);
        var kinds = File.ReadLines(Harness.SamplePath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(
                r => (r.TryGetProperty("source", out var s) ? s.GetString() : "file:sample") + ":" + r.GetProperty("id").GetString(),
                r => r.TryGetProperty("kind", out var k) ? k.GetString() : "unknown");
        var filtered = (await harness.RowsAsync(StorageNames.FilteredMentionsTable)).Select(r => kinds.GetValueOrDefault(r.GetString("MentionKey")!) ?? "?").ToList();
        Assert.Equal(summary.Filtered, filtered.Count);
        Assert.Equal(Harness.SampleCount, metrics.Total(SocialHandoff.Core.Telemetry.SocialHandoffTelemetry.Instruments.SourceFetched));
        Assert.Equal(summary.Filtered, metrics.Total(SocialHandoff.Core.Telemetry.SocialHandoffTelemetry.Instruments.MentionsFiltered));
        Assert.All(filtered, kind => Assert.Equal("spam", kind));
        Assert.True(filtered.Count >= kinds.Values.Count(k => k == "spam") / 2, $"{filtered.Count} filtered");
    }

    [Fact]
    public async Task Api_FilteredListAndRestore_ListsReasonsRestoresOnceAndRefusesBadInput()
    {
        await using var api = await ApiHost.StartAsync(azurite.ConnectionString, SpamOn);
        var mention = Mention("ad/4", Advert);
        Assert.Equal(ProcessOutcome.Filtered, await ProcessAsync(api.Harness, mention));
        var path = $"api/filtered/{Uri.EscapeDataString(mention.Key)}/restore";

        var (listStatus, list, _) = await api.SendAsync("ana", HttpMethod.Get, "api/filtered");
        var (badStatus, bad, _) = await api.SendAsync("ana", HttpMethod.Post, path, "{\"note\": 5}");
        var (limitStatus, limit, _) = await api.SendAsync("ana", HttpMethod.Get, "api/filtered?limit=0");
        var (missingStatus, _, _) = await api.SendAsync("ana", HttpMethod.Post, "api/filtered/test%3Anope/restore", "{}");
        var (firstStatus, first, _) = await api.SendAsync("ana", HttpMethod.Post, path, "{}");
        var (secondStatus, second, _) = await api.SendAsync("ben", HttpMethod.Post, path, "{}");
        var (afterStatus, after, _) = await api.SendAsync("ana", HttpMethod.Get, "api/filtered");

        Assert.Equal(200, listStatus);
        var item = list!["items"]![0]!;
        Assert.Equal(mention.Key, (string?)item["key"]);
        Assert.Contains(item["reasons"]!.AsArray(), r => ((string?)r)!.StartsWith("promo phrases: ", StringComparison.Ordinal));
        Assert.Equal(400, badStatus);
        Assert.Contains("note", bad!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(400, limitStatus);
        Assert.NotNull(limit!["errors"]!["limit"]);
        Assert.Equal(404, missingStatus);
        Assert.Equal((200, true, "ana"), (firstStatus, (bool)first!["restored"]!, (string?)first["mention"]!["restoredBy"]));
        Assert.Equal((200, false), (secondStatus, (bool)second!["restored"]!));
        Assert.Equal(HandoffIds.For(mention.Key), (string?)first["mention"]!["handoffId"]);
        Assert.Equal(200, afterStatus);
        Assert.Empty(after!["items"]!.AsArray());
        Assert.Equal(1, await api.Harness.TeamMessagesAsync());
    }
}
