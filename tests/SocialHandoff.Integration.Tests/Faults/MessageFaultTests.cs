using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>Hostile messages on mentions-incoming: each is handed off within the tables' limits or dead-lettered with a reason, and none holds the others.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MessageFaultTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Drain = TimeSpan.FromMinutes(3);

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Drain_UndecodableMessagesAmongValidOnes_OthersHandedOffTheyAreDeadLetteredOnce()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        var mentions = (await harness.SampleMentionsAsync()).Take(20).ToList();
        var raw = new QueueServiceClient(harness.ConnectionString).GetQueueClient(StorageNames.MentionsIncomingQueue);
        var queue = harness.Services.GetRequiredService<IMentionQueue>();
        string[] undecodable = ["not base64 at all!", "{\"id\":\"plain json, not base64\"}", "QUJD*"];
        for (var i = 0; i < mentions.Count; i++)
        {
            await queue.EnqueueAsync(mentions[i], CancellationToken.None);
            if (i % 7 == 3)
            {
                await raw.SendMessageAsync(undecodable[i / 7]);
            }
        }

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        Assert.Equal(mentions.Count, (await harness.HandoffRowsAsync()).Count + await harness.JoinedIncidentsAsync());
        var dead = await harness.RowsAsync(StorageNames.DeadLettersTable);
        Assert.Equal(undecodable.Order(StringComparer.Ordinal), dead.Select(DeadLetterStore.ReadBody).Order(StringComparer.Ordinal));
        Assert.All(dead, d => Assert.Contains("not valid base64", d.GetString("Reason"), StringComparison.Ordinal));
        Assert.Equal(0, summary.QueuedMessages);
        Assert.Equal(0, await harness.QueueLengthAsync(StorageNames.PoisonOfPoisonQueue));
        Assert.Equal(undecodable.Length, summary.OtherDeadLetters);
    }

    [Fact]
    public async Task Process_OverLongIdsAndOversizedTexts_HandedOffUnderSafeKeysWithStoredCopiesFlagged()
    {
        // Three of these carry the same text, which would make them one incident: each is its own handoff here.
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: new Dictionary<string, string?> { ["Incidents:Enabled"] = "false" });
        var template = (await harness.SampleMentionsAsync())[0];
        var hostile = new[]
        {
            template with { Id = new string('7', 1_500) },
            template with { Id = "a/b\\c#d?e%f\u0001\ud800" + new string('x', 600) },
            template with { Id = new string('i', 40_000), Text = "refund please" },
            template with { Id = "long-ascii", Text = "I was charged twice. " + new string('a', 40_000) },
            template with { Id = "long-cjk", Text = string.Concat(Enumerable.Repeat("退款还没有到账", 1_300)) },
            template with { Id = "long-everything", Author = template.Author with { Handle = new string('h', 10_000), Name = new string('n', 10_000) }, Url = "https://example.com/" + new string('u', 10_000) },
        };
        var queue = harness.Services.GetRequiredService<IMentionQueue>();
        foreach (var mention in hostile)
        {
            await queue.EnqueueAsync(mention, CancellationToken.None);
        }

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);

        Assert.Empty(await harness.RowsAsync(StorageNames.DeadLettersTable));
        var handoffs = (await harness.HandoffRowsAsync()).ToDictionary(h => h.PartitionKey);
        Assert.Equal(hostile.Length, handoffs.Count);
        var ledger = await harness.LedgerRowsAsync();
        Assert.Equal(hostile.Length, ledger.Count);
        Assert.All(ledger, row =>
        {
            Assert.Equal(MentionLedger.Received, row.GetString("Status"));
            Assert.True(HandoffIds.IsWellFormed(row.PartitionKey));
            Assert.True(MentionJson.TryParse(row.GetString("Body"), out _, out var why), why);
        });
        Assert.Equal(hostile.Length, (await harness.IndexRowsAsync()).Count);
        var longText = handoffs[HandoffIds.For(hostile[3].Key)];
        Assert.True(longText.GetBoolean("TextTruncated"));
        Assert.Equal(hostile[3].Text.Length, longText.GetInt32("TextLength"));
        Assert.StartsWith("I was charged twice.", longText.GetString("Text"), StringComparison.Ordinal);
        Assert.Null(handoffs[HandoffIds.For(hostile[4].Key)].GetBoolean("TextTruncated"));
        Assert.Equal(hostile[4].Text, handoffs[HandoffIds.For(hostile[4].Key)].GetString("Text"));
        Assert.Equal(hostile.Length, await harness.TeamMessagesAsync());

        // Delivered again (at least once): the safe keys are the same, so nothing is written twice.
        foreach (var mention in hostile)
        {
            await queue.EnqueueAsync(mention with { CorrelationId = "again" }, CancellationToken.None);
        }

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        Assert.Equal(hostile.Length, (await harness.HandoffRowsAsync()).Count);
        Assert.Equal(hostile.Length, await harness.TeamMessagesAsync());
    }

    [Fact]
    public async Task RecordDeadLetter_HostileBodiesAndKeys_RecordedWithinTableLimits()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        var store = harness.Services.GetRequiredService<DeadLetterStore>();
        var template = (await harness.SampleMentionsAsync())[0];
        var huge = new string('z', 1_000_000);
        var pairs = string.Concat(Enumerable.Repeat("😀", 200_000));
        var longKey = template with { Id = new string('/', 5_000) };

        await store.RecordAsync(StorageNames.MentionsIncomingQueue, huge, null, new string('r', 100_000), DeadLetterReasons.Unreadable, 5, CancellationToken.None);
        await store.RecordAsync(StorageNames.MentionsIncomingQueue, pairs, null, "emoji", DeadLetterReasons.Unreadable, 5, CancellationToken.None);
        await store.RecordAsync(StorageNames.MentionsIncomingQueue, MentionJson.Serialize(longKey), longKey, "long key", DeadLetterReasons.Poisoned, 5, CancellationToken.None);
        await store.RecordAsync(StorageNames.MentionsIncomingQueue, MentionJson.Serialize(longKey), longKey, "long key", DeadLetterReasons.Poisoned, 6, CancellationToken.None);
        await store.RecordAsync("file:a/b#c", new RejectedRecord(new string('l', 3_000), "raw", "why"), CancellationToken.None);

        var rows = await harness.RowsAsync(StorageNames.DeadLettersTable);
        Assert.Equal(4, rows.Count);
        var big = Assert.Single(rows, r => r.GetInt32("BodyLength") == huge.Length);
        Assert.True(big.GetBoolean("BodyTruncated"));
        Assert.StartsWith(DeadLetterStore.ReadBody(big), huge, StringComparison.Ordinal);
        var emoji = Assert.Single(rows, r => r.GetString("Reason") == "emoji");
        var emojiBody = DeadLetterStore.ReadBody(emoji);
        Assert.True(emojiBody.Length > 0 && emojiBody.Length % 2 == 0 && pairs.StartsWith(emojiBody, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.True(r.RowKey.Length <= 512 && r.PartitionKey.Length <= 512));
        Assert.Equal(longKey.Key, MentionJson.TryParse(DeadLetterStore.ReadBody(Assert.Single(rows, r => r.GetString("Reason") == "long key")), out var parsed, out _) ? parsed.Key : null);
    }

    [Fact]
    public async Task Drain_MessagesOnPoisonOfPoison_RecordedInDeadLettersAndQueueEmptied()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        var mention = (await harness.SampleMentionsAsync())[3];
        await harness.Queue(StorageNames.PoisonOfPoisonQueue).SendMessageAsync(MentionJson.Serialize(mention));
        await new QueueServiceClient(harness.ConnectionString).GetQueueClient(StorageNames.PoisonOfPoisonQueue).SendMessageAsync("raw, not base64");

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        var dead = await harness.RowsAsync(StorageNames.DeadLettersTable);
        Assert.Equal(2, dead.Count);
        Assert.Contains(dead, d => d.GetString("MentionKey") == mention.Key);
        Assert.Contains(dead, d => DeadLetterStore.ReadBody(d) == "raw, not base64");
        Assert.Equal(0, await harness.QueueLengthAsync(StorageNames.PoisonOfPoisonQueue));
        Assert.Equal(0, summary.QueuedMessages);
    }

    [Fact]
    public async Task Summarize_RedeliveredMentions_EachCountedOnceAndComplete()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString);
        await harness.Pipeline.IngestOnceAsync(CancellationToken.None);
        var queue = harness.Services.GetRequiredService<IMentionQueue>();
        foreach (var mention in (await harness.SampleMentionsAsync()).Take(30))
        {
            // Copies of ingested mentions, as a redelivery after a lost delete would bring them.
            await queue.EnqueueAsync(mention with { CorrelationId = "copy" }, CancellationToken.None);
        }

        await harness.Pipeline.DrainAsync(Drain, CancellationToken.None);
        var summary = await harness.Pipeline.SummarizeAsync(CancellationToken.None);

        Assert.True(summary.Complete);
        Assert.Equal(Harness.SampleCount, summary.Ingested);
        Assert.Equal(Harness.SampleCount, summary.HandedOff);
        Assert.Equal(30, summary.Duplicates);
    }
}
