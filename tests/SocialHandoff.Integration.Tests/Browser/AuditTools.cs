using SocialHandoff.Local.Processes;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The test-only audit tools: axe-core and Lighthouse, pinned in Browser/axe/package.json and its
/// lock file and installed by the test run itself with <c>npm ci</c> (once; the registry is the only
/// network needed). They live beside the tests, never in the dashboard: axe is injected into the page
/// by Playwright, and Lighthouse drives its own system Chromium.
/// </summary>
internal static class AuditTools
{
    private const string Folder = "tests/SocialHandoff.Integration.Tests/Browser/axe";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _axeScript;

    /// <summary>tests/SocialHandoff.Integration.Tests/Browser/axe, found by walking up from the test's folder.</summary>
    public static string Directory { get; } = Find();

    public static string AxeScriptPath => Path.Combine(Directory, "node_modules", "axe-core", "axe.min.js");

    public static string LighthouseCliPath => Path.Combine(Directory, "node_modules", "lighthouse", "cli", "index.js");

    /// <summary>The axe-core script, installing the tools first when they are missing.</summary>
    public static async Task<string> AxeScriptAsync(CancellationToken cancellationToken = default)
    {
        if (_axeScript is { } cached)
        {
            return cached;
        }

        await EnsureInstalledAsync(cancellationToken);
        return _axeScript = await File.ReadAllTextAsync(AxeScriptPath, cancellationToken);
    }

    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        if (Installed())
        {
            return;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            // Another test process (the Azurite launcher does the same) may install at the same moment.
            var lockPath = Path.Combine(Directory, ".install.lock");
            FileStream? lockFile = null;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (lockFile is null)
            {
                try
                {
                    lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(10))
                {
                    await Task.Delay(500, cancellationToken);
                }
            }

            await using (lockFile)
            {
                if (Installed())
                {
                    return;
                }

                (int ExitCode, string Output) npm;
                try
                {
                    npm = await ProcessRunner.RunAsync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], Directory, null, cancellationToken);
                }
                catch (System.ComponentModel.Win32Exception ex)
                {
                    throw new InvalidOperationException("The accessibility tests need npm (Node.js 20 or later) on PATH to install axe-core and Lighthouse.", ex);
                }

                if (npm.ExitCode != 0 || !File.Exists(AxeScriptPath) || !File.Exists(LighthouseCliPath))
                {
                    throw new InvalidOperationException($"'npm ci' in {Directory} failed with code {npm.ExitCode}: {npm.Output}");
                }

                await File.WriteAllTextAsync(InstalledMarker, "npm ci completed\n", cancellationToken);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    // Installed means 'npm ci' finished: its files appear one by one while it runs, so a check of two of them alone
    // let another test use a half-installed Lighthouse. The marker is written only after a successful install.
    private static string InstalledMarker => Path.Combine(Directory, "node_modules", ".socialhandoff-installed");

    private static bool Installed() => File.Exists(InstalledMarker) && File.Exists(AxeScriptPath) && File.Exists(LighthouseCliPath);

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, Folder);
                if (File.Exists(Path.Combine(candidate, "package-lock.json")))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"{Folder}/package-lock.json was not found above the test folder: run the tests from inside the repository.");
    }
}
