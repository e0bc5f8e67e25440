using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// `score`'s standard streams. Widens standard input and output to <see cref="Capacity"/> when they
/// are pipes (Linux): with the default 64 KiB a pipe holds less than the answers to one read, so
/// `score` and the process at the other end take turns on the CPU several times a read instead of
/// once. Opens standard output so that a reader that has gone is seen (<see cref="OpenOutput"/>).
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

    /// <summary>
    /// Standard output as a stream whose writes fail with a broken pipe (<see cref="IsBrokenPipe"/>) once
    /// the reader has gone. .NET ignores SIGPIPE, and the console's own stream takes EPIPE for success
    /// ("pretend we were successful"), so `score | head -1` would score its whole input into nothing.
    /// A pipe or socket gets a stream on descriptor 1 that writes with write(2); a file (which cannot
    /// break) keeps the console's stream: a FileStream would write at its own offset, and text a later
    /// command appends to the same file descriptor would overwrite the answers. A terminal keeps it too:
    /// another program on the same terminal (node, for one) may have made it non-blocking, and the
    /// console's stream waits out a full terminal where a plain write fails (EAGAIN).
    /// </summary>
    public static Stream OpenOutput()
    {
        if (!OperatingSystem.IsWindows() && Console.IsOutputRedirected)
        {
            try
            {
                var output = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
                if (!output.CanSeek)
                {
                    return output;
                }

                output.Dispose();
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // Descriptor 1 closed or not writable: the console's stream copes with that as before.
            }
        }

        return Console.OpenStandardOutput();
    }

    /// <summary>
    /// Whether <paramref name="exception"/> says the other end of a pipe or socket has closed: EPIPE
    /// (32 on Linux and macOS, the error number being the HResult there), or Windows'
    /// ERROR_BROKEN_PIPE and ERROR_NO_DATA.
    /// </summary>
    public static bool IsBrokenPipe(IOException exception) =>
        exception.HResult is BrokenPipeErrno or unchecked((int)0x8007006D) or unchecked((int)0x800700E8);

    private const int BrokenPipeErrno = 32; // EPIPE

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
