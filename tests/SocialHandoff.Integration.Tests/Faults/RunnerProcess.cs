using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// The local runner as a person runs it: <c>dotnet SocialHandoff.Local.dll run ...</c> in its own
/// process (the build beside the tests), its output collected, stopped by a real signal.
/// </summary>
internal sealed class RunnerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RunnerProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>run</c> with the given settings; the dashboard on a free port.</summary>
    public static RunnerProcess Start(params string[] args) => StartCommand(["dotnet", LocalDll], args);

    /// <summary>
    /// Starts <c>run</c> as a terminal starts a foreground job: leading a process group (and session) of its own, so
    /// <see cref="SignalGroup"/> is what Ctrl+C sends, with SIGINT and SIGQUIT at their defaults (a test host started in
    /// the background may have them ignored, and a child inherits that). setsid(1) and env(1) exec in place: the pid is the runner's.
    /// </summary>
    public static RunnerProcess StartAsTerminalJob(params string[] args) => StartCommand(["setsid", "env", "--default-signal=INT,QUIT", "dotnet", LocalDll], args);

    /// <summary>
    /// The README's command, <c>dotnet run --project functions/SocialHandoff.Local -- run</c> (without building again: the
    /// build the tests' own build made), started as <see cref="StartAsTerminalJob"/>: the <c>dotnet run</c> process leads
    /// the group and the runner is its child. <see cref="Id"/> and the exit code are those of <c>dotnet run</c>.
    /// </summary>
    public static RunnerProcess StartUnderDotnetRun(params string[] args)
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repository.FullName, "SocialHandoff.sln")))
        {
            repository = repository.Parent ?? throw new InvalidOperationException($"SocialHandoff.sln not found above {AppContext.BaseDirectory}");
        }

        // bin/<configuration>/<framework>/: run the runner built in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        return StartCommand(
            ["setsid", "env", "--default-signal=INT,QUIT", "dotnet", "run", "--no-build", "-c", configuration, "--project", Path.Combine(repository.FullName, "functions", "SocialHandoff.Local"), "--"],
            args);
    }

    private static string LocalDll => Path.Combine(AppContext.BaseDirectory, "SocialHandoff.Local.dll");

    /// <summary>Starts <paramref name="launch"/> (the command that runs the app) with <c>run</c>, the dashboard on a free port, and <paramref name="args"/>.</summary>
    private static RunnerProcess StartCommand(string[] launch, string[] args)
    {
        var command = launch.Concat(["run", "--Local:Web:Port=0"]).Concat(args).ToArray();
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var runner = new RunnerProcess(process);
        process.OutputDataReceived += (_, e) => runner.Append(e.Data);
        process.ErrorDataReceived += (_, e) => runner.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/> and returns its match; fails with the output so far.</summary>
    public async Task<Match> WaitForAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (regex.Match(Output) is { Success: true } match)
            {
                return match;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                if (regex.Match(Output) is { Success: true } last)
                {
                    return last;
                }

                break;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"No line matching /{pattern}/ within {timeout} (exited: {_process.HasExited}). Output:\n{Output}");
    }

    /// <summary>The ports and pid of the Azurite the runner started, from its "Storage:" line.</summary>
    public async Task<(int Pid, int QueuePort, int TablePort)> AzuriteAsync()
    {
        var match = await WaitForAsync(@"Storage: Azurite \(pid (\d+); queues :(\d+), tables :(\d+)", TimeSpan.FromSeconds(120));
        return (Parse(match.Groups[1].Value), Parse(match.Groups[2].Value), Parse(match.Groups[3].Value));
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static void Signal(int pid, int signal) => Assert.Equal(0, Kill(pid, signal));

    /// <summary>Sends <paramref name="signal"/> to every process of the runner's group, as a terminal does on Ctrl+C (see <see cref="StartAsTerminalJob"/>).</summary>
    public void SignalGroup(int signal)
    {
        Assert.Equal(_process.Id, ProcessGroup(_process.Id).Group);
        Signal(-_process.Id, signal);
    }

    /// <summary>The process group and session of a live process, from /proc (Linux only).</summary>
    public static (int Group, int Session) ProcessGroup(int pid)
    {
        var fields = StatFields(pid) ?? throw new InvalidOperationException($"no process {pid}");
        return (Parse(fields[2]), Parse(fields[3]));
    }

    /// <summary>Whether <paramref name="pid"/> is a process that has not exited (a zombie nobody reaped yet counts as exited).</summary>
    public static bool IsRunning(int pid) => StatFields(pid) is { } fields && fields[0] is not ("Z" or "X");

    /// <summary>Waits until <paramref name="pid"/> has exited; false if it still runs after <paramref name="timeout"/>.</summary>
    public static async Task<bool> ExitsAsync(int pid, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (IsRunning(pid) && watch.Elapsed < timeout)
        {
            await Task.Delay(100);
        }

        return !IsRunning(pid);
    }

    /// <summary>/proc/&lt;pid&gt;/stat after the command name (which may hold spaces): state, ppid, pgrp, session, ...</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"The runner did not exit within {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Whether something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool Listens(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a connection to 127.0.0.1:<paramref name="port"/> holds bytes its server has not read
    /// (a request in hand at a server that is stopped), from the kernel's own table: Linux only.
    /// </summary>
    public static bool HasUnreadRequest(int port)
    {
        const string Established = "01";
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            // sl local_address rem_address st tx_queue:rx_queue ...; addresses and queues in hex.
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 4 && fields[3] == Established
                    && int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port
                    && long.Parse(fields[4][(fields[4].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Waits until nothing listens on <paramref name="port"/>; false if something still does after <paramref name="timeout"/>.</summary>
    public static async Task<bool> StopsListeningAsync(int port, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (!Listens(port))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return !Listens(port);
    }

    /// <summary>Writes a JSONL export of <paramref name="count"/> mentions for the four teams of the runner's rules.</summary>
    public static string WriteExport(string folder, int count)
    {
        // Each customer gives a reference of their own (a word, not a number: numbers do not tell copies
        // apart), so no two are copies of one complaint and each mention gets its own handoff.
        string[] texts =
        [
            "@contoso I was charged twice for my subscription, please refund, ref {0}",
            "@contoso my parcel never arrived and tracking says delivered, ref {0}",
            "@contoso love the new autumn menu, great job, ref {0}",
            "@contoso got food poisoning after eating at your place, going to hospital, ref {0}",
            "@contoso is the shop open on sunday? ref {0}",
        ];
        var path = Path.Combine(folder, "export.jsonl");
        var posted = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => new JsonObject
        {
            ["id"] = string.Create(CultureInfo.InvariantCulture, $"gen-{i:D5}"),
            ["postedAt"] = posted.AddSeconds(i).ToString("O", CultureInfo.InvariantCulture),
            ["text"] = string.Format(CultureInfo.InvariantCulture, texts[i % texts.Length], Reference(i)),
            ["handle"] = string.Create(CultureInfo.InvariantCulture, $"user{i}"),
            ["followers"] = 100 + i,
            ["lang"] = "en",
            ["brand"] = "contoso",
        }.ToJsonString()));
        return path;
    }

    private static string Reference(int i) => string.Concat((char)('a' + (i / 676 % 26)), (char)('a' + (i / 26 % 26)), (char)('a' + (i % 26)));

    private static int Parse(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>What storage holds after a run, counted the ways "handed off exactly once" can fail.</summary>
internal sealed record StorageCounts(
    int Handoffs, int CreatedEvents, int OtherEvents, int TeamMessages, int DistinctTeamMessageHandoffs,
    int MentionsHandedOff, int MentionsOther, int DeadLetters, int OutboxRows, int DistinctOutboxRows, int Queued)
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Counts everything; the team queues' messages are received (hidden for 5 minutes), so call it once, at the end.</summary>
    public static async Task<StorageCounts> ReadAsync(string connectionString)
    {
        var tables = new TableServiceClient(connectionString);
        async Task<List<TableEntity>> Rows(string table)
        {
            var rows = new List<TableEntity>();
            await foreach (var row in tables.GetTableClient(table).QueryAsync<TableEntity>())
            {
                rows.Add(row);
            }

            return rows;
        }

        var partitions = await Rows(StorageNames.HandoffsTable);
        var events = partitions.Where(Core.Handoffs.HandoffRow.IsEvent).ToList();
        var ledger = partitions.Where(r => r.RowKey == Core.Handoffs.HandoffRow.LedgerRowKey).ToList();
        var indexed = (await Rows(StorageNames.HandoffIndexTable)).Where(r => string.CompareOrdinal(r.RowKey, Core.Handoffs.HandoffIndex.CountRowKey) < 0)
            .Select(r => r.GetString("HandoffId")).ToHashSet(StringComparer.Ordinal);
        var outbox = await Rows(StorageNames.NotificationsTable);
        var queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var teamHandoffs = new List<string>();
        var queued = 0;
        await foreach (var item in queues.GetQueuesAsync())
        {
            var queue = queues.GetQueueClient(item.Name);
            if (!item.Name.StartsWith(StorageNames.TeamQueuePrefix, StringComparison.Ordinal))
            {
                queued += (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
                continue;
            }

            // Read every message once: each receive hides what it returned for longer than this count takes.
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                teamHandoffs.AddRange(batch.Select(m => (string)JsonNode.Parse(m.Body.ToString())!["handoffId"]!));
            }
        }

        return new StorageCounts(
            partitions.Count(r => r.RowKey == Core.Handoffs.HandoffRow.RowKey),
            events.Count(e => e.RowKey == Core.Handoffs.HandoffStore.CreatedEventRowKey),
            events.Count(e => e.RowKey != Core.Handoffs.HandoffStore.CreatedEventRowKey),
            teamHandoffs.Count,
            teamHandoffs.Distinct(StringComparer.Ordinal).Count(),
            ledger.Count(m => indexed.Contains(m.PartitionKey)),
            ledger.Count(m => !indexed.Contains(m.PartitionKey)),
            (await Rows(StorageNames.DeadLettersTable)).Count,
            outbox.Count,
            outbox.Select(o => (o.PartitionKey, o.RowKey)).Distinct().Count(),
            queued);
    }

    /// <summary>Whether every one of <paramref name="mentions"/> is marked handed off and the incoming queues are empty (reads no team queue).</summary>
    public static async Task<bool> AllHandedOffAsync(string connectionString, int mentions)
    {
        var handedOff = 0;
        await foreach (var _ in new TableServiceClient(connectionString).GetTableClient(StorageNames.HandoffIndexTable).QueryAsync<TableEntity>($"RowKey lt '{Core.Handoffs.HandoffIndex.CountRowKey}'", select: ["PartitionKey"]))
        {
            handedOff++;
        }

        var queues = new QueueServiceClient(connectionString);
        var queued = 0;
        foreach (var name in new[] { StorageNames.MentionsIncomingQueue, StorageNames.MentionsPoisonQueue })
        {
            queued += (await queues.GetQueueClient(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return handedOff == mentions && queued == 0;
    }

    /// <summary>The number of handoffs now (for waiting on progress).</summary>
    public static async Task<int> HandoffsAsync(string connectionString)
    {
        var count = 0;
        try
        {
            await foreach (var _ in new TableServiceClient(connectionString).GetTableClient(StorageNames.HandoffsTable).QueryAsync<TableEntity>(Core.Handoffs.HandoffRow.OnlyHandoffs, select: ["PartitionKey"]))
            {
                count++;
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return count;
    }
}

/// <summary>Tests that run the local runner as a process: one at a time (each starts node and dotnet processes on a 2-core machine).</summary>
[CollectionDefinition(Name)]
public sealed class RunnerProcessCollection
{
    public const string Name = "runner-processes";
}

/// <summary>Waits for a condition on storage, polling.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Azure.RequestFailedException)
            {
                // Storage restarting, or a table not created yet.
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"Not within {timeout}: {describe()}");
    }
}

/// <summary>An exit-code assertion that shows what the runner printed when it fails (a crash's stack trace is on its stderr).</summary>
internal static class ExitCode
{
    public static void Is(int expected, int actual, RunnerProcess runner) =>
        Assert.True(expected == actual, $"exit code {actual}, expected {expected}; the runner printed:\n{runner.Output}");
}
