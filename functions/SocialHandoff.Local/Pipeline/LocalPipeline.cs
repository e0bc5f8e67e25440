using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Local.Pipeline;

/// <summary>
/// What one local run did, plus what the tables hold. Each mention is counted once, by its key,
/// however often it was delivered: <see cref="Ingested"/> is every mention and record the sources
/// yielded (enqueued or dead-lettered at ingest), <see cref="HandedOff"/> and <see cref="DeadLettered"/>
/// how many of those ended each way (a mention that joined an incident is handed off with the incident's
/// handoff; <see cref="JoinedIncidents"/> counts those). <see cref="Duplicates"/> counts deliveries that found their mention
/// already handed off (redeliveries); <see cref="OtherHandedOff"/> and <see cref="OtherDeadLetters"/> count
/// messages that did not come from this run's ingest (queued before it started, enqueued by something
/// else, not base64, not a mention) and ended each way.
/// </summary>
public sealed record PipelineSummary(
    int Ingested,
    int HandedOff,
    int Duplicates,
    int DeadLettered,
    IReadOnlyList<string> IngestErrors,
    IReadOnlyDictionary<string, int> HandoffsByTeam,
    IReadOnlyDictionary<string, int> HandoffsByPriority,
    IReadOnlyList<(string Key, string Reason)> DeadLetters,
    int QueuedMessages,
    SweepResult? Sla = null,
    int OtherDeadLetters = 0,
    int OtherHandedOff = 0,
    IReadOnlyList<string>? IngestWarnings = null,
    int JoinedIncidents = 0,
    Core.Incidents.IncidentTotals? Incidents = null,
    int Filtered = 0,
    int OtherFiltered = 0)
{
    /// <summary>
    /// The sources all succeeded, the queues (poison ones included) are empty, and every ingested mention
    /// ended handed off, filtered as spam (kept in FilteredMentions, restorable) or dead-lettered:
    /// ingested = handed off + filtered + dead-lettered.
    /// </summary>
    public bool Complete => IngestErrors.Count == 0 && QueuedMessages == 0 && HandedOff + Filtered + DeadLettered == Ingested;
}

/// <summary>
/// The three stages on this machine: the ingest "timer" (one run at a time) and queue pumps with the
/// Functions semantics for mentions-incoming and mentions-incoming-poison.
/// </summary>
public sealed partial class LocalPipeline
{
    private readonly IServiceProvider _services;
    private readonly StorageClients _storage;
    private readonly QueuePumpOptions _pumpOptions;
    private readonly ILogger<LocalPipeline> _logger;
    private readonly SemaphoreSlim _ingestGate = new(1, 1);
    private readonly SemaphoreSlim _sweepGate = new(1, 1);
    private SweepResult _sla = SweepResult.Empty;
    private readonly List<string> _ingestErrors = [];
    private readonly List<string> _ingestWarnings = [];
    private QueuePump? _incoming;
    private QueuePump? _poison;
    private readonly ConcurrentDictionary<string, byte> _ingested = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _handedOff = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _deadLettered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _joined = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _filtered = new(StringComparer.Ordinal);
    private int _duplicates;
    private int _otherDeadLetters;

    private readonly StorageWatch _watch;

    /// <param name="services">The pipeline's services.</param>
    /// <param name="pumpOptions">The queue trigger's semantics.</param>
    /// <param name="watch">Says when storage is unreachable and back; by default through the log.</param>
    public LocalPipeline(IServiceProvider services, QueuePumpOptions pumpOptions, StorageWatch? watch = null)
    {
        _services = services;
        _storage = services.GetRequiredService<StorageClients>();
        _pumpOptions = pumpOptions;
        _logger = services.GetRequiredService<ILogger<LocalPipeline>>();
        _watch = watch ?? new StorageWatch(LogStorage);
    }

    /// <summary>
    /// How long work already started when a stop is asked may take to finish: 30 s. Within it a batch
    /// being handled is finished and deleted, an ingest or sweep run completes; past it they are
    /// cancelled, and messages still leased come back after <see cref="QueuePumpOptions.ProcessingLease"/>.
    /// </summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    public IngestStage Ingest => _services.GetRequiredService<IngestStage>();

    /// <summary>Creates the queues and tables (one queue per team the router knows) and the pumps.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var router = _services.GetRequiredService<IRouter>();
        await _storage.EnsureCreatedAsync(await router.GetTeamsAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var process = _services.GetRequiredService<ProcessMentionStage>();
        var record = _services.GetRequiredService<RecordDeadLetterStage>();
        var incoming = _storage.GetRawQueue(StorageNames.MentionsIncomingQueue);
        var poison = _storage.GetRawQueue(StorageNames.MentionsPoisonQueue);
        await _storage.GetQueueAsync(StorageNames.PoisonOfPoisonQueue, cancellationToken).ConfigureAwait(false);
        var poisonOfPoison = _storage.GetRawQueue(StorageNames.PoisonOfPoisonQueue);
        _incoming = new QueuePump(incoming, poison, async (body, dequeueCount, ct) =>
        {
            var result = await process.ProcessMessageAsync(body, dequeueCount, ct).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case ProcessOutcome.HandedOff:
                    _handedOff.TryAdd(result.MentionKey!, 0);
                    break;
                case ProcessOutcome.JoinedIncident:
                    _handedOff.TryAdd(result.MentionKey!, 0);
                    _joined.TryAdd(result.MentionKey!, 0);
                    break;
                case ProcessOutcome.Duplicate:
                    _handedOff.TryAdd(result.MentionKey!, 0);
                    Interlocked.Increment(ref _duplicates);
                    break;
                case ProcessOutcome.AlreadyDeadLettered:
                    _deadLettered.TryAdd(result.MentionKey!, 0);
                    break;
                case ProcessOutcome.Filtered:
                    _filtered.TryAdd(result.MentionKey!, 0);
                    break;
                default:
                    Interlocked.Increment(ref _otherDeadLetters);
                    break;
            }
        }, _pumpOptions, _logger);
        _poison = new QueuePump(
            poison,
            poisonOfPoison,
            async (body, dequeueCount, ct) =>
            {
                Count(await record.RecordAsync(body, dequeueCount, ct).ConfigureAwait(false));
            },
            _pumpOptions,
            _logger,
            onUndecodable: async (raw, dequeueCount, ct) =>
            {
                await record.RecordUndecodableAsync(StorageNames.MentionsIncomingQueue, raw, dequeueCount, ct).ConfigureAwait(false);
                Interlocked.Increment(ref _otherDeadLetters);
            });
    }

    private void Count(PoisonOutcome outcome)
    {
        if (outcome.MentionKey is null)
        {
            Interlocked.Increment(ref _otherDeadLetters);
        }
        else if (outcome.AlreadyHandedOff)
        {
            _handedOff.TryAdd(outcome.MentionKey, 0);
        }
        else
        {
            _deadLettered.TryAdd(outcome.MentionKey, 0);
        }
    }

    /// <summary>Records what reached the poison queue's own poison queue (the Functions app does this on the SLA sweep's timer); returns how many.</summary>
    private async Task<int> SweepPoisonOfPoisonAsync(CancellationToken cancellationToken)
    {
        var outcomes = await _services.GetRequiredService<PoisonOfPoisonSweep>().RunAsync(cancellationToken).ConfigureAwait(false);
        foreach (var outcome in outcomes)
        {
            Count(outcome);
        }

        return outcomes.Count;
    }

    /// <summary>One IngestMentions run; a second caller waits for the first (the timer's singleton lock).</summary>
    public async Task<IngestResult> IngestOnceAsync(CancellationToken cancellationToken)
    {
        await _ingestGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await Ingest.RunAsync(cancellationToken).ConfigureAwait(false);
            foreach (var source in result.Sources)
            {
                foreach (var key in source.EnqueuedKeys ?? [])
                {
                    _ingested.TryAdd(key, 0);
                }

                foreach (var record in source.DeadLetteredRecords ?? [])
                {
                    _ingested.TryAdd(record, 0);
                    _deadLettered.TryAdd(record, 0);
                }
            }

            lock (_ingestErrors)
            {
                _ingestErrors.AddRange(result.Sources.Where(s => s.Error is not null).Select(s => $"{s.Source}: {s.Error}"));
                _ingestWarnings.AddRange(result.Sources.SelectMany(s => (s.Warnings ?? []).Select(w => $"{s.Source}: {w}")));
            }

            return result;
        }
        finally
        {
            _ingestGate.Release();
        }
    }

    /// <summary>One SlaSweep run as of <paramref name="asOf"/> (now when null); one at a time, like the timer's singleton lock.</summary>
    public async Task<SweepResult> SweepOnceAsync(DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        await _sweepGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SweepPoisonOfPoisonAsync(cancellationToken).ConfigureAwait(false);
            var sweep = _services.GetRequiredService<SlaSweepStage>();
            var result = asOf is { } at ? await sweep.RunAsync(at, cancellationToken).ConfigureAwait(false) : await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
            _sla += result;
            await _services.GetRequiredService<Core.Spikes.SpikeSweepStage>()
                .RunIfDueAsync(asOf ?? _services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken).ConfigureAwait(false);
            await _services.GetRequiredService<Core.Work.QueueIndexUpgrade>().RunAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _sweepGate.Release();
        }
    }

    /// <summary>Pumps both queues until they are empty (visible or not), or throws after <paramref name="timeout"/>.</summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var received = await DrainPumpAsync(_incoming!, limit.Token).ConfigureAwait(false)
                    + await DrainPumpAsync(_poison!, limit.Token).ConfigureAwait(false)
                    + await SweepPoisonOfPoisonAsync(limit.Token).ConfigureAwait(false);
                if (received > 0)
                {
                    continue;
                }

                if (await QueuedAsync(limit.Token).ConfigureAwait(false) == 0)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The queues were not drained within {timeout}.");
        }
    }

    // Receives with the host's concurrency until a receive finds nothing and nothing is in hand
    // (a failed message made visible again is received again); the first storage fault is thrown.
    private static async Task<int> DrainPumpAsync(QueuePump pump, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var received = await pump.ReceiveAsync(cancellationToken, cancellationToken).ConfigureAwait(false);
            total += received;
            if (received == 0)
            {
                if (pump.InHand == 0)
                {
                    break;
                }

                await pump.WhenHandledAsync().ConfigureAwait(false);
            }
        }

        await pump.WhenHandledAsync().ConfigureAwait(false);
        pump.ThrowFaults();
        return total;
    }

    /// <summary>Runs until cancelled: the ingest timer on <paramref name="schedule"/> (first run at once) and both pumps.</summary>
    public async Task RunAsync(Func<DateTime, DateTime> schedule, Action<IngestResult>? afterIngest, CancellationToken cancellationToken) =>
        await RunAsync(schedule, afterIngest, null, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> asks it to stop: the ingest timer, the SlaSweep timer on
    /// <paramref name="sweepSchedule"/> (when given) and both pumps. A stop ends the timers and the polling at
    /// once and lets work already started finish (see <see cref="ShutdownGrace"/>); it returns when all have.
    /// </summary>
    public Task RunAsync(Func<DateTime, DateTime> schedule, Action<IngestResult>? afterIngest, Func<DateTime, DateTime>? sweepSchedule, Action<SweepResult>? afterSweep, CancellationToken cancellationToken) =>
        RunAsync(schedule, afterIngest, sweepSchedule, afterSweep, cancellationToken, CancellationToken.None);

    /// <summary>As above; <paramref name="abort"/> also cancels the work in hand at once (storage is gone: nothing could finish).</summary>
    public async Task RunAsync(Func<DateTime, DateTime> schedule, Action<IngestResult>? afterIngest, Func<DateTime, DateTime>? sweepSchedule, Action<SweepResult>? afterSweep, CancellationToken cancellationToken, CancellationToken abort)
    {
        EnsureInitialized();
        var stopping = cancellationToken;
        using var hard = CancellationTokenSource.CreateLinkedTokenSource(abort);
        using var graceOnStop = stopping.Register(() => hard.CancelAfter(ShutdownGrace));
        var finishing = hard.Token;
        var probe = await _storage.GetQueueAsync(StorageNames.MentionsIncomingQueue, stopping).ConfigureAwait(false);
        _watch.Attach(_storage.QueueService.Uri.GetLeftPart(UriPartial.Authority), ct => probe.GetPropertiesAsync(ct), stopping);
        var timeProvider = _services.GetRequiredService<TimeProvider>();
        var timer = Task.Run(
            async () =>
            {
                while (!stopping.IsCancellationRequested)
                {
                    try
                    {
                        afterIngest?.Invoke(await IngestOnceAsync(finishing).ConfigureAwait(false));
                    }
                    catch (Exception) when (stopping.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception ex) when (!_watch.Report(ex))
                    {
                        LogIngestFailed(ex);
                    }
                    catch (Exception)
                    {
                        // Storage is down (the watch said so); the next tick tries again.
                    }

                    var now = timeProvider.GetUtcNow().UtcDateTime;
                    await PauseAsync(schedule(now) - now, timeProvider, stopping).ConfigureAwait(false);
                }
            },
            CancellationToken.None);
        var sweeper = sweepSchedule is null ? Task.CompletedTask : Task.Run(
            async () =>
            {
                while (!stopping.IsCancellationRequested)
                {
                    try
                    {
                        var now = timeProvider.GetUtcNow().UtcDateTime;
                        await Task.Delay(sweepSchedule(now) - now, timeProvider, stopping).ConfigureAwait(false);
                        afterSweep?.Invoke(await SweepOnceAsync(null, finishing).ConfigureAwait(false));
                    }
                    catch (Exception) when (stopping.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception ex) when (!_watch.Report(ex))
                    {
                        LogSweepFailed(ex);
                    }
                    catch (Exception)
                    {
                        // Storage is down (the watch said so); the next tick tries again.
                    }
                }
            },
            CancellationToken.None);
        await Task.WhenAll(timer, sweeper, PumpUntilStoppedAsync(_incoming!, stopping, finishing), PumpUntilStoppedAsync(_poison!, stopping, finishing)).ConfigureAwait(false);
    }

    /// <summary>
    /// The queue trigger's polling: a new batch whenever no more than NewBatchThreshold messages are in
    /// hand, backing off on an empty queue up to MaxPollingInterval. A stop ends the polling, not the
    /// messages in hand: they are handled with <paramref name="finishing"/> before this returns.
    /// </summary>
    private async Task PumpUntilStoppedAsync(QueuePump pump, CancellationToken stopping, CancellationToken finishing)
    {
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stopping.IsCancellationRequested)
        {
            var received = 0;
            try
            {
                received = await pump.ReceiveAsync(stopping, finishing).ConfigureAwait(false);
            }
            catch (Exception) when (finishing.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Report(ex, pump);
            }

            foreach (var fault in pump.TakeFaults())
            {
                if (!finishing.IsCancellationRequested)
                {
                    Report(fault, pump);
                }
            }

            if (received > 0)
            {
                idle = TimeSpan.FromMilliseconds(100);
                continue;
            }

            await PauseAsync(idle, stopping).ConfigureAwait(false);
            idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _pumpOptions.MaxPollingInterval.Ticks));
        }

        await pump.WhenHandledAsync().ConfigureAwait(false);
        foreach (var fault in pump.TakeFaults())
        {
            if (!finishing.IsCancellationRequested)
            {
                Report(fault, pump);
            }
        }
    }

    private void Report(Exception exception, QueuePump pump)
    {
        if (!_watch.Report(exception))
        {
            LogPollFailed(exception, pump.QueueName);
        }
    }

    private static Task PauseAsync(TimeSpan delay, CancellationToken stopping) => PauseAsync(delay, TimeProvider.System, stopping);

    private static async Task PauseAsync(TimeSpan delay, TimeProvider timeProvider, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, timeProvider, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task<PipelineSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        var handoffs = await _storage.GetTableAsync(StorageNames.HandoffsTable, cancellationToken).ConfigureAwait(false);
        var byTeam = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byPriority = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in handoffs.QueryAsync<TableEntity>(HandoffRow.OnlyHandoffs, select: ["Team", "Priority"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var team = row.GetString("Team") ?? "?";
            var priority = row.GetString("Priority") ?? "?";
            byTeam[team] = byTeam.GetValueOrDefault(team) + 1;
            byPriority[priority] = byPriority.GetValueOrDefault(priority) + 1;
        }

        var deadLetters = await _storage.GetTableAsync(StorageNames.DeadLettersTable, cancellationToken).ConfigureAwait(false);
        var dead = new List<(string, string)>();
        await foreach (var row in deadLetters.QueryAsync<TableEntity>(select: ["MentionKey", "Reason"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            dead.Add((row.GetString("MentionKey") ?? row.RowKey, row.GetString("Reason") ?? ""));
        }

        string[] errors;
        string[] warnings;
        lock (_ingestErrors)
        {
            errors = [.. _ingestErrors];
            warnings = [.. _ingestWarnings];
        }

        // Counted against what was ingested, so a redelivery, or a mention handed off by an earlier run on the same storage, is not counted twice.
        var ingested = _ingested.Keys.ToHashSet(StringComparer.Ordinal);
        var handedOff = _handedOff.Keys.Count(ingested.Contains);
        var deadLettered = _deadLettered.Keys.Count(k => ingested.Contains(k) && !_handedOff.ContainsKey(k));
        var filtered = _filtered.Keys.Count(k => ingested.Contains(k) && !_handedOff.ContainsKey(k) && !_deadLettered.ContainsKey(k));
        return new PipelineSummary(
            ingested.Count, handedOff, Volatile.Read(ref _duplicates), deadLettered,
            errors, byTeam, byPriority, dead, await QueuedAsync(cancellationToken).ConfigureAwait(false), _sla,
            Volatile.Read(ref _otherDeadLetters) + _deadLettered.Keys.Count(k => !ingested.Contains(k) && !_handedOff.ContainsKey(k)),
            _handedOff.Keys.Count(k => !ingested.Contains(k)),
            warnings,
            _joined.Keys.Count(ingested.Contains),
            await _services.GetRequiredService<Core.Incidents.IncidentStore>().TotalsAsync(cancellationToken).ConfigureAwait(false),
            filtered,
            _filtered.Keys.Count(k => !ingested.Contains(k) && !_handedOff.ContainsKey(k) && !_deadLettered.ContainsKey(k)));
    }

    private async Task<int> QueuedAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var name in new[] { StorageNames.MentionsIncomingQueue, StorageNames.MentionsPoisonQueue, StorageNames.PoisonOfPoisonQueue })
        {
            var queue = await _storage.GetQueueAsync(name, cancellationToken).ConfigureAwait(false);
            total += (await queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
        }

        return total;
    }

    private void EnsureInitialized()
    {
        if (_incoming is null || _poison is null)
        {
            throw new InvalidOperationException("Call InitializeAsync first.");
        }
    }

    [LoggerMessage(EventId = 2000, EventName = "LocalSweepFailed", Level = LogLevel.Error, Message = "SLA sweep failed; the timer runs it again on schedule")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(EventId = 2110, EventName = "LocalPollFailed", Level = LogLevel.Error, Message = "{Queue}: polling failed; polling goes on")]
    private partial void LogPollFailed(Exception exception, string queue);

    [LoggerMessage(EventId = 2111, EventName = "LocalIngestFailed", Level = LogLevel.Error, Message = "Ingest run failed; the timer runs it again on schedule")]
    private partial void LogIngestFailed(Exception exception);

    [LoggerMessage(EventId = 2112, EventName = "LocalStorageState", Level = LogLevel.Warning, Message = "{Line}")]
    private partial void LogStorage(string line);
}
