using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Functions;

/// <summary>Queue mentions-incoming-poison: record the message in the DeadLetters table with the reason.</summary>
internal sealed class RecordDeadLetter(RecordDeadLetterStage stage)
{
    [Function(nameof(RecordDeadLetter))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.MentionsPoisonQueue)] string body,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        stage.RecordAsync(body, dequeueCount, cancellationToken);
}
