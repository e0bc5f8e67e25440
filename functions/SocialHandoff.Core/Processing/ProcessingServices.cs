using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.DeadLetters;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Core.Processing;

public static class ProcessingServices
{
    /// <summary>ProcessMention and the dead letters: the ledger, the handoff store (Handoffs:*), DeadLetters and the poison readers.</summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services)
    {
        services.AddOptions<HandoffOptions>().BindConfiguration(HandoffOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HandoffOptions>, HandoffOptionsValidator>();
        services.TryAddSingleton<MentionLedger>();
        services.TryAddSingleton<HandoffStore>();
        services.TryAddSingleton<HandoffIndex>();
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<IIngestRejects>(sp => sp.GetRequiredService<DeadLetterStore>());
        services.TryAddSingleton<ProcessMentionStage>();
        services.TryAddSingleton<RecordDeadLetterStage>();
        services.TryAddSingleton<PoisonOfPoisonSweep>();
        return services;
    }
}
