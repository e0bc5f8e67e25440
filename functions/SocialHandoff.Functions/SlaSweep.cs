using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Functions;

/// <summary>Timer (every minute, one run at a time): warn, breach and escalate the due SLA steps, notify the teams' webhooks once, refresh daily stats.</summary>
internal sealed class SlaSweep(SlaSweepStage sweep)
{
    [Function(nameof(SlaSweep))]
    public Task RunAsync([TimerTrigger("%Sla:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(cancellationToken);
}
