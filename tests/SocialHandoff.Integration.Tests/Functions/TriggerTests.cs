using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;
using SocialHandoff.Functions;

namespace SocialHandoff.Integration.Tests.Functions;

/// <summary>Each function class invoked with the app's own composition on Azurite: the triggers are tested as code.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TriggerTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private readonly WebhookServer _webhooks = new();

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _webhooks.Dispose();

    [Fact]
    public async Task ProcessMention_MentionBody_CreatesTheHandoff()
    {
        await using var app = FunctionsApp.Create(azurite.ConnectionString);
        var mention = Mention("p1", "I was charged twice for one order, refund please");

        await app.Function<ProcessMention>().RunAsync(MentionJson.Serialize(mention), 1, CancellationToken.None);

        var handoff = (await app.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(HandoffIds.For(mention.Key), HandoffStore.HandoffRowKey)).Value;
        Assert.Equal("billing", handoff.GetString("Team"));
        Assert.Equal(mention.Key, handoff.GetString("MentionKey"));
    }

    [Fact]
    public async Task RecordDeadLetter_PoisonBodies_RecordTheirReasons()
    {
        await using var app = FunctionsApp.Create(azurite.ConnectionString);
        var mention = Mention("d1", "anything");
        await app.Services.GetRequiredService<MentionLedger>().RecordErrorAsync(mention, "TimeoutException: storage too slow", CancellationToken.None);
        var function = app.Function<RecordDeadLetter>();

        await function.RunAsync(MentionJson.Serialize(mention), 5, CancellationToken.None);
        await function.RunAsync("{ not a mention", 5, CancellationToken.None);

        var rows = new List<TableEntity>();
        await foreach (var row in app.Table(StorageNames.DeadLettersTable).QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        Assert.Contains("storage too slow", Assert.Single(rows, r => r.GetString("MentionKey") == mention.Key).GetString("Reason"), StringComparison.Ordinal);
        Assert.Contains("cannot be read", Assert.Single(rows, r => r.GetString("MentionKey") is null).GetString("Reason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestMentions_OneSourceFails_InvocationFailsNamingItWhileTheOtherAdvances()
    {
        await using var app = FunctionsApp.Create(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Sources:Files:Exports:0:Name"] = "sample",
            ["Sources:Files:Exports:0:Path"] = Harness.SamplePath,
            ["Sources:Files:Exports:1:Name"] = "gone",
            ["Sources:Files:Exports:1:Path"] = Path.Combine(AppContext.BaseDirectory, "no-such-export.jsonl"),
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Function<IngestMentions>().RunAsync(new TimerInfo(), CancellationToken.None));

        Assert.Contains("file:gone", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("file:sample", error.Message, StringComparison.Ordinal);
        var watermarks = app.Services.GetRequiredService<IWatermarkStore>();
        Assert.Equal(Harness.SampleCount.ToString(System.Globalization.CultureInfo.InvariantCulture), await watermarks.GetAsync("file:sample", CancellationToken.None));
        Assert.Null(await watermarks.GetAsync("file:gone", CancellationToken.None));
    }

    [Fact]
    public async Task SlaSweep_OverdueCrisisHandoff_WarnsBreachesAndNotifiesTheTeam()
    {
        await using var app = FunctionsApp.Create(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Sla:Teams:crisis:Webhooks:0:Kind"] = "Teams",
            ["Sla:Teams:crisis:Webhooks:0:Url"] = _webhooks.Url("teams/crisis").ToString(),
            ["Sla:Webhooks:MaxRetryAttempts"] = "0",
            ["Sla:StatsInterval"] = "00:00:00",
        });
        var mention = Mention("s1", "Got food poisoning after lunch at @contoso yesterday");
        await app.Function<ProcessMention>().RunAsync(MentionJson.Serialize(mention), 1, CancellationToken.None);
        var sweep = app.Function<SlaSweep>();

        for (var minute = 0; minute < 60; minute++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            await sweep.RunAsync(new TimerInfo(), CancellationToken.None);
        }

        var events = new List<string>();
        await foreach (var row in app.Table(StorageNames.HandoffsTable).QueryAsync<TableEntity>(e => e.PartitionKey == HandoffIds.For(mention.Key)))
        {
            events.Add(row.GetString("Type") ?? "");
        }

        Assert.Contains(events, e => e.Contains("Warning", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(events, e => e.Contains("Breach", StringComparison.OrdinalIgnoreCase));
        Assert.True(_webhooks.Count("teams/crisis") >= 2, $"{_webhooks.Count("teams/crisis")} notices reached the crisis team");
    }

    [Fact]
    public async Task Api_HealthAndTeamQueue_AnswerThroughAspNetCoreTypes()
    {
        await using var app = FunctionsApp.Create(azurite.ConnectionString);
        await app.Function<ProcessMention>().RunAsync(MentionJson.Serialize(Mention("a1", "@contoso is the autumn menu vegetarian friendly?")), 1, CancellationToken.None);
        var api = app.Function<SocialHandoff.Functions.Api>();

        var health = await FunctionsApp.InvokeAsync(api.Run, "GET", "/api/health");
        var queue = await FunctionsApp.InvokeAsync(api.Run, "GET", "/api/teams/care/handoffs?status=open", user: "ana");
        var refused = await FunctionsApp.InvokeAsync(api.Run, "POST", "/api/handoffs/h-nope/claim", user: "ana", body: "{");

        Assert.Equal(200, health.Status);
        Assert.Equal(200, queue.Status);
        Assert.StartsWith("application/json", queue.ContentType, StringComparison.Ordinal);
        Assert.Contains("vegetarian", queue.Body, StringComparison.Ordinal);
        Assert.InRange(refused.Status, 400, 499);
        Assert.StartsWith("application/problem+json", refused.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_RootAndUnknownPath_ServeIndexWithItsPolicyOr404()
    {
        await using var app = FunctionsApp.Create(azurite.ConnectionString);
        var dashboard = app.Function<Dashboard>();

        var index = await FunctionsApp.InvokeAsync(dashboard.Run, "GET", "/");
        var missing = await FunctionsApp.InvokeAsync(dashboard.Run, "GET", "/../../etc/passwd");

        Assert.Equal(200, index.Status);
        Assert.Contains("<html", index.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("script-src 'self'", index.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Equal(404, missing.Status);
    }

    private static MentionMessage Mention(string id, string text) =>
        new(MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", 120, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", Harness.Start, "contoso");
}
