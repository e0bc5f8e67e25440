using System.Runtime.InteropServices;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// Widens standard input and output to <see cref="Capacity"/> when they are pipes (Linux): with the
/// default 64 KiB a pipe holds less than the answers to one read, so `score` and the process at the
/// other end take turns on the CPU several times a read instead of once.
/// </summary>
internal static class StandardPipes
{
    /// <summary>1 MiB: Linux's default most an unprivileged process may ask for (/proc/sys/fs/pipe-max-size).</summary>
    public const int Capacity = 1 << 20;

    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const int GetPipeSize = 1032; // F_GETPIPE_SZ

    /// <summary>Best effort: a file, a terminal, or a system that refuses is left as it is.</summary>
    public static void Widen()
    {
        TryWiden(0);
        TryWiden(1);
    }

    /// <summary>Widens the pipe <paramref name="fd"/>; false when it is no pipe or the system refuses.</summary>
    internal static bool TryWiden(int fd)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Fcntl(fd, SetPipeSize, Capacity) >= Capacity;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The pipe's capacity in bytes; -1 when <paramref name="fd"/> is no pipe.</summary>
    internal static int CapacityOf(int fd) => OperatingSystem.IsLinux() ? Fcntl(fd, GetPipeSize, 0) : -1;

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);
}
