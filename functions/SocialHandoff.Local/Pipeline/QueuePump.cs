using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace SocialHandoff.Local.Pipeline;

/// <summary>The Functions queue-trigger semantics that matter, from host.json's defaults.</summary>
public sealed class QueuePumpOptions
{
    public const string SectionName = "Local:QueuePump";

    /// <summary>Messages fetched per poll. Functions default 16 (the maximum a receive allows is 32).</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Deliveries before a message moves to &lt;queue&gt;-poison. Functions default 5.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays invisible before the next try. Functions default 0.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How long a received message is hidden while it is processed. 10 minutes, as the host's lease.</summary>
    public TimeSpan ProcessingLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait between polls of an empty queue (the host backs off to it). Functions default 1 minute; 2 s locally.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Pulls a queue the way the Functions queue trigger does: a batch at a time, each message handled
/// concurrently; success deletes it; failure makes it visible again after the visibility timeout,
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
    public string QueueName => queue.Name;

    /// <summary>One receive and the handling of what it returned; the number of messages received.</summary>
    public async Task<int> PumpOnceAsync(CancellationToken cancellationToken)
    {
        QueueMessage[] messages = await queue.ReceiveMessagesAsync(options.BatchSize, options.ProcessingLease, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(messages.Select(m => HandleAsync(m, cancellationToken))).ConfigureAwait(false);
        return messages.Length;
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

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
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
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                LogRetrying(ex, queue.Name, message.MessageId, message.DequeueCount);
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2100, EventName = "LocalMessageRetrying", Level = LogLevel.Warning, Message = "{Queue}: message {MessageId} failed on delivery {DequeueCount}; it will be retried")]
    private partial void LogRetrying(Exception exception, string queue, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 2101, EventName = "LocalMessagePoisoned", Level = LogLevel.Error, Message = "{Queue}: message {MessageId} failed on delivery {DequeueCount}, the last allowed; moved to {Poison}")]
    private partial void LogPoisoned(Exception exception, string queue, string messageId, long dequeueCount, string poison);

    [LoggerMessage(EventId = 2103, EventName = "LocalMessageUndecodable", Level = LogLevel.Error, Message = "{Queue}: message {MessageId} (delivery {DequeueCount}) is not base64, the encoding the trigger reads; it is not retried")]
    private partial void LogUndecodable(string queue, string messageId, long dequeueCount);
}
