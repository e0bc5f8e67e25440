using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.DeadLetters;

/// <summary>
/// Empties <c>mentions-incoming-poison-poison</c>, which no trigger reads: the host puts there what
/// RecordDeadLetter failed on five times (storage trouble while recording) and, in Azure, a poison
/// message that is not base64 (the poison trigger cannot decode it either). Each message is read as
/// stored, recorded in DeadLetters (decoded when it is base64, its raw text otherwise) and deleted, so
/// nothing stays where nobody looks. Run by the SLA sweep's timer.
/// </summary>
public sealed partial class PoisonOfPoisonSweep(StorageClients clients, RecordDeadLetterStage record, ILogger<PoisonOfPoisonSweep> logger)
{
    /// <summary>Records and deletes what the queue holds, up to 32 messages a call (one receive); returns what became of each.</summary>
    public async Task<IReadOnlyList<PoisonOutcome>> RunAsync(CancellationToken cancellationToken)
    {
        var queue = clients.GetRawQueue(StorageNames.PoisonOfPoisonQueue);
        Azure.Storage.Queues.Models.QueueMessage[] messages;
        try
        {
            messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No such queue (not created yet): nothing can be waiting in it. Asked here, not by an existence check on every sweep.
            return [];
        }

        var outcomes = new List<PoisonOutcome>();
        foreach (var message in messages)
        {
            var raw = message.Body.ToString();
            if (QueueMessageText.TryDecode(raw) is { } body)
            {
                outcomes.Add(await record.RecordAsync(body, message.DequeueCount, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                await record.RecordUndecodableAsync(StorageNames.MentionsIncomingQueue, raw, message.DequeueCount, cancellationToken).ConfigureAwait(false);
                outcomes.Add(new PoisonOutcome(null, false));
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            LogRecovered(message.MessageId);
        }

        return outcomes;
    }

    [LoggerMessage(EventId = 1310, EventName = "PoisonOfPoisonRecovered", Level = LogLevel.Warning, Message = "Message {MessageId} on mentions-incoming-poison-poison recorded in DeadLetters and deleted")]
    private partial void LogRecovered(string messageId);
}
