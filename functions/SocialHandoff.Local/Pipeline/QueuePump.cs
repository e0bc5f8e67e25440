using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace SocialHandoff.Local.Pipeline;

/// <summary>The Functions queue-trigger semantics that matter, from host.json's defaults.</summary>
public sealed class QueuePumpOptions
{
    public const string SectionName = "Local:QueuePump";

    /// <summary>Messages fetched per poll. Functions default 16 (the maximum a receive allows is 32); host.json's queues.batchSize.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// A new batch is fetched once no more than this many messages are still being handled, so up to
    /// <see cref="BatchSize"/> + this are in hand at once, as the host keeps per instance. Functions
    /// default BatchSize / 2; host.json's queues.newBatchThreshold (8).
    /// </summary>
    public int NewBatchThreshold { get; set; } = 8;

    /// <summary>Deliveries before a message moves to &lt;queue&gt;-poison. Functions default 5.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays invisible before the next try. Functions default 0.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How long a received message is hidden while it is processed. 10 minutes, as the host's lease.</summary>
    public TimeSpan ProcessingLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait between polls of an empty queue (the host backs off to it). Functions default 1 minute; 2 s locally.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Refuses pump settings the queue service or the host would refuse, at start-up.</summary>
internal sealed class QueuePumpOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<QueuePumpOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, QueuePumpOptions options)
    {
        var section = QueuePumpOptions.SectionName;
        List<string> errors = [];
        if (options.BatchSize is < 1 or > 32)
        {
            errors.Add($"{section}:BatchSize must be 1-32, what one receive can return (got {options.BatchSize}).");
        }

        if (options.NewBatchThreshold < 0 || options.NewBatchThreshold > 1000)
        {
            errors.Add($"{section}:NewBatchThreshold must be 0-1000 (got {options.NewBatchThreshold}).");
        }

        if (options.MaxDequeueCount < 1)
        {
            errors.Add($"{section}:MaxDequeueCount must be 1 or more (got {options.MaxDequeueCount}).");
        }

        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            errors.Add($"{section}:VisibilityTimeout must be 0 to 7 days (got {options.VisibilityTimeout}).");
        }

        if (options.ProcessingLease < TimeSpan.FromSeconds(1) || options.ProcessingLease > TimeSpan.FromDays(7))
        {
            errors.Add($"{section}:ProcessingLease must be 1 s to 7 days (got {options.ProcessingLease}).");
        }

        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{section}:MaxPollingInterval must be 100 ms or more (got {options.MaxPollingInterval}).");
        }

        return errors.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Pulls a queue the way the Functions queue trigger does: a batch at a time, and the next batch as
/// soon as no more than <see cref="QueuePumpOptions.NewBatchThreshold"/> are still in hand (up to
/// BatchSize + NewBatchThreshold in flight), each message handled concurrently; success deletes it; failure makes it visible again after the visibility timeout,
/// and the failure of its last allowed delivery copies the body (only) to &lt;queue&gt;-poison and deletes it.
/// Messages are read as stored and decoded from base64 one by one, so a message that is not base64
/// is dealt with alone (as the host does: moved to poison at once, unread, or given to
/// <c>onUndecodable</c>) while the rest of its batch is handled.
/// </summary>
/// <param name="queue">A client that reads message text as stored (<see cref="Core.Storage.StorageClients.GetRawQueue"/>).</param>
/// <param name="poison">A client of the poison queue that writes text as given.</param>
/// <param name="onUndecodable">What to do with a message that is not base64; null moves it to poison.</param>
public sealed partial class QueuePump(
    QueueClient queue,
    QueueClient poison,
    Func<string, long, CancellationToken, Task> handler,
    QueuePumpOptions options,
    ILogger logger,
    Func<string, long, CancellationToken, Task>? onUndecodable = null)
{
    private readonly Lock _gate = new();
    private int _inHand;
    private TaskCompletionSource _handled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<Exception>? _faults;

    public string QueueName => queue.Name;

    /// <summary>Messages received and not yet handled.</summary>
    public int InHand
    {
        get
        {
            lock (_gate)
            {
                return _inHand;
            }
        }
    }

    /// <summary>One receive and the handling of what it returned; the number of messages received.</summary>
    public async Task<int> PumpOnceAsync(CancellationToken cancellationToken)
    {
        var received = await ReceiveAsync(cancellationToken, cancellationToken).ConfigureAwait(false);
        await WhenHandledAsync().ConfigureAwait(false);
        ThrowFaults();
        return received;
    }

    /// <summary>
    /// Waits until no more than NewBatchThreshold messages are in hand (a stop asked with
    /// <paramref name="stopping"/> ends the wait and receives nothing), receives a batch and starts
    /// handling each message without waiting for it. The receive and the handling run with
    /// <paramref name="finishing"/>: a batch received is handled even when a stop comes meanwhile.
    /// Returns the number received. A message whose handling failed outside the handler (storage,
    /// cancellation) is kept as a fault (<see cref="TakeFaults"/>); it comes back after its lease.
    /// </summary>
    public async Task<int> ReceiveAsync(CancellationToken stopping, CancellationToken finishing)
    {
        while (true)
        {
            Task handled;
            lock (_gate)
            {
                if (_inHand <= options.NewBatchThreshold)
                {
                    break;
                }

                handled = _handled.Task;
            }

            try
            {
                await handled.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return 0;
            }
        }

        if (stopping.IsCancellationRequested)
        {
            return 0;
        }

        QueueMessage[] messages = await queue.ReceiveMessagesAsync(options.BatchSize, options.ProcessingLease, finishing).ConfigureAwait(false);
        lock (_gate)
        {
            _inHand += messages.Length;
        }

        // On the thread pool: the receive loop goes on while the messages are scored and stored.
        foreach (var message in messages)
        {
            _ = Task.Run(() => HandleInHandAsync(message, finishing), CancellationToken.None);
        }

        return messages.Length;
    }

    /// <summary>Completes when no message is in hand.</summary>
    public async Task WhenHandledAsync()
    {
        while (true)
        {
            Task handled;
            lock (_gate)
            {
                if (_inHand == 0)
                {
                    return;
                }

                handled = _handled.Task;
            }

            await handled.ConfigureAwait(false);
        }
    }

    /// <summary>The failures (storage, cancellation) of messages handled since the last call, and forgets them.</summary>
    public IReadOnlyList<Exception> TakeFaults()
    {
        lock (_gate)
        {
            var faults = _faults ?? [];
            _faults = null;
            return faults;
        }
    }

    /// <summary>Throws the first fault of the messages handled since the last call, if any.</summary>
    public void ThrowFaults()
    {
        if (TakeFaults() is [var first, ..])
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    private async Task HandleInHandAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await HandleAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                (_faults ??= []).Add(ex);
            }
        }
        finally
        {
            TaskCompletionSource handled;
            lock (_gate)
            {
                _inHand--;
                handled = _handled;
                _handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            handled.TrySetResult();
        }
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        var raw = message.Body.ToString();
        if (Core.Storage.QueueMessageText.TryDecode(raw) is not { } body)
        {
            LogUndecodable(queue.Name, message.MessageId, message.DequeueCount);
            if (onUndecodable is not null)
            {
                await onUndecodable(raw, message.DequeueCount, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await poison.SendMessageAsync(raw, cancellationToken).ConfigureAwait(false);
            }

            await SettleAsync(message, delete: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await handler(body, message.DequeueCount, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (message.DequeueCount >= options.MaxDequeueCount)
            {
                LogPoisoned(ex, queue.Name, message.MessageId, message.DequeueCount, poison.Name);
                await poison.SendMessageAsync(raw, cancellationToken).ConfigureAwait(false);
                await SettleAsync(message, delete: true, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                LogRetrying(ex, queue.Name, message.MessageId, message.DequeueCount);
                await SettleAsync(message, delete: false, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await SettleAsync(message, delete: true, cancellationToken).ConfigureAwait(false);
    }

    // Deletes the message, or makes it visible again after the visibility timeout. A message whose lease
    // ran out while it was handled (storage down, a slow handler) may be another delivery's by now: its pop
    // receipt no longer matches, or it is gone. As the host does, that is not a failure: the other delivery
    // settles it, and handling is idempotent.
    private async Task SettleAsync(QueueMessage message, bool delete, CancellationToken cancellationToken)
    {
        try
        {
            if (delete)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404 || ex.ErrorCode == "PopReceiptMismatch")
        {
            LogLeaseLost(queue.Name, message.MessageId, message.DequeueCount, ex.ErrorCode ?? ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [LoggerMessage(EventId = 2100, EventName = "LocalMessageRetrying", Level = LogLevel.Warning, Message = "{Queue}: message {MessageId} failed on delivery {DequeueCount}; it will be retried")]
    private partial void LogRetrying(Exception exception, string queue, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 2101, EventName = "LocalMessagePoisoned", Level = LogLevel.Error, Message = "{Queue}: message {MessageId} failed on delivery {DequeueCount}, the last allowed; moved to {Poison}")]
    private partial void LogPoisoned(Exception exception, string queue, string messageId, long dequeueCount, string poison);

    [LoggerMessage(EventId = 2104, EventName = "LocalMessageLeaseLost", Level = LogLevel.Information, Message = "{Queue}: message {MessageId} (delivery {DequeueCount}) was handled after its lease ran out ({ErrorCode}); another delivery settles it")]
    private partial void LogLeaseLost(string queue, string messageId, long dequeueCount, string errorCode);

    [LoggerMessage(EventId = 2103, EventName = "LocalMessageUndecodable", Level = LogLevel.Error, Message = "{Queue}: message {MessageId} (delivery {DequeueCount}) is not base64, the encoding the trigger reads; it is not retried")]
    private partial void LogUndecodable(string queue, string messageId, long dequeueCount);
}
