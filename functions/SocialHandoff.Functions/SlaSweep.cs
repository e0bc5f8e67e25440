using Microsoft.Azure.Functions.Worker;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Functions;

/// <summary>
/// Timer (every minute, one run at a time): warn, breach and escalate the due SLA steps, notify the teams' webhooks once, refresh daily stats;
/// and record what reached mentions-incoming-poison-poison, which no trigger reads.
/// </summary>
internal sealed class SlaSweep(SlaSweepStage sweep, PoisonOfPoisonSweep poisonOfPoison)
{
    [Function(nameof(SlaSweep))]
    public async Task RunAsync([TimerTrigger("%Sla:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await poisonOfPoison.RunAsync(cancellationToken);
        await sweep.RunAsync(cancellationToken);
    }
}
