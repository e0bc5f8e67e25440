using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SocialHandoff.Core.Telemetry;

/// <summary>
/// The one meter and the one activity source of the product, both named "SocialHandoff", and every
/// instrument on that meter: a host subscribes with one name (<c>AddMeter</c>/<c>AddSource</c>), and
/// the alerts, the README and the tests read the instrument names from this one list. Instruments
/// are plain statics (as the X source's counters were) so a stage records without a dependency; the
/// SDK that listens is the host's choice (Azure Monitor, console, OTLP, in-memory in tests).
/// </summary>
public static class SocialHandoffTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "SocialHandoff";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Instrument names (what customMetrics' <c>name</c> holds in Application Insights).</summary>
    public static class Instruments
    {
        public const string MentionsIngested = "socialhandoff.mentions.ingested";
        public const string SourceErrors = "socialhandoff.source.errors";
        public const string HandoffsCreated = "socialhandoff.handoffs.created";
        public const string HandoffLatency = "socialhandoff.handoff.latency";
        public const string FirstResponseTime = "socialhandoff.first_response.time";
        public const string DeadLetters = "socialhandoff.dead_letters";
        public const string SlaWarnings = "socialhandoff.sla.warnings";
        public const string SlaBreaches = "socialhandoff.sla.breaches";
        public const string SlaEscalations = "socialhandoff.sla.escalations";
        public const string WebhookFailures = "socialhandoff.webhook.failures";
        public const string XWindowRestarts = "socialhandoff.x.window_restarts";
        public const string XPartialErrors = "socialhandoff.x.partial_errors";
        public const string XRateLimitWaits = "socialhandoff.x.rate_limit_waits";
        public const string XRateLimitedRuns = "socialhandoff.x.rate_limited_runs";
        public const string IncidentJoins = "socialhandoff.incidents.joins";
        public const string IncidentSurges = "socialhandoff.incidents.surges";
        public const string SourceFetched = "socialhandoff.source.fetched";
        public const string SourceRejected = "socialhandoff.source.rejected";
        public const string SourceRateLimitedRuns = "socialhandoff.source.rate_limited_runs";
        public const string MentionsFiltered = "socialhandoff.mentions.filtered";
        public const string VolumeSpikes = "socialhandoff.volume.spikes";
    }

    /// <summary>Tag (dimension) names: few values each, never free text, so Azure Monitor keeps every series.</summary>
    public static class Tags
    {
        public const string Source = "source";
        public const string Team = "team";
        public const string Priority = "priority";
        public const string Reason = "reason";
        public const string Clock = "clock";
        public const string Kind = "kind";
    }

    /// <summary>Mentions one source put on mentions-incoming. Tag: source.</summary>
    public static readonly Counter<long> MentionsIngested = Meter.CreateCounter<long>(Instruments.MentionsIngested, "{mention}", "Mentions enqueued on mentions-incoming, per source");

    /// <summary>Ingest runs of one source that failed (network, storage, the source's own error); the watermark stayed. Tag: source.</summary>
    public static readonly Counter<long> SourceErrors = Meter.CreateCounter<long>(Instruments.SourceErrors, "{error}", "Ingest runs of a source that failed; its watermark stayed");

    /// <summary>Records a source yielded in one run, readable or not (every source, as X's fetch). Tag: source.</summary>
    public static readonly Counter<long> SourceFetched = Meter.CreateCounter<long>(Instruments.SourceFetched, "{record}", "Records a source yielded, per source");

    /// <summary>Records of a source that could not be read or queued (dead-lettered at ingest). Tag: source.</summary>
    public static readonly Counter<long> SourceRejected = Meter.CreateCounter<long>(Instruments.SourceRejected, "{record}", "Records of a source dead-lettered at ingest, per source");

    /// <summary>Runs of any source ended early by its rate limit (X, Mastodon, Bluesky, Reddit); the next run resumes. Tag: source.</summary>
    public static readonly Counter<long> SourceRateLimitedRuns = Meter.CreateCounter<long>(Instruments.SourceRateLimitedRuns, "{run}", "Runs of a source ended early by its rate limit, per source");

    /// <summary>Mentions the spam filter held out of the team queues (first delivery only). Tag: source.</summary>
    public static readonly Counter<long> MentionsFiltered = Meter.CreateCounter<long>(Instruments.MentionsFiltered, "{mention}", "Mentions held out as spam, per source");

    /// <summary>Volume spikes raised. Tag: team.</summary>
    public static readonly Counter<long> VolumeSpikes = Meter.CreateCounter<long>(Instruments.VolumeSpikes, "{spike}", "Volume spikes raised, per team");

    /// <summary>Handoffs created, counted by the delivery that finished them. Tags: team, priority.</summary>
    public static readonly Counter<long> HandoffsCreated = Meter.CreateCounter<long>(Instruments.HandoffsCreated, "{handoff}", "Mentions handed off to a team, per team and priority");

    /// <summary>
    /// Bucket bounds of both time histograms, in seconds: from a few seconds (a mention handed off on
    /// the next ingest run) through the SLA targets (10 minutes to a day) to a week (X's search window).
    /// The SDK's default bounds (0 to 10,000, made for milliseconds) would put most of these in one bucket.
    /// </summary>
    public static IReadOnlyList<double> TimeBuckets { get; } =
        [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800];

    /// <summary>Seconds from the mention's posting to its handoff. Tags: team, priority.</summary>
    public static readonly Histogram<double> HandoffLatency = Meter.CreateHistogram(
        Instruments.HandoffLatency, "s", "Time from a mention's posting to its handoff", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = TimeBuckets });

    /// <summary>Seconds from the handoff to the first response an agent recorded. Tags: team, priority.</summary>
    public static readonly Histogram<double> FirstResponseTime = Meter.CreateHistogram(
        Instruments.FirstResponseTime, "s", "Time from handoff to first response", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = TimeBuckets });

    /// <summary>Rows written to DeadLetters (a repeat of the same row is not counted). Tag: reason, one of <see cref="DeadLetterReasons"/>.</summary>
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>(Instruments.DeadLetters, "{record}", "Records written to the DeadLetters table, per reason kind");

    /// <summary>SLA steps recorded by the sweep (each once, however often a sweep retries). Tags: team, priority, clock.</summary>
    public static readonly Counter<long> SlaWarnings = Meter.CreateCounter<long>(Instruments.SlaWarnings, "{warning}", "SLA clocks at risk (warning sent), per team");

    /// <inheritdoc cref="SlaWarnings"/>
    public static readonly Counter<long> SlaBreaches = Meter.CreateCounter<long>(Instruments.SlaBreaches, "{breach}", "SLA clocks breached, per team");

    /// <inheritdoc cref="SlaWarnings"/>
    public static readonly Counter<long> SlaEscalations = Meter.CreateCounter<long>(Instruments.SlaEscalations, "{escalation}", "SLA escalations past the breach, per team");

    /// <summary>Webhook deliveries the provider did not confirm (after the retries). Tags: team, kind (Teams, Slack).</summary>
    public static readonly Counter<long> WebhookFailures = Meter.CreateCounter<long>(Instruments.WebhookFailures, "{delivery}", "Webhook notices not confirmed by Teams or Slack");

    /// <summary>A watermark outside X's 7-day recent-search window: the search restarted at the window's start. Tags: source, detected_by.</summary>
    public static readonly Counter<long> XWindowRestarts = Meter.CreateCounter<long>(Instruments.XWindowRestarts, "{restart}", "Searches restarted at the start of X's 7-day window because the since_id watermark fell out of it");

    /// <summary>Entries of errors[] beside data (e.g. an author X could not return). Tag: source.</summary>
    public static readonly Counter<long> XPartialErrors = Meter.CreateCounter<long>(Instruments.XPartialErrors, "{error}", "Partial errors X returned beside data");

    /// <summary>Waits for x-rate-limit-reset within Sources:X:RateLimitWaitBudget. Tag: source.</summary>
    public static readonly Counter<long> XRateLimitWaits = Meter.CreateCounter<long>(Instruments.XRateLimitWaits, "{wait}", "Waits for X's rate limit to reset within the run's budget");

    /// <summary>Runs ended early by a 429 whose reset lay beyond the budget (or a usage cap): resumed next run. Tag: source.</summary>
    public static readonly Counter<long> XRateLimitedRuns = Meter.CreateCounter<long>(Instruments.XRateLimitedRuns, "{run}", "Runs ended early by X's rate limit or usage cap");

    /// <summary>Mentions that joined an incident instead of opening a handoff (each once, however often delivered). Tag: source.</summary>
    public static readonly Counter<long> IncidentJoins = Meter.CreateCounter<long>(Instruments.IncidentJoins, "{mention}", "Near-duplicate mentions that joined an incident's handoff");

    /// <summary>Incidents whose copies surged (the count within the window), each once.</summary>
    public static readonly Counter<long> IncidentSurges = Meter.CreateCounter<long>(Instruments.IncidentSurges, "{incident}", "Incidents that surged and had their priority raised");

    /// <summary>Every instrument name, for the docs and the tests that keep the alerts and the list together.</summary>
    public static IReadOnlyList<string> AllInstruments { get; } =
        typeof(Instruments).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToArray();

    internal static void RecordFirstResponse(string team, string priority, TimeSpan sinceHandoff) =>
        FirstResponseTime.Record(Math.Max(0, sinceHandoff.TotalSeconds), new TagList { { Tags.Team, team }, { Tags.Priority, priority } });

    internal static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    /// <summary>
    /// Starts a span that is the root of its own trace (whatever span is current), linked to the
    /// current one: each mention gets its own trace even though one ingest run enqueues many.
    /// </summary>
    internal static Activity? StartRoot(string name, ActivityKind kind)
    {
        var current = Activity.Current;
        ActivityLink[]? links = current is null ? null : [new ActivityLink(current.Context)];
        Activity.Current = null;
        // Started, the new span is current (what runs inside it is its child); not started, the caller's span is current again.
        var activity = ActivitySource.StartActivity(kind, parentContext: default, tags: null, links: links, name: name);
        if (activity is null)
        {
            Activity.Current = current;
        }

        return activity;
    }

    /// <summary>
    /// Starts a span that continues the W3C trace context a message carried (its <c>traceparent</c>),
    /// linked to the span that delivered it (the host's invocation) when there is one. An absent or
    /// malformed traceparent starts a new trace: a message from before this field still processes.
    /// </summary>
    internal static Activity? StartContinued(string name, ActivityKind kind, string? traceParent)
    {
        if (!ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var parent))
        {
            return ActivitySource.StartActivity(name, kind);
        }

        var current = Activity.Current;
        ActivityLink[]? links = current is null ? null : [new ActivityLink(current.Context)];
        return ActivitySource.StartActivity(kind, parent, tags: null, links: links, name: name);
    }

    /// <summary>Marks the span failed with the exception's type and message (the log has the rest).</summary>
    internal static void Fail(this Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name + ": " + exception.Message);
        activity.AddException(exception);
    }
}

/// <summary>
/// The reason kinds of <see cref="SocialHandoffTelemetry.DeadLetters"/>: a small fixed set, so an
/// alert or a chart can split by it (the free-text reason stays in the DeadLetters row).
/// </summary>
public static class DeadLetterReasons
{
    /// <summary>The body is not a mention (bad JSON, a missing field, an unknown schema version).</summary>
    public const string Unreadable = "unreadable";

    /// <summary>The message is not the base64 the queue trigger reads; kept as raw text.</summary>
    public const string Undecodable = "undecodable";

    /// <summary>Processing failed on every delivery and the host moved the message to the poison queue.</summary>
    public const string Poisoned = "poisoned";

    /// <summary>A record a source yielded that it could not read or that the queue can never take (too large).</summary>
    public const string IngestReject = "ingest-reject";

    public static IReadOnlyList<string> All { get; } = [Unreadable, Undecodable, Poisoned, IngestReject];
}
