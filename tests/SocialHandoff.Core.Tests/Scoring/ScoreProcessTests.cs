using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SocialHandoff.Local.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

/// <summary>
/// <c>score</c> as a person runs it: <c>dotnet SocialHandoff.Local.dll score</c> in its own process (the
/// build beside the tests), its standard streams real pipes held by this test.
/// </summary>
public sealed class ScoreProcessTests
{
    // Far more than the pipes and the ring hold between them (some megabytes): a run that reads it all did not stop.
    private const int InputLines = 1_000_000;

    // Only so a hung process fails the test instead of holding the run: no assertion on how long anything takes.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Score_ReaderOfTheOutputGoes_StopsReadingWritesNothingAndExitsWith141()
    {
        using var running = Start();
        var process = running.Process;
        var errors = process.StandardError.ReadToEndAsync();
        var feeding = Task.Run(() => Feed(process.StandardInput.BaseStream));

        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(HangGuard);
        process.StandardOutput.Close();
        var (fed, broken) = await feeding.WaitAsync(HangGuard);
        var exit = await WaitForExitAsync(process);

        Assert.Equal(ScoreCommand.OutputClosedExitCode, exit);
        Assert.Equal(1, JsonDocument.Parse(first!).RootElement.GetProperty("line").GetInt64());
        Assert.True(broken, $"score read all {fed:N0} lines after its output was closed");
        Assert.InRange(fed, 1, InputLines - 1);
        Assert.Equal("", await errors);
    }

    [Fact]
    public async Task Score_StandardOutputClosed_SaysSoOnceOnStandardErrorStopsReadingAndExits1()
    {
        // Regression: the write's failure (EBADF, which .NET reports as access denied) went out as an unhandled exception, exit 134.
        using var running = Start(shellRedirect: ">&-");
        var process = running.Process;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();

        var (fed, broken) = await Task.Run(() => Feed(process.StandardInput.BaseStream)).WaitAsync(HangGuard);
        var exit = await WaitForExitAsync(process);

        Assert.Equal(ScoreCommand.OutputFailedExitCode, exit);
        Assert.True(broken, $"score read all {fed:N0} lines with nowhere to write");
        // The cause is the C library's text for EBADF ("Bad file descriptor" in English).
        Assert.Matches(@"^score: could not write the answers \([^()\n]+\); stopped\.$", (await errors).Trim());
        Assert.Equal("", await output);
    }

    [Fact]
    public async Task Score_OutputIsAFileTheNextCommandAppendsTo_AnswersStayAndTheNextTextFollows()
    {
        // A file keeps the console's stream: a FileStream writes at an offset of its own, and what the shell wrote next would overwrite the answers.
        var file = Path.Combine(Path.GetTempPath(), $"score-{Guid.NewGuid():N}.jsonl");
        try
        {
            using var running = Start(shellRedirect: null, shellTail: $"; echo next) > '{file}'");
            var process = running.Process;
            await process.StandardInput.WriteAsync("awful service\nlove it\n");
            process.StandardInput.Close();
            var exit = await WaitForExitAsync(process);

            Assert.Equal(0, exit);
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(3, lines.Length);
            Assert.Equal([1L, 2], lines[..2].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("line").GetInt64()));
            Assert.Equal("next", lines[2]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Score_InterruptedBySigint_AnswersTheLinesReadAndExitsWith130()
    {
        // SIGINT at its default whatever this test host inherited (a job started in the background has it ignored,
        // and .NET then leaves it ignored: the signal would do nothing and the reads below wait for the guard).
        using var running = Start(defaultSigint: true);
        var process = running.Process;
        var errors = process.StandardError.ReadToEndAsync();

        await process.StandardInput.WriteAsync("awful service\n");
        await process.StandardInput.FlushAsync();
        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(HangGuard);
        Assert.Equal(0, Kill(process.Id, 2));
        var rest = await process.StandardOutput.ReadToEndAsync().WaitAsync(HangGuard);
        var exit = await WaitForExitAsync(process);

        Assert.Equal(130, exit);
        Assert.Equal("negative", JsonDocument.Parse(first!).RootElement.GetProperty("label").GetString());
        Assert.Equal("", rest);
        Assert.Equal("", await errors);
    }

    /// <summary>
    /// Starts <c>score</c>; with <paramref name="shellRedirect"/> or <paramref name="shellTail"/> through
    /// /bin/sh, as <c>(exec dotnet ... score REDIRECT TAIL</c>, for what a shell does to its streams.
    /// </summary>
    private static Running Start(string? shellRedirect = null, string? shellTail = null, bool defaultSigint = false)
    {
        var score = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "SocialHandoff.Local.dll")}' score";
        var shell = shellRedirect is not null || shellTail is not null;
        var start = new ProcessStartInfo(shell ? "/bin/sh" : defaultSigint ? "env" : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (shell)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(shellTail is null ? $"exec {score} {shellRedirect}" : $"({score} {shellRedirect}{shellTail}");
        }
        else
        {
            if (defaultSigint)
            {
                // env replaces itself with dotnet: the process (and its id) is score's.
                start.ArgumentList.Add("--default-signal=INT");
                start.ArgumentList.Add("dotnet");
            }

            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SocialHandoff.Local.dll"));
            start.ArgumentList.Add("score");
        }

        return new Running(Process.Start(start)!);
    }

    /// <summary>Writes <see cref="InputLines"/> lines made on the fly; how many went in before the pipe broke, and whether it did.</summary>
    private static (int Fed, bool Broken) Feed(Stream input)
    {
        var batch = new StringBuilder();
        var fed = 0;
        try
        {
            while (fed < InputLines)
            {
                batch.Clear();
                for (var i = 0; i < 1000; i++)
                {
                    batch.Append("@acme order ").Append(fed + i).Append(" charged twice and still waiting for a refund\n");
                }

                input.Write(Encoding.UTF8.GetBytes(batch.ToString()));
                input.Flush();
                fed += 1000;
            }

            input.Close();
            return (fed, false);
        }
        catch (IOException)
        {
            return (fed, true);
        }
    }

    private static async Task<int> WaitForExitAsync(Process process)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(HangGuard);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"score did not exit within {HangGuard}.");
        }

        return process.ExitCode;
    }

    /// <summary>Ends the process if a failed assertion left it running.</summary>
    private sealed class Running(Process process) : IDisposable
    {
        public Process Process => process;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
