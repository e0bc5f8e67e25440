using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Spikes;

namespace SocialHandoff.Functions;

/// <summary>
/// Timer (every minute, one run at a time): warn, breach and escalate the due SLA steps, notify the teams' webhooks once, refresh daily stats;
/// record what reached mentions-incoming-poison-poison, which no trigger reads; and, every Spikes:CheckEveryMinutes, look for volume spikes.
/// </summary>
internal sealed class SlaSweep(SlaSweepStage sweep, PoisonOfPoisonSweep poisonOfPoison, SpikeSweepStage spikes, TimeProvider timeProvider)
{
    [Function(nameof(SlaSweep))]
    public async Task RunAsync([TimerTrigger("%Sla:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await poisonOfPoison.RunAsync(cancellationToken);
        await sweep.RunAsync(cancellationToken);
        await spikes.RunIfDueAsync(timeProvider.GetUtcNow(), cancellationToken);
    }
}
