using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.Processing;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Functions;

/// <summary>Queue mentions-incoming: score, route and hand off one mention. Throws to retry; the host poisons after maxDequeueCount.</summary>
internal sealed class ProcessMention(ProcessMentionStage stage)
{
    [Function(nameof(ProcessMention))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.MentionsIncomingQueue)] string body,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        stage.ProcessAsync(body, dequeueCount, cancellationToken);
}
