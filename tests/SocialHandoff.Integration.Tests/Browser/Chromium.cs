using SocialHandoff.Local.Processes;

namespace SocialHandoff.Integration.Tests.Browser;

/// <summary>
/// The system Chromium the browser tests drive (Debian package <c>chromium</c>). Playwright's own
/// browser download is never used: this product is built and tested where there is no internet,
/// and <c>playwright install</c> would fetch from a CDN. When the binary is missing it is installed
/// with apt (as root, else through <c>sudo -n</c>); when that is impossible the tests fail saying what to install.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Flags for a quiet, offline, headless run in a container (no sandbox: CI runs as root).</summary>
    public static readonly IReadOnlyList<string> Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureInstalledAsync(TextWriter log, CancellationToken cancellationToken)
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(ExecutablePath))
            {
                return;
            }

            if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
            {
                throw Missing("this is not a Debian/Ubuntu machine with apt-get");
            }

            // Root installs directly; anyone else only when sudo needs no password (never prompt in a test run).
            var asRoot = Environment.UserName == "root";
            string file;
            string[] prefix;
            if (asRoot)
            {
                (file, prefix) = ("apt-get", []);
            }
            else if (await RunAsync("sudo", ["-n", "true"], log, cancellationToken) is (0, _))
            {
                (file, prefix) = ("sudo", ["-n", "apt-get"]);
            }
            else
            {
                throw Missing("the tests do not run as root and 'sudo -n' needs a password");
            }

            log.WriteLine($"{ExecutablePath} is missing: installing the Debian package 'chromium' with apt-get.");
            var update = await RunAsync(file, [.. prefix, "update"], log, cancellationToken);
            if (update.ExitCode != 0)
            {
                throw Missing($"'apt-get update' exited with {update.ExitCode}:\n{Tail(update.Output)}");
            }

            var install = await RunAsync(file, [.. prefix, "install", "-y", "--no-install-recommends", "chromium"], log, cancellationToken);
            if (install.ExitCode != 0 || !File.Exists(ExecutablePath))
            {
                throw Missing($"'apt-get install -y chromium' exited with {install.ExitCode}:\n{Tail(install.Output)}");
            }

            log.WriteLine($"Installed {ExecutablePath}.");
        }
        finally
        {
            Gate.Release();
        }
    }

    private static InvalidOperationException Missing(string why) => new(
        $"The browser tests need Chromium at {ExecutablePath} and could not install it ({why}). " +
        "Install it yourself with: sudo apt-get update && sudo apt-get install -y chromium");

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, TextWriter log, CancellationToken cancellationToken)
    {
        (int ExitCode, string Output) result;
        try
        {
            result = await ProcessRunner.RunAsync(file, args, null, new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" }, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{file} could not be started: {ex.Message}");
        }

        log.WriteLine($"$ {file} {string.Join(' ', args)} -> {result.ExitCode}");
        return result;
    }
}
