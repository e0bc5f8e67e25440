using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using SocialHandoff.Core;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.Ingestion.Files;
using SocialHandoff.Core.Ingestion.X;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Azurite;
using SocialHandoff.Local.Processes;
using SocialHandoff.Local.Sla;
using SocialHandoff.Local.Telemetry;
using SocialHandoff.Local.Web;

namespace SocialHandoff.Local.Pipeline;

/// <summary>
/// <c>run [--once]</c>: the pipeline on this machine. Starts Azurite (unless Storage:ConnectionString
/// is set), reads the X API when Sources:X:BearerToken is set and the sample export otherwise.
/// Exit codes: 0 done (for <c>run</c>: stopped by Ctrl+C / SIGTERM after finishing the work in hand;
/// for <c>--once</c>: everything accounted for), 1 <c>--once</c> not complete, 2 invalid configuration
/// or the dashboard port taken, 3 the Azurite this command started exited under it, 4 storage
/// unreachable at start-up or during <c>--once</c>, 130 stopped
/// before start-up finished or during <c>--once</c> (work cut short, as <c>score</c> on Ctrl+C; a served <c>run</c>
/// stopped cleanly has done what it was asked: 0). A second Ctrl+C or SIGQUIT ends the process at once (137, as kill -9; SIGTERM again does not: see <see cref="StopSignals"/>).
/// A stop goes: pumps stopped (work in hand finished), summary read from storage, host and web server stopped, Azurite stopped, "Stopped.".
/// </summary>
internal static class RunCommand
{
    /// <summary>The exit code when the Azurite this command started dies while it runs.</summary>
    public const int AzuriteDiedExitCode = 3;

    /// <summary>The exit code when storage does not answer at start-up or during <c>--once</c>.</summary>
    public const int StorageUnreachableExitCode = 4;

    public const int InterruptedExitCode = 130;

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
        LocalWebhookSink? sink = null;

        // The run stops on a signal, or when the Azurite it started dies (its storage is gone with it).
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abort = new CancellationTokenSource();
        using var saysStopping = cancellationToken.Register(() => output.WriteLine(
            $"[{DateTimeOffset.Now:HH:mm:ss}] Stopping: no new work is taken, work in hand is finished (up to {LocalPipeline.ShutdownGrace.TotalSeconds:0} s); Ctrl+C again to stop at once."));
        int? azuriteExit = null;
        var storageEndpoint = "(not configured yet)";
        using var watch = new StorageWatch(output.WriteLine);
        try
        {
            var storageDescription = "Storage:ConnectionString (configured)";
            if (string.IsNullOrWhiteSpace(builder.Configuration["Storage:ConnectionString"])
                && string.IsNullOrWhiteSpace(builder.Configuration["Storage:QueueServiceUri"]))
            {
                await output.WriteLineAsync("Starting Azurite (in memory, free loopback ports)...").ConfigureAwait(false);
                azurite = await AzuriteLauncher.StartAsync(output, run.Token).ConfigureAwait(false);
                overrides["Storage:ConnectionString"] = azurite.ConnectionString;
                storageDescription = azurite + ", in memory: gone when this run ends";
                var started = azurite;
                _ = started.Died.ContinueWith(
                    died =>
                    {
                        azuriteExit = died.Result;
                        output.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss}] {started} exited (code {died.Result}) while the runner was using it; its in-memory storage is gone. Stopping with exit code {AzuriteDiedExitCode}.");
                        try
                        {
                            abort.Cancel();
                            run.Cancel();
                        }
                        catch (ObjectDisposedException)
                        {
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion,
                    TaskScheduler.Default);
            }

            var usingSample = string.IsNullOrWhiteSpace(builder.Configuration[XSourceOptions.BearerTokenSetting])
                && !builder.Configuration.GetSection(FileSourceOptions.SectionName + ":Exports").GetChildren().Any();
            if (usingSample)
            {
                overrides[FileSourceOptions.SectionName + ":Exports:0:Name"] = "sample";
                overrides[FileSourceOptions.SectionName + ":Exports:0:Path"] = Path.Combine(AppContext.BaseDirectory, "samples", "mentions.jsonl");
            }

            if (!builder.Configuration.GetSection("Sla:Teams").GetChildren().Any())
            {
                // No webhooks configured (and no way out of this machine): a loopback sink receives the teams' notices.
                sink = new LocalWebhookSink();
                var teams = builder.Configuration.GetSection("Routing:Rules").GetChildren().Select(r => r["Team"]).Append(builder.Configuration["Routing:DefaultTeam"] ?? "care")
                    .OfType<string>().Distinct(StringComparer.Ordinal);
                foreach (var team in teams)
                {
                    overrides[$"Sla:Teams:{team}:Webhooks:0:Kind"] = "Teams";
                    overrides[$"Sla:Teams:{team}:Webhooks:0:Url"] = new Uri(sink.BaseUrl, $"teams/{team}").ToString();
                    overrides[$"Sla:Teams:{team}:Webhooks:1:Kind"] = "Slack";
                    overrides[$"Sla:Teams:{team}:Webhooks:1:Url"] = new Uri(sink.BaseUrl, $"slack/{team}").ToString();
                }

                // The named targets teams' Notify lists use (crisis: crisis-teams), so their notices reach the sink too.
                if (!builder.Configuration.GetSection("Sla:Notifications").GetChildren().Any())
                {
                    var names = builder.Configuration.GetSection("Teams").GetChildren().SelectMany(t => t.GetSection("Notify").GetChildren().Select(n => n.Value))
                        .OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase);
                    foreach (var name in names)
                    {
                        overrides[$"Sla:Notifications:{name}:Kind"] = "Teams";
                        overrides[$"Sla:Notifications:{name}:Url"] = new Uri(sink.BaseUrl, "teams/" + Uri.EscapeDataString(name)).ToString();
                    }
                }
            }

            builder.Configuration.AddInMemoryCollection(overrides);

            // A storage outage is said once by the watch, not logged with a stack trace by every component that meets it.
            builder.Services.AddSingleton<ILoggerFactory>(sp => new StorageWatchLoggerFactory(
                new LoggerFactory(sp.GetServices<ILoggerProvider>(), sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(), sp.GetService<IOptions<LoggerFactoryOptions>>(), sp.GetService<IExternalScopeProvider>()),
                watch));
            builder.Services.AddSocialHandoff();
            builder.Services.AddLocalTelemetry(builder.Configuration);
            builder.Services.AddOptions<IngestScheduleOptions>().BindConfiguration(IngestScheduleOptions.SectionName).ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<IngestScheduleOptions>, IngestScheduleOptionsValidator>();
            builder.Services.AddOptions<QueuePumpOptions>().BindConfiguration(QueuePumpOptions.SectionName).ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<QueuePumpOptions>, QueuePumpOptionsValidator>();
            builder.Services.AddOptions<OnceOptions>().BindConfiguration(OnceOptions.SectionName).ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<OnceOptions>, OnceOptionsValidator>();
            builder.Services.AddSingleton<IValidateOptions<SlaOptions>, SweepScheduleValidator>();

            using var host = builder.Build();
            storageEndpoint = host.Services.GetRequiredService<StorageClients>().QueueService.Uri.GetLeftPart(UriPartial.Authority);
            try
            {
                await host.StartAsync(run.Token).ConfigureAwait(false);
            }
            catch (OptionsValidationException ex)
            {
                await Console.Error.WriteLineAsync("Configuration is not valid:\n  " + string.Join("\n  ", ex.Failures)).ConfigureAwait(false);
                return 2;
            }

            var pipeline = new LocalPipeline(host.Services, host.Services.GetRequiredService<IOptions<QueuePumpOptions>>().Value, watch);
            await pipeline.InitializeAsync(run.Token).ConfigureAwait(false);
            await output.WriteLineAsync($"Storage: {storageDescription}").ConfigureAwait(false);
            await output.WriteLineAsync($"Sources: {string.Join(", ", pipeline.Ingest.Sources.Select(s => s.Name))}{(usingSample ? " (the sample set: no X bearer token configured)" : "")}").ConfigureAwait(false);

            if (once)
            {
                await pipeline.IngestOnceAsync(run.Token).ConfigureAwait(false);
                await pipeline.DrainAsync(TimeSpan.FromMinutes(10), run.Token).ConfigureAwait(false);
                var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
                await pipeline.SweepOnceAsync(now, run.Token).ConfigureAwait(false);
                var minutes = host.Services.GetRequiredService<IOptions<OnceOptions>>().Value.SimulateSlaMinutes;
                for (var minute = 1; minute <= minutes; minute++)
                {
                    await pipeline.SweepOnceAsync(now.AddMinutes(minute), run.Token).ConfigureAwait(false);
                }

                var summary = await pipeline.SummarizeAsync(cancellationToken).ConfigureAwait(false);
                await PrintAsync(summary, azurite, output).ConfigureAwait(false);
                await PrintSlaAsync(summary, minutes, sink, output).ConfigureAwait(false);
                await PrintPeopleAsync(host.Services, output, run.Token).ConfigureAwait(false);
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return summary.Complete ? 0 : 1;
            }

            var schedule = CrontabSchedule.Parse(host.Services.GetRequiredService<IOptions<IngestScheduleOptions>>().Value.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
            var sweepSchedule = CrontabSchedule.Parse(host.Services.GetRequiredService<IOptions<SlaOptions>>().Value.SweepSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
            var port = builder.Configuration.GetValue("Local:Web:Port", 7071);
            LocalWebHost web;
            try
            {
                web = await LocalWebHost.StartAsync(host.Services, port, DashboardFiles.DefaultRoot, run.Token).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"Cannot serve the dashboard on 127.0.0.1:{port} ({ex.Message}). Free the port or choose another with --Local:Web:Port=<port> (0 picks a free one).").ConfigureAwait(false);
                return 2;
            }

            await using var webScope = web;
            var identities = host.Services.GetRequiredService<IOptions<ApiOptions>>().Value.ParseDevIdentities();
            await output.WriteLineAsync($"Dashboard and API: {web.Address} (development identities: {string.Join(", ", identities.Select(i => $"{i.Name} [{string.Join(", ", i.Roles)}]"))}; the page switches between them)").ConfigureAwait(false);
            await output.WriteLineAsync($"Running: ingest on '{schedule}', SLA sweep on '{sweepSchedule}', queues pumped continuously. Ctrl+C or SIGTERM stops (exit code 0).").ConfigureAwait(false);
            await pipeline.RunAsync(
                schedule.GetNextOccurrence,
                result => output.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss}] ingest: {result.Enqueued} mentions enqueued{(result.Succeeded ? "" : watch.IsDown ? "; storage is unreachable (see above): the rest is read on a later run" : "; errors: " + string.Join("; ", result.Sources.Where(s => s.Error is not null).Select(s => $"{s.Source}: {s.Error}")))}"),
                sweepSchedule.GetNextOccurrence,
                result => output.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss}] sla sweep: {result.RowsRead} due, {result.Warnings} warnings, {result.Breaches} breaches, {result.Escalations} escalations, {result.Sent} sent, {result.Failed} failed"),
                run.Token,
                abort.Token).ConfigureAwait(false);
            if (azuriteExit is not null)
            {
                return AzuriteDiedExitCode;
            }

            await output.WriteLineAsync("Stopping...").ConfigureAwait(false);
            var summarized = false;
            if (!watch.IsDown)
            {
                try
                {
                    using var interactive = StorageClients.BeginInteractive();
                    var final = await pipeline.SummarizeAsync(CancellationToken.None).ConfigureAwait(false);
                    await PrintAsync(final, azurite, output).ConfigureAwait(false);
                    await PrintSlaAsync(final, 0, sink, output).ConfigureAwait(false);
                    summarized = true;
                }
                catch (Exception ex) when (StorageFaults.IsUnavailable(ex))
                {
                }
            }

            if (!summarized)
            {
                await output.WriteLineAsync("No summary: storage is unreachable. Nothing is lost: messages stay on the queues and the next run carries on from there.").ConfigureAwait(false);
            }

            // Azurite last: it holds what the summary read, and the web server's requests may still reach it.
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await web.DisposeAsync().ConfigureAwait(false);
            if (azurite is not null)
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
                azurite = null;
            }

            await output.WriteLineAsync("Stopped.").ConfigureAwait(false);
            return 0;
        }
        catch (Exception) when (azuriteExit is not null)
        {
            // Whatever failed next (a cancellation, a refused connection), the cause was said when Azurite died.
            return AzuriteDiedExitCode;
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            return InterruptedExitCode;
        }
        catch (Exception ex) when (!run.IsCancellationRequested && StorageFaults.IsUnavailable(ex))
        {
            // Unreachable when starting, or during --once (which has no later to wait for): say so, no stack trace.
            await Console.Error.WriteLineAsync(
                $"[{DateTimeOffset.Now:HH:mm:ss}] storage unreachable at {storageEndpoint} ({StorageFaults.Describe(ex)}): start it or check Storage:ConnectionString, then run again. Nothing was lost.").ConfigureAwait(false);
            return StorageUnreachableExitCode;
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
            }

            sink?.Dispose();
        }
    }

    /// <summary>Who works each team (the directory) and what waits for them, so a team nobody can work shows.</summary>
    internal static async Task PrintPeopleAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        var directory = await services.GetRequiredService<SocialHandoff.Core.Teams.TeamDirectory>().ReadAsync(cancellationToken).ConfigureAwait(false);
        var queries = services.GetRequiredService<SocialHandoff.Core.Work.WorkQueries>();
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"People (table {StorageNames.DirectoryTable}; managers edit it in the dashboard's Teams and people panel)").ConfigureAwait(false);
        foreach (var team in directory.Teams.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var open = await queries.QueueAsync(team.Name, new SocialHandoff.Core.Work.QueueFilter("unclaimed", PageSize: int.MaxValue), SocialHandoff.Core.Assignment.AutoAssignment.Assigner, cancellationToken).ConfigureAwait(false);
            var people = team.Members.Count == 0 ? "NOBODY" : string.Join(", ", team.Members.Select(m => $"{m.Name} ({m.Role}, capacity {m.Capacity})"));
            await output.WriteLineAsync($"  {team.Name,-22} {people}; auto-assignment {team.AutoAssign}; {open.Total} open nobody holds").ConfigureAwait(false);
        }
    }

    internal static async Task PrintSlaAsync(PipelineSummary summary, int simulatedMinutes, LocalWebhookSink? sink, TextWriter output)
    {
        var sla = summary.Sla ?? SweepResult.Empty;
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(simulatedMinutes > 0
            ? $"SLA (one sweep now, then one per simulated minute for the next {simulatedMinutes} minutes, nobody answering; Local:Once:SimulateSlaMinutes)"
            : "SLA (sweeps of this run)").ConfigureAwait(false);
        await output.WriteLineAsync($"  warnings               {sla.Warnings}").ConfigureAwait(false);
        await output.WriteLineAsync($"  breaches               {sla.Breaches}").ConfigureAwait(false);
        await output.WriteLineAsync($"  escalations            {sla.Escalations} (levels after the breach notice)").ConfigureAwait(false);
        await output.WriteLineAsync($"  notifications          sent {sla.Sent}, failed {sla.Failed}, unconfirmed {sla.Unconfirmed}, no webhook {sla.NoTarget}").ConfigureAwait(false);
        if (sink is not null)
        {
            await output.WriteLineAsync($"  webhooks               a local sink on {sink.BaseUrl} stood in for Teams/Slack (no Sla:Teams configured); received " + string.Join(", ", sink.Received.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"  tables                 {StorageNames.HandoffIndexTable} (the due steps, in each team's partition), {StorageNames.NotificationsTable} (outbox), {StorageNames.DailyStatsTable}, {StorageNames.ConfigurationTable} (rule and policy versions)").ConfigureAwait(false);
    }

    private static IEnumerable<string> IncompleteBecause(PipelineSummary summary)
    {
        if (summary.IngestErrors.Count > 0)
        {
            yield return $"{summary.IngestErrors.Count} source(s) failed (ingest errors above; their watermarks stayed, the next run retries)";
        }

        if (summary.QueuedMessages > 0)
        {
            yield return $"{summary.QueuedMessages} message(s) still queued";
        }

        if (summary.HandedOff + summary.Filtered + summary.DeadLettered != summary.Ingested)
        {
            yield return $"{summary.Ingested - summary.HandedOff - summary.Filtered - summary.DeadLettered} ingested mention(s) are neither handed off, filtered nor dead-lettered";
        }
    }

    internal static async Task PrintAsync(PipelineSummary summary, AzuriteLauncher? azurite, TextWriter output)
    {
        var w = output;
        await w.WriteLineAsync().ConfigureAwait(false);
        await w.WriteLineAsync("Summary").ConfigureAwait(false);
        await w.WriteLineAsync($"  mentions ingested      {summary.Ingested} (each counted once)").ConfigureAwait(false);
        await w.WriteLineAsync($"  handed off             {summary.HandedOff}"
            + (summary.JoinedIncidents > 0 ? $" ({summary.JoinedIncidents} of them joined an incident's handoff)" : "")
            + (summary.Duplicates > 0 ? $" ({summary.Duplicates} redeliveries found theirs already handed off)" : "")).ConfigureAwait(false);
        await w.WriteLineAsync($"  filtered as spam       {summary.Filtered} (with reasons in {StorageNames.FilteredMentionsTable}; the dashboard's Filtered view restores one)").ConfigureAwait(false);
        await w.WriteLineAsync($"  dead-lettered          {summary.DeadLettered} (with a reason in {StorageNames.DeadLettersTable})").ConfigureAwait(false);
        var joined = summary.JoinedIncidents > 0 ? $" ({summary.JoinedIncidents} joined incidents)" : "";
        await w.WriteLineAsync($"  accounted for          {summary.HandedOff}{joined} + {summary.Filtered} + {summary.DeadLettered} = {summary.HandedOff + summary.Filtered + summary.DeadLettered} of {summary.Ingested} ingested (handed off + filtered + dead-lettered)").ConfigureAwait(false);
        if (summary.OtherHandedOff > 0)
        {
            await w.WriteLineAsync($"  also handed off        {summary.OtherHandedOff} (messages queued before this run started)").ConfigureAwait(false);
        }

        if (summary.OtherDeadLetters > 0)
        {
            await w.WriteLineAsync($"  other dead letters     {summary.OtherDeadLetters} (messages not from this run's sources: not base64, not a mention)").ConfigureAwait(false);
        }

        await w.WriteLineAsync($"  still queued           {summary.QueuedMessages}").ConfigureAwait(false);
        if (summary.Incidents is { Incidents: > 0 } incidents)
        {
            await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  incidents              {incidents.Incidents} carrying {incidents.Mentions} near-duplicate mentions; largest {incidents.LargestCount} mentions, reach {incidents.LargestReach:N0}; {incidents.Surges} surged (priority raised one step)")).ConfigureAwait(false);
        }

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

        foreach (var warning in (summary.IngestWarnings ?? []).Take(10))
        {
            await w.WriteLineAsync($"  ingest warning: {warning}").ConfigureAwait(false);
        }

        await w.WriteLineAsync().ConfigureAwait(false);
        await w.WriteLineAsync("Where to look").ConfigureAwait(false);
        await w.WriteLineAsync($"  tables  {StorageNames.HandoffsTable} (per handoff: its row with team, priority, scores, reasons, due times; the mention's ledger row; the audit events), {StorageNames.HandoffIndexTable} (each team's queue by priority and due), {StorageNames.IncidentsTable} (near-duplicates grouped; a joined mention's ledger record on its membership row), {StorageNames.DeadLettersTable} (reason + original body), {StorageNames.SourceStateTable} (watermarks)").ConfigureAwait(false);
        await w.WriteLineAsync($"  queues  {string.Join(", ", summary.HandoffsByTeam.Keys.Select(StorageNames.TeamQueue))} (the teams' handoff channels), {StorageNames.MentionsIncomingQueue}, {StorageNames.MentionsPoisonQueue}").ConfigureAwait(false);
        if (azurite is not null)
        {
            await w.WriteLineAsync($"  while it runs, open them in Azure Storage Explorer with: {azurite.ConnectionString}").ConfigureAwait(false);
        }

        await w.WriteLineAsync(summary.Complete
            ? "Every ingested mention was handed off, filtered as spam with its reasons, or dead-lettered with a reason."
            : "NOT COMPLETE: " + string.Join("; ", IncompleteBecause(summary)) + ".").ConfigureAwait(false);
    }
}

/// <summary>How <c>run --once</c> shows the SLA engine at work without waiting for it.</summary>
public sealed class OnceOptions
{
    public const string SectionName = "Local:Once";

    /// <summary>After draining, sweep once per simulated minute over this many minutes (0 = only a sweep now). Default 60.</summary>
    public int SimulateSlaMinutes { get; set; } = 60;
}

internal sealed class OnceOptionsValidator : IValidateOptions<OnceOptions>
{
    public ValidateOptionsResult Validate(string? name, OnceOptions options) =>
        options.SimulateSlaMinutes is < 0 or > 7 * 24 * 60
            ? ValidateOptionsResult.Fail($"Local:Once:SimulateSlaMinutes must be 0-10080 (got {options.SimulateSlaMinutes}).")
            : ValidateOptionsResult.Success;
}

internal sealed class SweepScheduleValidator : IValidateOptions<SlaOptions>
{
    public ValidateOptionsResult Validate(string? name, SlaOptions options) =>
        CrontabSchedule.TryParse(options.SweepSchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null
            ? ValidateOptionsResult.Fail($"Sla:SweepSchedule '{options.SweepSchedule}' is not a six-field NCRONTAB expression (second minute hour day month weekday).")
            : ValidateOptionsResult.Success;
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
