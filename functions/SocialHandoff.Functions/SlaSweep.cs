using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Spikes;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Functions;

/// <summary>
/// Timer (every minute, one run at a time): warn, breach and escalate the due SLA steps, notify the teams' webhooks once, refresh daily stats;
/// record what reached mentions-incoming-poison-poison, which no trigger reads; every Spikes:CheckEveryMinutes, look for volume spikes;
/// and, once per instance, bring queue indexes an earlier version wrote to the current layout.
/// </summary>
internal sealed class SlaSweep(SlaSweepStage sweep, PoisonOfPoisonSweep poisonOfPoison, SpikeSweepStage spikes, QueueIndexUpgrade indexUpgrade, TimeProvider timeProvider)
{
    [Function(nameof(SlaSweep))]
    public async Task RunAsync([TimerTrigger("%Sla:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await poisonOfPoison.RunAsync(cancellationToken);
        await sweep.RunAsync(cancellationToken);
        await spikes.RunIfDueAsync(timeProvider.GetUtcNow(), cancellationToken);
        await indexUpgrade.RunAsync(cancellationToken);
    }
}
