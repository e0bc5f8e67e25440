using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Integration.Tests;

/// <summary>The directory's table on Azurite, as in Azure (no development identities): concurrent saves, and a team too large for a row.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DirectoryStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> InAzure = new() { ["Api:DevIdentities"] = "" };

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SaveTeamAsync_TwoManagersFromTheSameRevisionAtOnce_OneSavedOther412AndOneHistoryRowEach()
    {
        await using var one = await Harness.CreateAsync(azurite.ConnectionString, settings: InAzure, withSample: false);
        await using var two = await Harness.CreateAsync(azurite.ConnectionString, settings: InAzure, withSample: false);
        var seen = (await one.Services.GetRequiredService<TeamDirectory>().ReadAsync(CancellationToken.None)).Team("care")!.Revision;

        var results = await Task.WhenAll(
            one.Services.GetRequiredService<TeamDirectory>().SaveTeamAsync("care", Edit("6f1c9a2e-0000-4000-8000-00000000d4a4", 2), "mia", seen, create: false, CancellationToken.None),
            two.Services.GetRequiredService<TeamDirectory>().SaveTeamAsync("care", Edit("6f1c9a2e-0000-4000-8000-00000000d4a5", 3), "max", seen, create: false, CancellationToken.None));

        Assert.Equal([200, 412], results.Select(r => r.Status).Order());
        var history = await one.Services.GetRequiredService<TeamDirectory>().HistoryAsync("care", 10, CancellationToken.None);
        Assert.Equal([seen + 1, seen], history.Select(h => h.Revision));
    }

    [Fact]
    public async Task SaveTeamAsync_TeamTooLargeForATableRow_400AtMembersAndNothingStored()
    {
        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: InAzure, withSample: false);
        var directory = harness.Services.GetRequiredService<TeamDirectory>();
        var before = (await directory.ReadAsync(CancellationToken.None)).Team("care")!;
        var members = Enumerable.Range(0, DirectoryRules.MaxMembers)
            .Select(i => new MemberEdit($"{i:D4}" + new string('x', DirectoryRules.MaxIdChars - 4), new string('é', DirectoryRules.MaxNameChars), "agent", 5))
            .ToList();

        var result = await directory.SaveTeamAsync("care", new TeamEdit(null, null, null, null, "off", members), "mia", null, create: false, CancellationToken.None);

        Assert.Equal(400, result.Status);
        Assert.Contains("make the team smaller", result.Errors!["members"][0], StringComparison.Ordinal);
        Assert.Equal(before.Revision, (await directory.ReadAsync(CancellationToken.None)).Team("care")!.Revision);
        Assert.DoesNotContain(await harness.RowsAsync(StorageNames.DirectoryTable), r => r.PartitionKey == DirectoryStore.TeamPartition("care") && r.RowKey == DirectoryStore.HistoryRowKey(before.Revision + 1));
    }

    private static TeamEdit Edit(string id, int capacity) => new("Customer care", null, null, [], "least-loaded", [new MemberEdit(id, "Dana", "agent", capacity)]);
}
