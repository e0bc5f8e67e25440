using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Assignment;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// Auto-assignment under concurrency on Azurite: two instances (each its own services, caches and
/// assigner) and many triggers at once, the way at-least-once queue delivery, the SLA sweep and agents'
/// actions overlap in Azure. Nobody ever holds more than their capacity, and every assignment is one
/// audit event.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AutoAssignmentTests(AzuriteFixture azurite) : IAsyncLifetime
{
    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RunAsync_ConcurrentTriggersOnTwoInstances_NeverOverCapacityAndOneEventPerAssignment()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await HandOffAsync(i % 2 == 0 ? one : two, $"c{i}", $"@contoso smoke and fire at the {Harness.Place(i)} store"));
        }

        // Turned on without a run, so the runs below all start at once.
        var directory = one.Services.GetRequiredService<TeamDirectory>();
        var crisis = (await directory.ReadAsync(CancellationToken.None)).Team("crisis")!;
        var on = crisis with
        {
            AutoAssign = DirectoryRules.AutoAssignLeastLoaded, Revision = crisis.Revision + 1,
            Members = [new DirectoryMember("kai", "Kai", "lead", 1), new DirectoryMember("lea", "Lea", "agent", 2)],
        };
        var stored = await one.Services.GetRequiredService<DirectoryStore>().ReadTeamAsync("crisis", CancellationToken.None);
        Assert.Equal(DirectoryWrite.Saved, await one.Services.GetRequiredService<DirectoryStore>().SaveTeamAsync(on, stored!.Value.ETag, "test", CancellationToken.None));

        // Sixteen runs at once across both instances, and four new crisis handoffs processed meanwhile (each runs it too).
        var runs = Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? one : two).Services.GetRequiredService<AutoAssignment>().RunAsync("crisis", CancellationToken.None));
        var more = Enumerable.Range(10, 4).Select(i => HandOffAsync(i % 2 == 0 ? one : two, $"c{i}", $"@contoso there is a fire in the {Harness.Place(i)} store"));
        await Task.WhenAll(runs.Cast<Task>().Concat(more));

        var held = await OpenClaimsAsync(one);
        Assert.Equal(1, held.GetValueOrDefault("kai"));
        Assert.Equal(2, held.GetValueOrDefault("lea"));
        Assert.Equal(3, await AutoAssignedEventsAsync(one));

        // Lea resolves one; concurrent runs give her exactly one more, and kai none.
        var leas = await OpenHeldByAsync(one, "lea");
        var lea = new Caller("lea", ["agent.crisis"]);
        var resolved = await one.Services.GetRequiredService<HandoffWork>().ApplyAsync(leas[0], new WorkCommand(WorkVerb.Resolve), lea, null, CancellationToken.None);
        Assert.Null(resolved.Refusal);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? one : two).Services.GetRequiredService<AutoAssignment>().RunAsync("crisis", CancellationToken.None)));

        held = await OpenClaimsAsync(one);
        Assert.Equal(1, held.GetValueOrDefault("kai"));
        Assert.Equal(2, held.GetValueOrDefault("lea"));
        Assert.Equal(4, await AutoAssignedEventsAsync(one));
        var locks = await one.RowsAsync(StorageNames.DirectoryTable);
        Assert.Equal("", Assert.Single(locks, r => r.PartitionKey == AssignmentLock.Partition("crisis")).GetString("Holder"));
    }

    [Fact]
    public async Task RunAsync_AgentClaimsWhileAssigning_AgentsClaimWinsAndCountsAgainstCapacity()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await HandOffAsync(harness, $"m{i}", $"@contoso fire alarm and smoke in the {Harness.Place(i)} store"));
        }

        var store = harness.Services.GetRequiredService<DirectoryStore>();
        var stored = (await store.ReadTeamAsync("crisis", CancellationToken.None))!.Value;
        var on = stored.Team with { AutoAssign = DirectoryRules.AutoAssignRoundRobin, Revision = stored.Team.Revision + 1, Members = [new DirectoryMember("lea", "Lea", "agent", 2)] };
        Assert.Equal(DirectoryWrite.Saved, await store.SaveTeamAsync(on, stored.ETag, "test", CancellationToken.None));

        var lea = new Caller("lea", ["agent.crisis"]);
        var work = harness.Services.GetRequiredService<HandoffWork>();
        var claims = ids.Select(id => work.ApplyAsync(id, new WorkCommand(WorkVerb.Claim), lea, null, CancellationToken.None)).ToList();
        var run = harness.Services.GetRequiredService<AutoAssignment>().RunAsync("crisis", CancellationToken.None);
        await Task.WhenAll(claims.Cast<Task>().Append(run));

        // Her own six claims stand (an agent's claim is never refused for capacity); nothing more is given to her.
        Assert.All(claims, c => Assert.Null(c.Result.Refusal));
        Assert.Equal(6, (await OpenClaimsAsync(harness))["lea"]);
        var events = await AutoAssignedEventsAsync(harness);
        Assert.True(events <= 2, $"{events} auto-assignments on top of an agent's claims");
    }

    [Fact]
    public async Task ReleaseAsync_RerunAskedWhileHeld_LockFreeForTheNextTriggerNotRenewed()
    {
        // Regression: after a failed pass the lock was given back with ReleaseOrRerunAsync, which renews it when a rerun was asked: held for a lease with nobody running.
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var locks = harness.Services.GetRequiredService<AssignmentLock>();
        var lease = await locks.TryAcquireAsync("crisis", CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Null(await locks.TryAcquireAsync("crisis", CancellationToken.None));

        await locks.ReleaseAsync(lease!, CancellationToken.None);

        var next = await locks.TryAcquireAsync("crisis", CancellationToken.None);
        Assert.NotNull(next);
        Assert.False(await locks.ReleaseOrRerunAsync(next!, CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseOrRerunAsync_RerunAskedWhileHeld_TrueOnceThenGivenBack()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, withSample: false);
        var locks = harness.Services.GetRequiredService<AssignmentLock>();
        var lease = await locks.TryAcquireAsync("care", CancellationToken.None);
        Assert.Null(await locks.TryAcquireAsync("care", CancellationToken.None));

        Assert.True(await locks.ReleaseOrRerunAsync(lease!, CancellationToken.None));
        Assert.False(await locks.ReleaseOrRerunAsync(lease!, CancellationToken.None));
        Assert.NotNull(await locks.TryAcquireAsync("care", CancellationToken.None));
    }

    private static async Task<string> HandOffAsync(Harness harness, string id, string text)
    {
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", 500, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", Harness.Start, "contoso");
        Assert.Equal(ProcessOutcome.HandedOff, await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        return HandoffIds.For(mention.Key);
    }

    private static async Task<Dictionary<string, int>> OpenClaimsAsync(Harness harness)
    {
        var rows = await harness.RowsAsync(StorageNames.HandoffsTable);
        return rows.Where(r => r.RowKey == HandoffStore.HandoffRowKey && r.GetString("Status") != HandoffStore.StatusResolved && !string.IsNullOrEmpty(r.GetString("Assignee")))
            .GroupBy(r => r.GetString("Assignee")!)
            .ToDictionary(g => g.Key, g => g.Count());
    }

    private static async Task<List<string>> OpenHeldByAsync(Harness harness, string person) =>
        (await harness.RowsAsync(StorageNames.HandoffsTable))
            .Where(r => r.RowKey == HandoffStore.HandoffRowKey && r.GetString("Status") != HandoffStore.StatusResolved && r.GetString("Assignee") == person)
            .Select(r => r.PartitionKey).ToList();

    private static async Task<int> AutoAssignedEventsAsync(Harness harness) =>
        (await harness.EventRowsAsync()).Count(e => e.GetString("Type") == WorkRules.AutoAssigned);
}
