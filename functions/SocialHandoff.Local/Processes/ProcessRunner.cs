using System.Diagnostics;
using System.Text;

namespace SocialHandoff.Local.Processes;

/// <summary>A child process's stdout and stderr lines, collected as they arrive (the events come on pool threads).</summary>
internal sealed class ProcessOutput
{
    private readonly StringBuilder _text = new();

    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            _text.AppendLine(line);
        }
    }
}

/// <summary>Runs a command to completion with no input and returns its exit code and its output, both streams interleaved.</summary>
internal static class ProcessRunner
{
    /// <summary>Throws <see cref="System.ComponentModel.Win32Exception"/> when the file cannot be started; kills the process tree when cancelled.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file,
        IEnumerable<string> args,
        string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new ProcessOutput();
        using var process = new Process { StartInfo = start };
        output.Attach(process);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, output.ToString());
    }
}
