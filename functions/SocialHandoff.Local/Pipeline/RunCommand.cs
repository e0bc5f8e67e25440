using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NCrontab;
using SocialHandoff.Core;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Ingestion.X;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Azurite;

namespace SocialHandoff.Local.Pipeline;

/// <summary>
/// <c>run [--once]</c>: the pipeline on this machine. Starts Azurite (unless Storage:ConnectionString
/// is set), reads the X API when Sources:X:BearerToken is set and the sample export otherwise.
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var once = args.Contains("--once", StringComparer.Ordinal);
        var settingsArgs = args.Where(a => a != "--once").ToArray();
        if (args.Contains("--help", StringComparer.Ordinal) || args.Contains("-h", StringComparer.Ordinal))
        {
            await output.WriteLineAsync("usage: run [--once] [--Section:Key=value ...]   (settings: see README, Configuration)").ConfigureAwait(false);
            return 0;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = settingsArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var overrides = new Dictionary<string, string?>();
        AzuriteLauncher? azurite = null;
        try
        {
            var storageDescription = "Storage:ConnectionString (configured)";
            if (string.IsNullOrWhiteSpace(builder.Configuration["Storage:ConnectionString"])
                && string.IsNullOrWhiteSpace(builder.Configuration["Storage:QueueServiceUri"]))
            {
                await output.WriteLineAsync("Starting Azurite (in memory, free loopback ports)...").ConfigureAwait(false);
                azurite = await AzuriteLauncher.StartAsync(output, cancellationToken).ConfigureAwait(false);
                overrides["Storage:ConnectionString"] = azurite.ConnectionString;
                storageDescription = azurite + ", in memory: gone when this run ends";
            }

            var usingSample = string.IsNullOrWhiteSpace(builder.Configuration[XSourceOptions.BearerTokenSetting])
                && !builder.Configuration.GetSection(FileSourceOptions.SectionName + ":Exports").GetChildren().Any();
            if (usingSample)
            {
                overrides[FileSourceOptions.SectionName + ":Exports:0:Name"] = "sample";
                overrides[FileSourceOptions.SectionName + ":Exports:0:Path"] = Path.Combine(AppContext.BaseDirectory, "samples", "mentions.jsonl");
            }

            builder.Configuration.AddInMemoryCollection(overrides);
            builder.Services.AddSocialHandoff();
            builder.Services.AddOptions<IngestScheduleOptions>().BindConfiguration(IngestScheduleOptions.SectionName).ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<IngestScheduleOptions>, IngestScheduleOptionsValidator>();
            builder.Services.AddOptions<QueuePumpOptions>().BindConfiguration("Local:QueuePump");

            using var host = builder.Build();
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync("Configuration is not valid:\n  " + string.Join("\n  ", ex.Failures)).ConfigureAwait(false);
                return 2;
            }

            var pipeline = new LocalPipeline(host.Services, host.Services.GetRequiredService<IOptions<QueuePumpOptions>>().Value);
            await pipeline.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Storage: {storageDescription}").ConfigureAwait(false);
            await output.WriteLineAsync($"Sources: {string.Join(", ", pipeline.Ingest.Sources.Select(s => s.Name))}{(usingSample ? " (the sample set: no X bearer token configured)" : "")}").ConfigureAwait(false);

            if (once)
            {
                await pipeline.IngestOnceAsync(cancellationToken).ConfigureAwait(false);
                await pipeline.DrainAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
                var summary = await pipeline.SummarizeAsync(cancellationToken).ConfigureAwait(false);
                await PrintAsync(summary, azurite, output).ConfigureAwait(false);
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return summary.Complete ? 0 : 1;
            }

            var schedule = CrontabSchedule.Parse(host.Services.GetRequiredService<IOptions<IngestScheduleOptions>>().Value.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
            await output.WriteLineAsync($"Running: ingest on '{schedule}', queues pumped continuously. Ctrl+C stops.").ConfigureAwait(false);
            await pipeline.RunAsync(
                schedule.GetNextOccurrence,
                result => output.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss}] ingest: {result.Enqueued} mentions enqueued{(result.Succeeded ? "" : "; errors: " + string.Join("; ", result.Sources.Where(s => s.Error is not null).Select(s => $"{s.Source}: {s.Error}")))}"),
                cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync("Stopping...").ConfigureAwait(false);
            await PrintAsync(await pipeline.SummarizeAsync(CancellationToken.None).ConfigureAwait(false), azurite, output).ConfigureAwait(false);
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    internal static async Task PrintAsync(PipelineSummary summary, AzuriteLauncher? azurite, TextWriter output)
    {
        var w = output;
        await w.WriteLineAsync().ConfigureAwait(false);
        await w.WriteLineAsync("Summary").ConfigureAwait(false);
        await w.WriteLineAsync($"  mentions ingested      {summary.Ingested}").ConfigureAwait(false);
        await w.WriteLineAsync($"  handed off             {summary.HandedOff}" + (summary.Duplicates > 0 ? $" (+{summary.Duplicates} already handed off before)" : "")).ConfigureAwait(false);
        await w.WriteLineAsync($"  dead-lettered          {summary.DeadLettered}").ConfigureAwait(false);
        await w.WriteLineAsync($"  still queued           {summary.QueuedMessages}").ConfigureAwait(false);
        await w.WriteLineAsync("  handoffs per team      " + string.Join(", ", summary.HandoffsByTeam.Select(kv => $"{kv.Key} {kv.Value}"))).ConfigureAwait(false);
        await w.WriteLineAsync("  handoffs per priority  " + string.Join(", ", summary.HandoffsByPriority.Select(kv => $"{kv.Key} {kv.Value}"))).ConfigureAwait(false);
        foreach (var (key, reason) in summary.DeadLetters.Take(10))
        {
            await w.WriteLineAsync($"  dead letter {key}: {reason}").ConfigureAwait(false);
        }

        foreach (var error in summary.IngestErrors)
        {
            await w.WriteLineAsync($"  ingest error: {error}").ConfigureAwait(false);
        }

        await w.WriteLineAsync().ConfigureAwait(false);
        await w.WriteLineAsync("Where to look").ConfigureAwait(false);
        await w.WriteLineAsync($"  tables  {StorageNames.HandoffsTable} (one row per handoff: team, priority, scores, reasons, due times), {StorageNames.HandoffEventsTable} (audit), {StorageNames.MentionsTable} (dedupe), {StorageNames.DeadLettersTable} (reason + original body), {StorageNames.SourceStateTable} (watermarks)").ConfigureAwait(false);
        await w.WriteLineAsync($"  queues  {string.Join(", ", summary.HandoffsByTeam.Keys.Select(StorageNames.TeamQueue))} (the teams' handoff channels), {StorageNames.MentionsIncomingQueue}, {StorageNames.MentionsPoisonQueue}").ConfigureAwait(false);
        if (azurite is not null)
        {
            await w.WriteLineAsync($"  while it runs, open them in Azure Storage Explorer with: {azurite.ConnectionString}").ConfigureAwait(false);
        }

        await w.WriteLineAsync(summary.Complete
            ? "Every ingested mention was handed off or dead-lettered with a reason."
            : "NOT COMPLETE: some mentions are neither handed off nor dead-lettered (see above).").ConfigureAwait(false);
    }
}

/// <summary>The ingest timer (Functions: the IngestMentions trigger reads the same setting as %Ingest:Schedule%).</summary>
public sealed class IngestScheduleOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Six-field NCRONTAB with seconds, as the Functions timer trigger. Default every 5 minutes, which keeps one X brand at 3 of its 450 requests per 15 minutes per page.</summary>
    public string Schedule { get; set; } = "0 */5 * * * *";
}

internal sealed class IngestScheduleOptionsValidator : IValidateOptions<IngestScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestScheduleOptions options) =>
        CrontabSchedule.TryParse(options.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null
            ? ValidateOptionsResult.Fail($"Ingest:Schedule '{options.Schedule}' is not a six-field NCRONTAB expression (second minute hour day month weekday).")
            : ValidateOptionsResult.Success;
}
