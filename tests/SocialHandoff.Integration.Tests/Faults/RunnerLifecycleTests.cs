using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Azurite;
using SocialHandoff.Local.Pipeline;
using SocialHandoff.Local.Processes;
using Xunit.Abstractions;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// The local runner's lifecycle, on real processes and real signals: SIGTERM and Ctrl+C stop it
/// cleanly (regression: SIGTERM did nothing), also when sent to its whole process group as a terminal
/// does and when one SIGTERM arrives twice as under <c>dotnet run</c> (regression: Azurite got the
/// group's signal and closed before the summary; the forwarded copy killed the runner), the Azurite it
/// started never outlives it (regression: a killed runner left Azurite listening), Azurite dying under
/// it is said and ends it with 3, and a runner killed mid-processing and started again on the same
/// storage hands every mention off once.
/// </summary>
[Collection(RunnerProcessCollection.Name)]
public sealed class RunnerLifecycleTests(ITestOutputHelper log) : IDisposable
{
    private const int SigInt = 2;
    private const int Mentions = 300;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _folder = Directory.CreateTempSubdirectory("sh-runner-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(StorageCounts.SigTerm)]
    [InlineData(SigInt)]
    public async Task Run_StopSignal_ExitsZeroAndItsAzuriteStopsListening(int signal)
    {
        await using var runner = RunnerProcess.Start();
        var (_, queuePort, tablePort) = await runner.AzuriteAsync();
        await runner.WaitForAsync(@"ingest: \d+ mentions enqueued", StartTimeout);

        runner.Signal(signal);

        ExitCode.Is(0, await runner.WaitForExitAsync(TimeSpan.FromSeconds(45)), runner);
        Assert.Contains("Stopped.", runner.Output, StringComparison.Ordinal);
        Assert.True(await RunnerProcess.StopsListeningAsync(queuePort, TimeSpan.FromSeconds(5)), $"Azurite still listens on :{queuePort}");
        Assert.False(RunnerProcess.Listens(tablePort));
    }

    [Theory]
    [InlineData(SigInt)]
    [InlineData(StorageCounts.SigTerm)]
    public async Task Run_SignalToItsProcessGroupWhileServing_SummaryFromStorageExitsZeroAndAzuriteEnds(int signal)
    {
        await using var runner = RunnerProcess.StartAsTerminalJob();
        var (azurite, queuePort, _) = await runner.AzuriteAsync();
        await runner.WaitForAsync(@"ingest: \d+ mentions enqueued", StartTimeout);
        Assert.NotEqual(runner.Id, RunnerProcess.ProcessGroup(azurite).Group);

        runner.SignalGroup(signal);

        ExitCode.Is(0, await runner.WaitForExitAsync(TimeSpan.FromSeconds(60)), runner);
        AssertSummarizedFromStorage(runner);
        Assert.True(await RunnerProcess.ExitsAsync(azurite, TimeSpan.FromSeconds(10)), $"Azurite (pid {azurite}) still runs after its runner stopped");
        Assert.False(RunnerProcess.Listens(queuePort));
    }

    [Theory]
    [InlineData(SigInt)]
    [InlineData(StorageCounts.SigTerm)]
    public async Task Run_UnderDotnetRunSignalToTheGroup_SummaryFromStorageExitsZeroAndAzuriteEnds(int signal)
    {
        // The group holds dotnet run and the runner; dotnet run forwards a SIGTERM it gets to the runner, so the runner
        // gets that one twice (regression: the copy counted as a second signal and killed it: 137, no summary).
        await using var runner = RunnerProcess.StartUnderDotnetRun();
        var (azurite, _, _) = await runner.AzuriteAsync();
        await runner.WaitForAsync(@"ingest: \d+ mentions enqueued", StartTimeout);

        runner.SignalGroup(signal);

        ExitCode.Is(0, await runner.WaitForExitAsync(TimeSpan.FromSeconds(60)), runner);
        AssertSummarizedFromStorage(runner);
        Assert.True(await RunnerProcess.ExitsAsync(azurite, TimeSpan.FromSeconds(10)), $"Azurite (pid {azurite}) still runs after its runner stopped");
    }

    [Fact]
    public async Task Run_SecondSignalWhileWorkInHandHangs_EndsAtOnce()
    {
        const int SigStop = 19, SigCont = 18;
        await using var azurite = await AzuriteLauncher.StartAsync(null, CancellationToken.None);
        // As a terminal starts it (SIGINT at its default, whatever the test host inherited): the second signal is a Ctrl+C.
        await using var runner = RunnerProcess.StartAsTerminalJob(Settings(azurite, RunnerProcess.WriteExport(_folder, 10), lease: "00:00:03"));
        await runner.WaitForAsync("^Running: ", StartTimeout);

        // Frozen storage with a request of the runner's waiting on it (the pumps poll continuously): the
        // clean stop cannot finish before its grace ends, however slow the machine. Waited for as an event,
        // not guessed from a pause (regression: under load the runner sometimes had nothing in hand yet).
        RunnerProcess.Signal(azurite.ProcessId, SigStop);
        try
        {
            await Eventually.HoldsAsync(
                () => Task.FromResult(RunnerProcess.HasUnreadRequest(azurite.QueuePort) || RunnerProcess.HasUnreadRequest(azurite.TablePort)),
                StartTimeout,
                () => $"no request waits on the frozen Azurite; the runner printed:\n{runner.Output}");
            runner.Signal(StorageCounts.SigTerm);
            await runner.WaitForAsync("Stopping: no new work is taken", StartTimeout);

            // SIGTERM again would be the same request (dotnet run forwards its copy); a Ctrl+C is a person's second.
            runner.Signal(SigInt);

            // 137 is the runner killing itself. Any other way out (a clean stop: 0; Environment.Exit, the
            // regression: 143) waits for the work in hand to end or its grace to run out, which "Stopping..."
            // follows. So the exit code and the output are the proof; the wait only bounds a hang.
            ExitCode.Is(137, await runner.WaitForExitAsync(LocalPipeline.ShutdownGrace), runner);
            Assert.DoesNotMatch(@"(?m)^Stopping\.\.\.", runner.Output);
        }
        finally
        {
            RunnerProcess.Signal(azurite.ProcessId, SigCont);
        }
    }

    [Fact]
    public async Task Run_SigTermWhileProcessing_InFlightMessagesFinishedNoneLeftLeased()
    {
        await using var azurite = await AzuriteLauncher.StartAsync(null, CancellationToken.None);
        await using var runner = RunnerProcess.Start(Settings(azurite, RunnerProcess.WriteExport(_folder, Mentions), lease: "00:10:00"));
        await runner.WaitForAsync(@"ingest: \d+ mentions enqueued", StartTimeout);
        await Eventually.HoldsAsync(async () => await StorageCounts.HandoffsAsync(azurite.ConnectionString) >= 20, StartTimeout, () => runner.Output);

        runner.Signal(StorageCounts.SigTerm);

        ExitCode.Is(0, await runner.WaitForExitAsync(TimeSpan.FromSeconds(45)), runner);

        // Leased messages would stay invisible for the 10-minute lease: every mention is handed off or visible again now.
        var counts = await StorageCounts.ReadAsync(azurite.ConnectionString);
        var visible = await VisibleMessagesAsync(azurite.ConnectionString, StorageNames.MentionsIncomingQueue);
        Assert.Equal(Mentions, counts.MentionsHandedOff + visible);
        Assert.Equal(counts.MentionsHandedOff, counts.Handoffs);
        Assert.Equal(counts.Handoffs, counts.DistinctTeamMessageHandoffs);
        Assert.Equal(counts.Handoffs, counts.TeamMessages);
    }

    [Fact]
    public async Task Run_KilledWithSigKill_ItsAzuriteStopsListeningAndEnds()
    {
        // As a terminal job, so Azurite is in a session of its own and only the stdin pipe ties it to the runner.
        await using var runner = RunnerProcess.StartAsTerminalJob();
        var (pid, queuePort, tablePort) = await runner.AzuriteAsync();
        Assert.True(RunnerProcess.Listens(queuePort));
        Assert.Equal(pid, RunnerProcess.ProcessGroup(pid).Session);

        runner.Signal(StorageCounts.SigKill);

        ExitCode.Is(137, await runner.WaitForExitAsync(TimeSpan.FromSeconds(10)), runner);
        Assert.True(await RunnerProcess.StopsListeningAsync(queuePort, TimeSpan.FromSeconds(10)), $"Azurite (pid {pid}) still listens on :{queuePort} after its runner was killed");
        Assert.False(RunnerProcess.Listens(tablePort));
        Assert.True(await RunnerProcess.ExitsAsync(pid, TimeSpan.FromSeconds(10)), $"Azurite (pid {pid}) still runs after its runner was killed");
    }

    [Fact]
    public async Task Run_AzuriteItStartedDies_SaysSoAndExitsThree()
    {
        await using var runner = RunnerProcess.Start();
        var (pid, _, _) = await runner.AzuriteAsync();
        await runner.WaitForAsync(@"ingest: \d+ mentions enqueued", StartTimeout);

        RunnerProcess.Signal(pid, StorageCounts.SigKill);

        ExitCode.Is(3, await runner.WaitForExitAsync(TimeSpan.FromSeconds(45)), runner);
        Assert.Matches(@$"Azurite \(pid {pid};.*\) exited \(code \d+\) while the runner was using it", runner.Output);
    }

    [Fact]
    public async Task Run_StorageUnreachableAtStart_SaysWhereWithoutAStackTraceAndExitsFour()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var account = AzuriteLauncher.AccountName;
        await using var runner = RunnerProcess.Start(
            $"--Storage:ConnectionString=DefaultEndpointsProtocol=http;AccountName={account};AccountKey={AzuriteLauncher.AccountKey};" +
            $"QueueEndpoint=http://127.0.0.1:{port}/{account};TableEndpoint=http://127.0.0.1:{port}/{account};");

        ExitCode.Is(4, await runner.WaitForExitAsync(TimeSpan.FromSeconds(60)), runner);
        Assert.Contains($"storage unreachable at http://127.0.0.1:{port} (connection refused)", runner.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", runner.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KilledMidProcessingAndRestartedOnTheSameStorage_EveryMentionHandedOffOnce()
    {
        await using var azurite = await AzuriteLauncher.StartAsync(null, CancellationToken.None);
        var settings = Settings(azurite, RunnerProcess.WriteExport(_folder, Mentions), lease: "00:00:03");
        int atKill;
        await using (var first = RunnerProcess.Start(settings))
        {
            await first.WaitForAsync(@"ingest: \d+ mentions enqueued", StartTimeout);
            await Eventually.HoldsAsync(async () => await StorageCounts.HandoffsAsync(azurite.ConnectionString) >= 30, StartTimeout, () => first.Output);
            first.Signal(StorageCounts.SigKill);
            Assert.Equal(137, await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            atKill = await StorageCounts.HandoffsAsync(azurite.ConnectionString);
        }

        Assert.InRange(atKill, 30, Mentions - 1);
        await using var second = RunnerProcess.Start(settings);
        await Eventually.HoldsAsync(
            () => StorageCounts.AllHandedOffAsync(azurite.ConnectionString, Mentions),
            StartTimeout,
            () => second.Output);
        second.Signal(StorageCounts.SigTerm);
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(45)));

        var counts = await StorageCounts.ReadAsync(azurite.ConnectionString);
        log.WriteLine($"handoffs at the kill: {atKill}; after the restart: {counts}");
        AssertHandedOffOnce(counts, Mentions);
    }

    /// <summary>
    /// Every mention once: one handoff, one Created event, one Mentions row marked handed off, no dead
    /// letter, no other event, each outbox row once. A team message can repeat only for a mention in
    /// flight at the crash (sent, then killed before the mention was marked): at most one batch.
    /// </summary>
    internal static void AssertHandedOffOnce(StorageCounts counts, int mentions)
    {
        Assert.Equal(mentions, counts.Handoffs);
        Assert.Equal(mentions, counts.CreatedEvents);
        Assert.Equal(0, counts.OtherEvents);
        Assert.Equal(mentions, counts.MentionsHandedOff);
        Assert.Equal(0, counts.MentionsOther);
        Assert.Equal(0, counts.DeadLetters);
        Assert.Equal(counts.DistinctOutboxRows, counts.OutboxRows);
        Assert.Equal(mentions, counts.DistinctTeamMessageHandoffs);
        Assert.InRange(counts.TeamMessages, mentions, mentions + 16);
        Assert.Equal(0, counts.Queued);
    }

    /// <summary>
    /// The stop printed its summary after the pumps stopped, read from storage while Azurite still ran: not the
    /// "unreachable" line, and every ingested mention handed off, filtered, dead-lettered or still queued (nothing lost).
    /// </summary>
    private static void AssertSummarizedFromStorage(RunnerProcess runner)
    {
        var output = runner.Output;
        Assert.DoesNotContain("No summary", output, StringComparison.Ordinal);
        var summary = Regex.Match(output, @"(?ms)^Stopping\.\.\.$.*?^Summary$.*?^  mentions ingested +(\d+) .*?^  handed off +(\d+).*?^  filtered as spam +(\d+) .*?^  dead-lettered +(\d+) .*?^  still queued +(\d+)$.*^Stopped\.$");
        Assert.True(summary.Success, $"no summary between 'Stopping...' and 'Stopped.':\n{output}");
        var counts = Enumerable.Range(1, 5).Select(i => int.Parse(summary.Groups[i].Value, CultureInfo.InvariantCulture)).ToArray();
        var enqueued = Regex.Matches(output, @"ingest: (\d+) mentions enqueued").Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(enqueued > 0 && counts[0] == enqueued, $"ingested {counts[0]}, enqueued {enqueued}:\n{output}");
        Assert.True(counts[1] + counts[2] + counts[3] + counts[4] == counts[0], $"handed off + filtered + dead-lettered + still queued != ingested:\n{output}");
    }

    internal static string[] Settings(AzuriteLauncher azurite, string export, string lease) =>
    [
        $"--Storage:ConnectionString={azurite.ConnectionString}",
        "--Sources:Files:Exports:0:Name=gen",
        $"--Sources:Files:Exports:0:Path={export}",
        $"--Local:QueuePump:ProcessingLease={lease}",

        // Ingest every 5 s rather than 30: a run cut short re-reads its export sooner.
        "--Ingest:Schedule=*/5 * * * * *",
    ];

    private static async Task<int> VisibleMessagesAsync(string connectionString, string queueName)
    {
        var queue = new QueueServiceClient(connectionString).GetQueueClient(queueName);
        var count = 0;
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } batch)
        {
            count += batch.Length;
        }

        return count;
    }
}
