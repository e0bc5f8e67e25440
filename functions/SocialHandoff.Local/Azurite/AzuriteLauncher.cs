using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocialHandoff.Local.Processes;

namespace SocialHandoff.Local.Azurite;

/// <summary>Where Azurite keeps its data and which ports it takes.</summary>
/// <param name="Location">A folder for persistent data (<c>--location</c>); null keeps everything in memory.</param>
/// <param name="Ports">Blob, queue and table ports; null picks free ones.</param>
public sealed record AzuriteSettings(string? Location = null, (int Blob, int Queue, int Table)? Ports = null);

/// <summary>
/// Starts the Azurite storage emulator (npm package pinned in tools/azurite) on free loopback
/// ports, in memory, installing it with <c>npm ci</c> first when node_modules is missing. Used by the
/// local runner and the integration tests' fixture. Disposing stops it.
/// It cannot outlive the process that started it: node preloads Azurite/parent-watch.js, which
/// exits when its stdin pipe from this process closes, as it does when this process dies in any way.
/// It runs in a session of its own, so a signal to this process's group (Ctrl+C) is not also a signal to Azurite.
/// (Azurite/parent-watch.js beside the app: it serves whichever tools/azurite the launcher finds.)
/// node also preloads Azurite/loki-fixes.js, so a queue request costs the same however many messages
/// the queues hold (Azurite's LokiJS store re-sorted every index on each receive and delete).
/// </summary>
public sealed class AzuriteLauncher : IAsyncDisposable
{
    /// <summary>Azurite's fixed development account and key (public, documented by Microsoft).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly ProcessOutput _output;
    private readonly TaskCompletionSource<int> _died = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private AzuriteLauncher(Process process, ProcessOutput output, int blobPort, int queuePort, int tablePort, string? location)
    {
        _process = process;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        Location = location;
        ProcessId = process.Id;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (!_stopping)
            {
                _died.TrySetResult(SafeExitCode(process));
            }
        };
        if (process.HasExited && !_stopping)
        {
            _died.TrySetResult(SafeExitCode(process));
        }
    }

    public int BlobPort { get; }

    /// <summary>The node process running Azurite.</summary>
    public int ProcessId { get; }

    /// <summary>The persistent data folder, or null when in memory.</summary>
    public string? Location { get; }

    /// <summary>Completes with the exit code if Azurite exits without being stopped by <see cref="DisposeAsync"/>.</summary>
    public Task<int> Died => _died.Task;

    /// <summary>What Azurite printed so far, for diagnosing a failed start.</summary>
    public string Output => _output.ToString();

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>The folder holding tools/azurite/package.json, found by walking up from the current directory and then from the app's folder.</summary>
    public static string FindToolDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tools", "azurite");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("tools/azurite/package.json was not found above the current directory: run from inside the repository.");
    }

    public static Task<AzuriteLauncher> StartAsync(TextWriter? log, CancellationToken cancellationToken) =>
        StartAsync(new AzuriteSettings(), log, cancellationToken);

    public static async Task<AzuriteLauncher> StartAsync(AzuriteSettings settings, TextWriter? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var toolDirectory = FindToolDirectory();
        var script = Path.Combine(toolDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");
        await EnsureInstalledAsync(toolDirectory, script, log, cancellationToken).ConfigureAwait(false);

        // A free port can be taken between choosing it and Azurite binding it: try again with new ones.
        Exception? last = null;
        for (var attempt = 0; attempt < (settings.Ports is null ? 3 : 1); attempt++)
        {
            try
            {
                return await StartOnceAsync(script, settings, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException("Azurite did not start.", last);
    }

    /// <summary>Stops Azurite: its stdin is closed (the watch in node exits at once), and it is killed if still running after 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                }

                using var wait = new CancellationTokenSource(StopTimeout);
                try
                {
                    await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    public override string ToString() => $"Azurite (pid {ProcessId}; queues :{QueuePort}, tables :{TablePort}, blobs :{BlobPort})";

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private static async Task<AzuriteLauncher> StartOnceAsync(string script, AzuriteSettings settings, CancellationToken cancellationToken)
    {
        var (blob, queue, table) = settings.Ports ?? (FreePort(), FreePort(), FreePort());

        // In a session (and process group) of its own: a signal to the starter's group (Ctrl+C, Ctrl+\, Ctrl+Z at a
        // terminal, kill -TERM -<pgid>) reaches the runner only, which then stops Azurite after its summary; Azurite
        // used to get the signal too and close before the summary was read. setsid(1) execs node in place (a child
        // of this process never leads a group, so it does not fork): the pid stays node's. The stdin pipe ties its
        // life to this process as before. Without setsid (not Linux) node runs in this process's group.
        var setsid = FindOnPath("setsid");
        if (setsid is not null && FindOnPath("node") is null)
        {
            throw new InvalidOperationException("Could not run 'node': install Node.js 20 or later and put it on PATH.");
        }

        var start = new ProcessStartInfo(setsid ?? "node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // Kept open for Azurite's lifetime: its end is how the watch in node learns that this process is gone.
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add("node");
        }

        var persistence = settings.Location is { } location
            ? new[] { "--location", Directory.CreateDirectory(location).FullName }
            : ["--inMemoryPersistence"];
        // loki-fixes.js: queue requests and the queue's extent GC whose cost grew with the messages held (see the file).
        foreach (var arg in new[] { "--require", Path.Combine(AppContext.BaseDirectory, "Azurite", "parent-watch.js"), "--require", Path.Combine(AppContext.BaseDirectory, "Azurite", "loki-fixes.js"), script, "--silent", "--disableTelemetry" }
                     .Concat(persistence)
                     .Concat(
                     [
                         "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                         "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--skipApiVersionCheck",
                     ]))
        {
            start.ArgumentList.Add(arg);
        }

        var output = new ProcessOutput();
        var process = new Process { StartInfo = start };
        output.Attach(process);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Could not run 'node': install Node.js 20 or later and put it on PATH.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var launcher = new AzuriteLauncher(process, output, blob, queue, table, settings.Location);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < StartTimeout)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {SafeExitCode(process)}: {output}");
                }

                if (await ListensAsync(blob).ConfigureAwait(false) && await ListensAsync(queue).ConfigureAwait(false) && await ListensAsync(table).ConfigureAwait(false))
                {
                    return launcher;
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            throw new TimeoutException($"Azurite did not listen within {StartTimeout.TotalSeconds} s: {output}");
        }
        catch
        {
            await launcher.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task EnsureInstalledAsync(string toolDirectory, string script, TextWriter? log, CancellationToken cancellationToken)
    {
        // Installed means 'npm ci' finished: the script appears while npm is still writing the other modules, so a
        // second starter that checked the script alone ran a half-installed Azurite (seen on a fresh clone: "Cannot
        // find module './common/Environment'"). The marker is written only after a successful install.
        var installed = Path.Combine(toolDirectory, "node_modules", ".socialhandoff-installed");
        if (File.Exists(installed) && File.Exists(script))
        {
            return;
        }

        // One installer at a time (tests and a local run may start together): an exclusive lock file.
        var lockPath = Path.Combine(toolDirectory, ".install.lock");
        FileStream? lockFile = null;
        var waited = Stopwatch.StartNew();
        while (lockFile is null)
        {
            try
            {
                lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }

        await using (lockFile.ConfigureAwait(false))
        {
            if (File.Exists(installed) && File.Exists(script))
            {
                return;
            }

            log?.WriteLine($"Installing Azurite from npm into {Path.Combine(toolDirectory, "node_modules")} (once)...");
            (int ExitCode, string Output) npm;
            try
            {
                npm = await ProcessRunner.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], toolDirectory, null, cancellationToken).ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("Could not run 'npm' to install Azurite: install Node.js 20 or later (with npm) and put it on PATH.", ex);
            }

            if (npm.ExitCode != 0 || !File.Exists(script))
            {
                throw new InvalidOperationException($"'npm ci' in {toolDirectory} failed with code {npm.ExitCode}: {npm.Output}");
            }

            await File.WriteAllTextAsync(installed, "npm ci completed\n", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The full path of an executable <paramref name="name"/> on PATH, or null.</summary>
    internal static string? FindOnPath(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
