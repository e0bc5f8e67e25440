using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Incidents;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Incidents;

/// <summary>
/// A brand's incident opens and joins in flight together share one transaction (IncidentStore's group
/// commit), on Azurite: the count stays exact, each write succeeds or fails on its own rows, and a
/// crash after the shared commit is finished by the redelivery.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IncidentGroupCommitTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Complaint = "@ContosoBank I was charged twice for my debit card order #4821 and nobody answers the chat. I want a refund today.";
    private const string Partition = "brand|contoso";

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TryJoinAsync_TwelveCopiesOfOneIncidentTogether_FewTransactionsExactCountOneSurge()
    {
        var counter = new CountingPolicy();
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, s => s.AddSingleton<HttpPipelinePolicy>(counter), withSample: false);
        var store = harness.Services.GetRequiredService<IncidentStore>();
        var options = harness.Services.GetRequiredService<IOptions<IncidentOptions>>().Value;
        var opened = await OpenAsync(store, 0);
        counter.Reset();

        var joins = Enumerable.Range(1, 12).Select(i => Member(i))
            .Select(m => store.TryJoinAsync(Partition, opened, m, incident => IncidentRules.Add(incident, m, 10, options), CancellationToken.None))
            .ToList();
        var results = await Task.WhenAll(joins);

        Assert.All(results, r => Assert.True(r.Written));
        Assert.InRange(counter.Count("POST $batch"), 1, 3);
        var stored = await store.GetAsync(Partition, opened.Incident.Id, CancellationToken.None);
        Assert.Equal(13, stored!.Incident.Count);
        Assert.Equal(1000 + (12 * 10), stored.Incident.Reach);
        // The tenth copy (of SurgeCount 10 within the hour) makes the surge, whichever transaction carried it.
        Assert.Single(results, r => r.Surged);
        Assert.Equal(12, (await store.MembersAsync(Partition, opened.Incident.Id, CancellationToken.None)).Count - 1);
    }

    [Fact]
    public async Task TryJoinAsync_OneOfTheGroupAMemberAlready_OthersWrittenItNotAndCountedOnce()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var store = harness.Services.GetRequiredService<IncidentStore>();
        var options = harness.Services.GetRequiredService<IOptions<IncidentOptions>>().Value;
        var opened = await OpenAsync(store, 0);
        var again = Member(1);
        var first = await store.TryJoinAsync(Partition, opened, again, incident => IncidentRules.Add(incident, again, 0, options), CancellationToken.None);
        Assert.True(first.Written);
        var current = (await store.GetAsync(Partition, opened.Incident.Id, CancellationToken.None))!;

        // A redelivery of member 1 read the incident with the others: its membership insert fails the shared transaction, the others go again.
        var members = new[] { again, Member(2), Member(3) };
        var results = await Task.WhenAll(members.Select(m => store.TryJoinAsync(Partition, current, m, incident => IncidentRules.Add(incident, m, 0, options), CancellationToken.None)));

        Assert.False(results[0].Written);
        Assert.True(results[1].Written);
        Assert.True(results[2].Written);
        Assert.Equal(4, (await store.GetAsync(Partition, opened.Incident.Id, CancellationToken.None))!.Incident.Count);
    }

    [Fact]
    public async Task TryOpenAsync_TwoOpensClaimingOneBandTogether_OneOpensTheOtherLooksAgain()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var store = harness.Services.GetRequiredService<IncidentStore>();
        var bands = NearDuplicates.BandKeys(NearDuplicates.Shingles(NearDuplicates.Normalize(Complaint)));

        var results = await Task.WhenAll(
            store.TryOpenAsync(Partition, Incident(1), Member(1), [.. bands.Select(b => (b, (IncidentStore.Band?)null))], Harness.Start, CancellationToken.None),
            store.TryOpenAsync(Partition, Incident(2), Member(2), [.. bands.Take(1).Select(b => (b, (IncidentStore.Band?)null))], Harness.Start, CancellationToken.None));

        Assert.Single(results, r => r.Written);
        var (_, held) = await store.LookUpAsync(Partition, "none", bands, CancellationToken.None);
        Assert.Single(held.Select(b => b.IncidentId).Distinct());
    }

    [Fact]
    public async Task ProcessAsync_CopiesJoinedTogetherThenCrashBeforeTheirQueueDeletes_RedeliveryOnAnotherInstanceCountUnchanged()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var stage = one.Services.GetRequiredService<ProcessMentionStage>();
        Assert.Equal(ProcessOutcome.HandedOff, await stage.ProcessAsync(MentionJson.Serialize(IncidentCopies.Copy(0, Complaint)), 1, CancellationToken.None));
        var copies = Enumerable.Range(1, 8).Select(i => IncidentCopies.Copy(i, Complaint)).ToList();
        var outcomes = await Task.WhenAll(copies.Select(c => stage.ProcessAsync(MentionJson.Serialize(c), 1, CancellationToken.None)));
        Assert.All(outcomes, o => Assert.Equal(ProcessOutcome.JoinedIncident, o));

        // As if the deliveries of three of them died after the shared join committed (it recorded them) and before their queue deletes.
        var again = await Task.WhenAll(copies.Take(3).Select(c => two.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(c), 2, CancellationToken.None)));

        Assert.All(again, o => Assert.Equal(ProcessOutcome.Duplicate, o));
        var handoff = Assert.Single(await one.HandoffRowsAsync());
        Assert.Equal(9, (await one.Services.GetRequiredService<IncidentStore>().ForHandoffAsync(handoff.PartitionKey, CancellationToken.None))!.Count);
        Assert.Single(await one.LedgerRowsAsync());
        Assert.Equal(8, (await one.JoinedRecordsAsync()).Count(l => l.GetString("IncidentId") == handoff.PartitionKey));
        Assert.All(await Task.WhenAll(copies.Select(c => stage.ProcessAsync(MentionJson.Serialize(c), 3, CancellationToken.None))), o => Assert.Equal(ProcessOutcome.Duplicate, o));
    }

    private static async Task<IncidentStore.Stored> OpenAsync(IncidentStore store, int i)
    {
        var bands = NearDuplicates.BandKeys(NearDuplicates.Shingles(NearDuplicates.Normalize(Complaint)));
        var incident = Incident(i);
        Assert.True((await store.TryOpenAsync(Partition, incident, Member(i), [.. bands.Select(b => (b, (IncidentStore.Band?)null))], Harness.Start, CancellationToken.None)).Written);
        return (await store.GetAsync(Partition, incident.Id, CancellationToken.None))!;
    }

    private static Incident Incident(int i) =>
        new(HandoffIds.For($"test:copy{i}"), "contoso", 1, 1000, [Member(i)], Harness.Start, Harness.Start, [Harness.Start], null, NearDuplicates.Normalize(Complaint));

    private static IncidentMember Member(int i) => new($"test:copy{i}", $"user_copy{i}", null, Harness.Start.AddMinutes(i));

    /// <summary>Counts the storage requests the app's clients send, as "METHOD resource".</summary>
    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private ConcurrentQueue<string> _requests = new();

        public int Count(string prefix) => _requests.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

        public void Reset() => _requests = new ConcurrentQueue<string>();

        public override void OnSendingRequest(HttpMessage message)
        {
            var path = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            _requests.Enqueue($"{message.Request.Method} {(path.Length > 1 ? Uri.UnescapeDataString(path[1]) : "?")}");
        }
    }
}
