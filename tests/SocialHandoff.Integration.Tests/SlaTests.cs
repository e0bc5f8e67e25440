using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// Rules and SLA policies as data, and the sweep, on Azurite with a fake clock and real loopback
/// webhooks. Harness.Start is Monday 2026-11-02 09:30 UTC. The tests save their own policy set
/// (version 2): crisis 10 min first response / 1 h resolution / warn 3 min, every other team
/// 30 min / 2 h / warn 5 min, all 24/7; escalation levels come from the local appsettings
/// (assignee at once, team-lead +15 min, manager +45 min).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SlaTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private const string CrisisText = "Got food poisoning after lunch at @contoso yesterday";
    private const string CareText = "@contoso is the new autumn menu vegetarian friendly?";

    private readonly WebhookServer _webhooks = new();

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _webhooks.Dispose();

    [Fact]
    public async Task Route_RuleSetSavedWhileRunning_PickedUpAfterRefreshAndOldHandoffsKeepTheirPolicy()
    {
        await using var harness = await CreateAsync();
        var first = await ProcessAsync(harness, "r1", CareText);
        var store = harness.Services.GetRequiredService<PolicyStore>();
        var policies = harness.Services.GetRequiredService<LivePolicies>();
        var rules = (await policies.GetRulesAsync(CancellationToken.None)).Rules;

        var vip = rules with
        {
            Rules = [new RoutingRuleDefinition { Name = "menu", When = new RuleConditions { AnyWords = ["menu"] }, Then = new RuleAction { Team = "social", Priority = "P2", Tags = ["menu"] } }, .. rules.Rules],
        };
        var saved = await store.SaveRulesAsync(vip, "manager@contoso", rules.Version, CancellationToken.None);
        var sla = await store.SaveSlaAsync(TestPolicies(careFirstResponse: TimeSpan.FromMinutes(5)), "manager@contoso", 2, CancellationToken.None);
        Assert.True(saved.Saved && sla.Saved);

        var cached = await ProcessAsync(harness, "r2", CareText);
        harness.Clock.Advance(TimeSpan.FromSeconds(30));
        var fresh = await ProcessAsync(harness, "r3", CareText);

        Assert.Equal("care", cached.GetString("Team"));
        Assert.Equal(1, cached.GetInt32("RuleSetVersion"));
        Assert.Equal("social", fresh.GetString("Team"));
        Assert.Equal("menu", fresh.GetString("Rule"));
        Assert.Equal(2, fresh.GetInt32("RuleSetVersion"));
        Assert.Equal("P2", fresh.GetString("Priority"));
        Assert.Equal("menu", fresh.GetString("Tags"));
        Assert.Equal("mentions 'menu'", fresh.GetString("RuleWhy"));
        Assert.Equal(3, fresh.GetInt32("SlaPolicyVersion"));
        Assert.Equal(Harness.Start.AddSeconds(30).AddMinutes(5), fresh.GetDateTimeOffset("FirstResponseDueAt"));

        var old = await HandoffAsync(harness, first.PartitionKey);
        Assert.Equal(2, old.GetInt32("SlaPolicyVersion"));
        Assert.Equal("default", old.GetString("SlaPolicy"));
        Assert.Equal(Harness.Start.AddMinutes(30), old.GetDateTimeOffset("FirstResponseDueAt"));
        Assert.Equal(first.GetString(HandoffStore.SlaColumn), old.GetString(HandoffStore.SlaColumn));
    }

    [Fact]
    public async Task RuleDryRun_ProposedRules_ReportsMovesOfTheLastMentionsAndChangesNothing()
    {
        await using var harness = await CreateAsync();
        await ProcessAsync(harness, "d1", CareText);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await ProcessAsync(harness, "d2", "@contoso the new menu is great");
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await ProcessAsync(harness, "d3", "@contoso what time do you open on sunday?");
        var current = (await harness.Services.GetRequiredService<LivePolicies>().GetRulesAsync(CancellationToken.None)).Rules;
        var proposed = current with
        {
            Rules = [new RoutingRuleDefinition { Name = "menu", When = new RuleConditions { AnyWords = ["menu"] }, Then = new RuleAction { Team = "social" } }, .. current.Rules],
        };

        var dryRun = harness.Services.GetRequiredService<RuleDryRun>();
        var all = await dryRun.RunAsync(proposed, 10, CancellationToken.None);
        var lastTwo = await dryRun.RunAsync(proposed, 2, CancellationToken.None);

        Assert.Equal(3, all.Evaluated);
        Assert.Equal(2, all.Moved);
        Assert.Equal(2, all.MovesByRoute["care -> social"]);
        Assert.Equal(2, lastTwo.Evaluated);
        Assert.Equal(["test:d2"], lastTwo.Moves.Select(m => m.MentionKey));
        Assert.Equal(current.Version, (await harness.Services.GetRequiredService<LivePolicies>().GetRulesAsync(CancellationToken.None)).Rules.Version);
        Assert.Throws<RuleSetInvalidException>(() => dryRun.RunAsync(proposed with { Default = new RuleAction { Team = "Not A Team" } }, 5, CancellationToken.None).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task SaveRules_InvalidRuleSet_RefusedWithEveryErrorAndNeverApplied()
    {
        await using var harness = await CreateAsync();
        var store = harness.Services.GetRequiredService<PolicyStore>();
        var policies = harness.Services.GetRequiredService<LivePolicies>();
        var current = (await policies.GetRulesAsync(CancellationToken.None)).Rules;
        var invalid = current with
        {
            Rules =
            [
                new RoutingRuleDefinition { Name = "bad team", When = new RuleConditions { AnyWords = ["menu"] }, Then = new RuleAction { Team = "Social Media", Priority = "P9" } },
                new RoutingRuleDefinition { Name = "bad range", When = new RuleConditions { MinUrgency = 90, MaxUrgency = 10 }, Then = new RuleAction { Team = "care" } },
            ],
        };

        var result = await store.SaveRulesAsync(invalid, "manager@contoso", null, CancellationToken.None);
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        var handoff = await ProcessAsync(harness, "i1", CareText);

        Assert.False(result.Saved);
        Assert.Contains(result.Errors, e => e.Contains("rule 1 ('bad team'), then.team", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("rule 1 ('bad team'), then.priority", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("rule 2 ('bad range'), when.urgency", StringComparison.Ordinal));
        Assert.Equal(1, await store.GetCurrentVersionAsync(PolicyDocuments.Rules, CancellationToken.None));
        Assert.Null(await store.GetRulesAsync(2, CancellationToken.None));
        Assert.Equal("care", handoff.GetString("Team"));
        Assert.Equal(1, handoff.GetInt32("RuleSetVersion"));
    }

    [Fact]
    public async Task SaveRules_TwoSavesFromTheSameVersion_OnlyOneWins()
    {
        await using var harness = await CreateAsync();
        var store = harness.Services.GetRequiredService<PolicyStore>();
        var current = (await harness.Services.GetRequiredService<LivePolicies>().GetRulesAsync(CancellationToken.None)).Rules;

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            store.SaveRulesAsync(current with { Default = current.Default with { Tags = [$"writer-{i}"] } }, $"writer-{i}", current.Version, CancellationToken.None)));

        Assert.Single(results, r => r.Saved);
        Assert.All(results.Where(r => !r.Saved), r => Assert.True(r.Conflict));
        Assert.Equal(2, await store.GetCurrentVersionAsync(PolicyDocuments.Rules, CancellationToken.None));
        var winner = results.Single(r => r.Saved);
        Assert.Equal(2, winner.Version);
    }

    [Fact]
    public async Task Sweep_FakeClockThroughDueTimes_WarningThenBreachThenEscalationLevels()
    {
        await using var harness = await CreateAsync();
        var handoff = await ProcessAsync(harness, "s1", CrisisText);
        Assert.Equal("crisis", handoff.GetString("Team"));
        var sweep = harness.Services.GetRequiredService<SlaSweepStage>();

        async Task<List<string>> FirstResponseEventsAfterSweepAt(int minutes)
        {
            harness.Clock.SetUtcNow(Harness.Start.AddMinutes(minutes));
            await sweep.RunAsync(CancellationToken.None);
            return (await harness.EventRowsAsync())
                .Where(e => e.GetString("Clock") == "fr").OrderBy(e => e.RowKey).Select(e => $"{e.GetString("Type")}:{e.GetString("Level")}").ToList();
        }

        Assert.Empty(await FirstResponseEventsAfterSweepAt(6));
        Assert.Equal(["SlaWarning:warning"], await FirstResponseEventsAfterSweepAt(7));
        Assert.Equal(1, _webhooks.Count("teams/crisis"));
        Assert.Equal(["SlaWarning:warning"], await FirstResponseEventsAfterSweepAt(9));
        Assert.Equal(["SlaWarning:warning", "SlaBreached:assignee"], await FirstResponseEventsAfterSweepAt(10));
        Assert.Equal(["SlaWarning:warning", "SlaBreached:assignee"], await FirstResponseEventsAfterSweepAt(24));
        Assert.Equal(["SlaWarning:warning", "SlaBreached:assignee", "SlaEscalated:team-lead"], await FirstResponseEventsAfterSweepAt(25));
        Assert.Equal(["SlaWarning:warning", "SlaBreached:assignee", "SlaEscalated:team-lead", "SlaEscalated:manager"], await FirstResponseEventsAfterSweepAt(55));

        var stored = await HandoffAsync(harness, handoff.PartitionKey);
        Assert.Equal("Breached", stored.GetString("FirstResponseSla"));
        Assert.Equal("manager", stored.GetString("FirstResponseEscalationLevel"));
        var bodies = _webhooks.Bodies("teams/crisis");
        Assert.Contains(bodies, b => b.Contains("First response breached for team crisis (assignee)", StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.Contains("First response escalated for team crisis (manager)", StringComparison.Ordinal));
        Assert.All(bodies, b => Assert.Contains("AdaptiveCard", b, StringComparison.Ordinal));
        Assert.Contains(_webhooks.Bodies("slack/crisis"), b => b.Contains("\"blocks\"", StringComparison.Ordinal));
        // Resolution (1 h): warned at 57 min, not yet due at 55.
        Assert.DoesNotContain(await harness.EventRowsAsync(), e => e.GetString("Clock") == "res");
    }

    [Fact]
    public async Task Sweep_RunTwiceAtTheSameTime_EachNotificationSentOnce()
    {
        await using var harness = await CreateAsync();
        await ProcessAsync(harness, "t1", CrisisText);
        await ProcessAsync(harness, "t2", CareText);
        var sweep = harness.Services.GetRequiredService<SlaSweepStage>();
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(40));

        var first = await sweep.RunAsync(CancellationToken.None);
        var second = await sweep.RunAsync(CancellationToken.None);
        // A crash after sending but before the handoff's step moved on: put the step and its due row back, sweep again.
        foreach (var e in (await harness.EventRowsAsync()).Where(e => e.GetString("Type") is "SlaBreached" && e.GetString("Clock") == "fr"))
        {
            var row = await HandoffAsync(harness, e.PartitionKey);
            var rewound = HandoffSla.FromJson(row.GetString(HandoffStore.SlaColumn)!).WithStep(ClockKind.FirstResponse, 1);
            await harness.Table(StorageNames.HandoffsTable).UpdateEntityAsync(
                new TableEntity(e.PartitionKey, HandoffStore.HandoffRowKey) { [HandoffStore.SlaColumn] = rewound.ToJson() }, row.ETag, TableUpdateMode.Merge);
            await harness.Services.GetRequiredService<SlaDueIndex>().AddAsync(
                SlaDueIndex.Due(row.GetString("Team")!, e.PartitionKey, ClockKind.FirstResponse, 0, 1, Harness.Start), CancellationToken.None);
        }

        var third = await sweep.RunAsync(CancellationToken.None);

        Assert.Equal(5, first.Sent);
        Assert.Equal(0, second.Sent);
        Assert.Equal(0, third.Sent);
        Assert.Equal(2, third.Breaches);
        var outbox = await harness.RowsAsync(StorageNames.NotificationsTable);
        Assert.Equal(first.Sent, outbox.Count);
        Assert.All(outbox, n => Assert.Equal(NotificationStates.Sent, n.GetString("State")));
        lock (_webhooks.Received)
        {
            Assert.Equal(first.Sent, _webhooks.Received.Count);
            Assert.Equal(_webhooks.Received.Count, _webhooks.Received.Select(r => r.Body).Distinct().Count());
        }
    }

    [Fact]
    public async Task Sweep_CrashBetweenSendAndRecord_NoDuplicateAndRecordKeptUnconfirmed()
    {
        await using var harness = await CreateAsync(slack: false);
        var handoff = await ProcessAsync(harness, "c1", CrisisText);
        var sweep = harness.Services.GetRequiredService<SlaSweepStage>();
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(7));
        using var crash = new CancellationTokenSource();
        _webhooks.Handlers["/teams/crisis"] = async token =>
        {
            // The webhook got the notice; the process dies before the outbox row is updated.
            await crash.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(2), token);
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sweep.RunAsync(crash.Token));
        _webhooks.Handlers.Clear();
        var pending = Assert.Single(await harness.RowsAsync(StorageNames.NotificationsTable));
        Assert.Equal(NotificationStates.Pending, pending.GetString("State"));

        var again = await sweep.RunAsync(CancellationToken.None);

        Assert.Equal(1, _webhooks.Count("teams/crisis"));
        Assert.Equal(0, again.Sent);
        Assert.Equal(1, again.Unconfirmed);
        var record = Assert.Single(await harness.RowsAsync(StorageNames.NotificationsTable));
        Assert.Equal(NotificationStates.Unconfirmed, record.GetString("State"));
        Assert.Single(await harness.EventRowsAsync(), e => e.PartitionKey == handoff.PartitionKey && e.GetString("Type") == "SlaWarning");
        Assert.Equal(1, HandoffSla.FromJson((await HandoffAsync(harness, handoff.PartitionKey)).GetString(HandoffStore.SlaColumn)!).FirstResponseStep);
    }

    [Fact]
    public async Task Sweep_DeadWebhookEndpoint_OtherNotificationsSentAndEscalationRecorded()
    {
        await using var harness = await CreateAsync(slack: false, settings: new Dictionary<string, string?>
        {
            ["Sla:Teams:care:Webhooks:0:Url"] = _webhooks.Url("dead/care").ToString(),
        });
        _webhooks.Handlers["/dead/care"] = token => Task.Delay(Timeout.Infinite, token);
        var crisis = await ProcessAsync(harness, "d1", CrisisText);
        var care = await ProcessAsync(harness, "d2", CareText);
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(31));

        var result = await harness.Services.GetRequiredService<SlaSweepStage>().RunAsync(CancellationToken.None);

        var outbox = await harness.RowsAsync(StorageNames.NotificationsTable);
        Assert.True(_webhooks.Count("teams/crisis") >= 2);
        Assert.All(outbox.Where(n => n.GetString("Team") == "crisis"), n => Assert.Equal(NotificationStates.Sent, n.GetString("State")));
        var failed = Assert.Single(outbox, n => n.GetString("Team") == "care");
        Assert.Equal(NotificationStates.Failed, failed.GetString("State"));
        Assert.Contains("Teams webhook", failed.GetString("Detail"), StringComparison.Ordinal);
        Assert.Equal(1, result.Failed);
        Assert.Contains(await harness.EventRowsAsync(), e => e.PartitionKey == care.PartitionKey && e.GetString("Type") == "SlaBreached");
        Assert.Equal("Breached", (await HandoffAsync(harness, care.PartitionKey)).GetString("FirstResponseSla"));
        Assert.Equal("Breached", (await HandoffAsync(harness, crisis.PartitionKey)).GetString("FirstResponseSla"));
    }

    [Fact]
    public async Task Move_ToTeamWithAnotherPolicy_NewPolicyAndDueTimesFromTheSameClockHistory()
    {
        await using var harness = await CreateAsync();
        var handoff = await ProcessAsync(harness, "m1", CareText);
        var actions = new Agent(harness.Services.GetRequiredService<HandoffWork>());
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        await actions.PauseAsync(handoff.PartitionKey, "agent", CancellationToken.None);

        var moved = await actions.MoveAsync(handoff.PartitionKey, "crisis", "lead", CancellationToken.None);

        var stored = await HandoffAsync(harness, handoff.PartitionKey);
        Assert.Equal("crisis", stored.GetString("Team"));
        Assert.Equal("crisis", stored.GetString("SlaPolicy"));
        Assert.Equal(Harness.Start.AddMinutes(10), stored.GetDateTimeOffset("FirstResponseDueAt"));
        Assert.Equal(1, moved.Generation);
        Assert.True(moved.Resolution.IsPaused);
        Assert.Equal(TimeSpan.FromHours(1), moved.Resolution.Target);
        Assert.Contains(await harness.EventRowsAsync(), e => e.GetString("Type") == WorkRules.Moved && e.GetString("FromTeam") == "care");

        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(10));
        await harness.Services.GetRequiredService<SlaSweepStage>().RunAsync(CancellationToken.None);

        Assert.Contains(_webhooks.Bodies("teams/crisis"), b => b.Contains("First response breached for team crisis", StringComparison.Ordinal));
        Assert.Equal(0, _webhooks.Count("teams/care"));
    }

    [Fact]
    public async Task Sweep_PausedThenResumed_ResolutionStepsFollowTheResumedClock()
    {
        await using var harness = await CreateAsync();
        var handoff = await ProcessAsync(harness, "p1", CrisisText);
        var actions = new Agent(harness.Services.GetRequiredService<HandoffWork>());
        var sweep = harness.Services.GetRequiredService<SlaSweepStage>();
        await actions.RespondAsync(handoff.PartitionKey, "agent", CancellationToken.None);
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(20));
        await actions.PauseAsync(handoff.PartitionKey, "agent", CancellationToken.None);
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(80));
        await sweep.RunAsync(CancellationToken.None);
        Assert.DoesNotContain(await harness.EventRowsAsync(), e => e.GetString("Type") is "SlaWarning" or "SlaBreached");

        await actions.ResumeAsync(handoff.PartitionKey, "agent", CancellationToken.None);
        Assert.Equal(Harness.Start.AddMinutes(120), (await HandoffAsync(harness, handoff.PartitionKey)).GetDateTimeOffset("ResolutionDueAt"));
        harness.Clock.SetUtcNow(Harness.Start.AddMinutes(119));
        await sweep.RunAsync(CancellationToken.None);

        var events = await harness.EventRowsAsync();
        Assert.Single(events, e => e.GetString("Type") == "SlaWarning" && e.GetString("Clock") == "res" && e.GetDateTimeOffset("At") == Harness.Start.AddMinutes(117));
        Assert.DoesNotContain(events, e => e.GetString("Clock") == "fr");
    }

    [Fact]
    public async Task RecomputeStats_FromEvents_CountsPercentilesAndACorrectedCalendarCorrectsHistory()
    {
        await using var harness = await CreateAsync();
        var actions = new Agent(harness.Services.GetRequiredService<HandoffWork>());
        var quick = await ProcessAsync(harness, "q1", CareText);
        var slow = await ProcessAsync(harness, "q2", CareText);
        await ProcessAsync(harness, "q3", CareText);
        harness.Clock.Advance(TimeSpan.FromMinutes(10));
        await actions.RespondAsync(quick.PartitionKey, "agent", CancellationToken.None);
        harness.Clock.Advance(TimeSpan.FromMinutes(30));
        await actions.RespondAsync(slow.PartitionKey, "agent", CancellationToken.None);
        await actions.ResolveAsync(slow.PartitionKey, "agent", CancellationToken.None);
        var stats = harness.Services.GetRequiredService<DailyStatsStage>();
        var day = DateOnly.FromDateTime(Harness.Start.UtcDateTime);
        var asOf = Harness.Start.AddHours(3);

        var before = Assert.Single(await stats.RecomputeStatsAsync("care", day, day, asOf, CancellationToken.None));

        Assert.Equal(new DailyStats("care", day, 3, 2, 1, 2, 1, 2, 10, 40), before);
        var row = (await harness.Table(StorageNames.DailyStatsTable).GetEntityAsync<TableEntity>("care", "2026-11-02")).Value;
        Assert.Equal(3, row.GetInt32("Received"));
        Assert.Equal(40, row.GetDouble("P90FirstResponseMinutes"));

        // The calendar was wrong: the team opens at 10:00. Saving the corrected policy set and recomputing corrects the history.
        var corrected = TestPolicies() with
        {
            Calendars = [new CalendarDefinition { Name = "24x7", AlwaysOpen = true }, new CalendarDefinition { Name = "late", TimeZone = "Etc/UTC", Week = AllWeek("10:00-18:00") }],
        };
        corrected = corrected with { Policies = [.. corrected.Policies.Select(p => p.Team == "*" ? p with { Calendar = "late" } : p)] };
        Assert.True((await harness.Services.GetRequiredService<PolicyStore>().SaveSlaAsync(corrected, "manager", null, CancellationToken.None)).Saved);
        harness.Services.GetRequiredService<LivePolicies>().Invalidate();

        var after = Assert.Single(await stats.RecomputeStatsAsync("care", day, day, asOf, CancellationToken.None));

        Assert.Equal(new DailyStats("care", day, 3, 2, 2, 1, 1, 2, 0, 10), after);
        Assert.Equal(2, (await harness.Table(StorageNames.DailyStatsTable).GetEntityAsync<TableEntity>("care", "2026-11-02")).Value.GetInt32("FirstResponseMet"));
    }

    [Fact]
    public async Task CreateHandoff_PolicyStartsAtPosting_ClocksRunFromThePostingTime()
    {
        await using var harness = await CreateAsync();
        var posting = TestPolicies() with
        {
            Policies = [.. TestPolicies().Policies.Select(p => p.Name == "default" ? p with { ClockStart = SlaPolicy.ClockStartPosted } : p)],
        };
        Assert.True((await harness.Services.GetRequiredService<PolicyStore>().SaveSlaAsync(posting, "manager", 2, CancellationToken.None)).Saved);
        harness.Services.GetRequiredService<LivePolicies>().Invalidate();

        // Ingested 20 minutes after the customer posted: 10 of the 30 minutes are left.
        harness.Clock.Advance(TimeSpan.FromMinutes(20));
        var waited = await ProcessAsync(harness, "p1", CareText, postedAt: Harness.Start);
        Assert.Equal(Harness.Start.AddMinutes(30), waited.GetDateTimeOffset("FirstResponseDueAt"));
        Assert.Equal(Harness.Start.AddHours(2), waited.GetDateTimeOffset("ResolutionDueAt"));
        Assert.Equal(Harness.Start.AddMinutes(20), waited.GetDateTimeOffset("CreatedAt"));

        // A posting time ahead of our clock (the source's clock runs fast) starts the clocks at the handoff.
        var ahead = await ProcessAsync(harness, "p2", CareText, postedAt: Harness.Start.AddHours(1));
        Assert.Equal(Harness.Start.AddMinutes(50), ahead.GetDateTimeOffset("FirstResponseDueAt"));
    }

    [Fact]
    public async Task CreateHandoff_PolicyStartsAtHandoff_PostingTimeIgnored()
    {
        await using var harness = await CreateAsync();
        harness.Clock.Advance(TimeSpan.FromMinutes(20));
        var handoff = await ProcessAsync(harness, "h1", CareText, postedAt: Harness.Start);
        Assert.Equal(Harness.Start.AddMinutes(50), handoff.GetDateTimeOffset("FirstResponseDueAt"));
    }

    private static Dictionary<string, List<string>> AllWeek(string shift) =>
        new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" }.ToDictionary(d => d, _ => new List<string> { shift });

    private static SlaPolicySet TestPolicies(TimeSpan? careFirstResponse = null) => new()
    {
        Calendars = [new CalendarDefinition { Name = "24x7", AlwaysOpen = true }],
        Policies =
        [
            new SlaPolicyDefinition { Name = "crisis", Team = "crisis", Calendar = "24x7", FirstResponse = TimeSpan.FromMinutes(10), Resolution = TimeSpan.FromHours(1), WarnBefore = TimeSpan.FromMinutes(3) },
            new SlaPolicyDefinition { Name = "default", Calendar = "24x7", FirstResponse = careFirstResponse ?? TimeSpan.FromMinutes(30), Resolution = TimeSpan.FromHours(2), WarnBefore = TimeSpan.FromMinutes(3) },
        ],
    };

    private async Task<Harness> CreateAsync(bool slack = true, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Sla:Teams:crisis:Webhooks:0:Kind"] = "Teams",
            ["Sla:Teams:crisis:Webhooks:0:Url"] = _webhooks.Url("teams/crisis").ToString(),
            ["Sla:Teams:care:Webhooks:0:Kind"] = "Teams",
            ["Sla:Teams:care:Webhooks:0:Url"] = _webhooks.Url("teams/care").ToString(),
            ["Sla:Webhooks:MaxRetryAttempts"] = "0",
            // Long enough for a first request on a loaded 2-core machine; the dead endpoint still fails well within DeliveryTimeout.
            ["Sla:Webhooks:AttemptTimeout"] = "00:00:03",
            ["Sla:DeliveryTimeout"] = "00:00:05",
            ["Sla:StatsInterval"] = "00:00:00",
        };
        if (slack)
        {
            values["Sla:Teams:crisis:Webhooks:1:Kind"] = "Slack";
            values["Sla:Teams:crisis:Webhooks:1:Url"] = _webhooks.Url("slack/crisis").ToString();
        }

        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: values, withSample: false);
        var saved = await harness.Services.GetRequiredService<PolicyStore>().SaveSlaAsync(TestPolicies(), "test", 1, CancellationToken.None);
        Assert.Equal(2, saved.Version);
        harness.Services.GetRequiredService<LivePolicies>().Invalidate();
        return harness;
    }

    private static async Task<TableEntity> ProcessAsync(Harness harness, string id, string text, DateTimeOffset? postedAt = null)
    {
        var mention = new MentionMessage(
            MentionMessage.CurrentSchemaVersion, "corr-" + id, "test", id, new MentionAuthor("a-" + id, "user_" + id, "User", 120, false),
            text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user/status/{id}", postedAt ?? Harness.Start, "contoso");
        Assert.Equal(ProcessOutcome.HandedOff, await harness.Services.GetRequiredService<ProcessMentionStage>().ProcessAsync(MentionJson.Serialize(mention), 1, CancellationToken.None));
        return await HandoffAsync(harness, HandoffIds.For(mention.Key));
    }

    private static async Task<TableEntity> HandoffAsync(Harness harness, string handoffId) =>
        (await harness.Table(StorageNames.HandoffsTable).GetEntityAsync<TableEntity>(handoffId, HandoffStore.HandoffRowKey)).Value;

    /// <summary>The SLA-changing agent actions, as a manager (who may act on any team) named by the test.</summary>
    private sealed class Agent(HandoffWork work)
    {
        public Task<HandoffSla> RespondAsync(string id, string actor, CancellationToken ct) => ActAsync(id, new WorkCommand(WorkVerb.Respond, "reply"), actor, ct);

        public Task<HandoffSla> PauseAsync(string id, string actor, CancellationToken ct) => ActAsync(id, new WorkCommand(WorkVerb.Pause), actor, ct);

        public Task<HandoffSla> ResumeAsync(string id, string actor, CancellationToken ct) => ActAsync(id, new WorkCommand(WorkVerb.Resume), actor, ct);

        public Task<HandoffSla> ResolveAsync(string id, string actor, CancellationToken ct) => ActAsync(id, new WorkCommand(WorkVerb.Resolve), actor, ct);

        public Task<HandoffSla> MoveAsync(string id, string team, string actor, CancellationToken ct) => ActAsync(id, new WorkCommand(WorkVerb.Reassign, Team: team), actor, ct);

        private async Task<HandoffSla> ActAsync(string id, WorkCommand command, string actor, CancellationToken ct)
        {
            var outcome = await work.ApplyAsync(id, command, new Caller(actor, [Caller.ManagerRole]), null, ct);
            Assert.Null(outcome.Refusal);
            return outcome.Handoff!.Sla!;
        }
    }
}
