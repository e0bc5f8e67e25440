using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Functions;

/// <summary>Timer (one run at a time across instances): fetch every source, enqueue, then advance watermarks.</summary>
internal sealed class IngestMentions(IngestStage ingest)
{
    [Function(nameof(IngestMentions))]
    public async Task RunAsync([TimerTrigger("%Ingest:Schedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await ingest.RunAsync(cancellationToken);
        if (!result.Succeeded)
        {
            // Fail the invocation so it shows as failed; the other sources already ran and their watermarks are saved.
            throw new InvalidOperationException(string.Join("; ", result.Sources.Where(s => s.Error is not null).Select(s => $"{s.Source}: {s.Error}")));
        }
    }
}
