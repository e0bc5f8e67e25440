using System.Globalization;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Local.Pipeline;

/// <summary>
/// Says plainly when storage stops answering and when it answers again, one line each, instead of
/// an error with a stack trace for every poll and every message in flight. The first storage-outage
/// failure reported makes it say "storage unreachable at ... since ..." and probe storage every
/// <see cref="ProbeInterval"/> until it answers; then it says so. Other failures are not its business.
/// </summary>
public sealed class StorageWatch : IDisposable
{
    /// <summary>How often storage is probed while unreachable: 1 s.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly Action<string> _say;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private string _endpoint = "(storage)";
    private Func<CancellationToken, Task>? _probe;
    private CancellationToken _stopping;
    private DateTimeOffset? _downSince;
    private bool _confirming;

    /// <param name="say">Where the lines go (the runner's console).</param>
    public StorageWatch(Action<string> say)
    {
        ArgumentNullException.ThrowIfNull(say);
        _say = say;
    }

    /// <summary>True from the first outage reported until a probe succeeds.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate)
            {
                return _downSince is not null;
            }
        }
    }

    /// <summary>Names the storage and how to probe it (a cheap call that fails fast); until <paramref name="stopping"/> a cancellation is not taken for an outage.</summary>
    public void Attach(string endpoint, Func<CancellationToken, Task> probe, CancellationToken stopping)
    {
        lock (_gate)
        {
            _endpoint = endpoint;
            _probe = probe;
            _stopping = stopping;
        }
    }

    /// <summary>True when <paramref name="exception"/> is storage being unreachable (and it is now reported); false for anything else.</summary>
    public bool Report(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_stopping.IsCancellationRequested || _disposed.IsCancellationRequested || !StorageFaults.IsUnavailable(exception, _stopping))
        {
            return false;
        }

        Func<CancellationToken, Task>? probe;
        lock (_gate)
        {
            if (_downSince is not null || _confirming)
            {
                return true;
            }

            probe = _probe;
            if (probe is null)
            {
                GoDown(exception, DateTimeOffset.Now, null);
                return true;
            }

            _confirming = true;
        }

        // A call that began while storage was down can fail after it is back (the SDK retries for seconds):
        // storage is declared down only if a fresh probe fails too.
        _ = ConfirmAsync(exception, DateTimeOffset.Now, probe);
        return true;
    }

    private async Task ConfirmAsync(Exception exception, DateTimeOffset at, Func<CancellationToken, Task> probe)
    {
        var down = !await AnswersAsync(probe).ConfigureAwait(false);
        lock (_gate)
        {
            _confirming = false;
            if (down && _downSince is null && !_stopping.IsCancellationRequested && !_disposed.IsCancellationRequested)
            {
                GoDown(exception, at, probe);
            }
        }
    }

    private void GoDown(Exception exception, DateTimeOffset at, Func<CancellationToken, Task>? probe)
    {
        _downSince = at;
        _say($"[{Clock(at)}] storage unreachable at {_endpoint} since {Clock(at)} ({StorageFaults.Describe(exception)}); the pipeline waits and tries again, messages are kept");
        if (probe is not null)
        {
            _ = ProbeUntilBackAsync(probe);
        }
    }

    private async Task<bool> AnswersAsync(Func<CancellationToken, Task> probe)
    {
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping, _disposed.Token);
            using (StorageClients.BeginInteractive())
            {
                await probe(stop.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException || StorageFaults.IsUnavailable(ex))
        {
            return false;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task ProbeUntilBackAsync(Func<CancellationToken, Task> probe)
    {
        CancellationTokenSource stop;
        try
        {
            stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping, _disposed.Token);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        using var _ = stop;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, stop.Token).ConfigureAwait(false);
                using (StorageClients.BeginInteractive())
                {
                    await probe(stop.Token).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    var since = _downSince!.Value;
                    var now = DateTimeOffset.Now;
                    _downSince = null;
                    _say($"[{Clock(now)}] storage reachable again at {_endpoint} (unreachable for {(now - since).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s); the pipeline carries on");
                }

                return;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (StorageFaults.IsUnavailable(ex, stop.Token))
            {
                // Still down: said once already.
            }
        }
    }

    private static string Clock(DateTimeOffset at) => at.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}

/// <summary>
/// Log entries whose exception is a storage outage go to the <see cref="StorageWatch"/> (one line for
/// the whole outage) and are written at Debug only; everything else passes unchanged.
/// </summary>
internal sealed class StorageWatchLoggerFactory(ILoggerFactory inner, StorageWatch watch) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new WatchedLogger(inner.CreateLogger(categoryName), watch);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class WatchedLogger(ILogger inner, StorageWatch watch) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null && logLevel >= LogLevel.Warning && watch.Report(exception))
            {
                logLevel = LogLevel.Debug;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
