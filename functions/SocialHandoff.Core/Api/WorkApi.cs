using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Assignment;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Reports;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Api;

/// <summary>
/// The team work API (see API.md beside this file), host-neutral: the Functions app's HTTP trigger
/// and the local runner both turn their request into an <see cref="ApiRequest"/> and write back the
/// <see cref="ApiResponse"/>. Every error is problem+json; every route checks who is calling.
/// </summary>
public sealed partial class WorkApi(
    HandoffWork work,
    WorkQueries queries,
    SlaReports reports,
    LivePolicies policies,
    PolicyStore policyStore,
    RuleDryRun dryRun,
    SlaPreview slaPreview,
    TeamDirectory directory,
    AutoAssignment assignment,
    Incidents.IncidentStore incidents,
    AppServicePlatform platform,
    StorageClients clients,
    SocialHandoff.Core.Spam.SpamReview spamReview,
    SocialHandoff.Core.Spikes.SpikeSweepStage spikes,
    IOptions<ApiOptions> options,
    TimeProvider timeProvider,
    ILogger<WorkApi> logger)
{
    public const string DevUserHeader = "X-Dev-User";
    public const string DevUserCookie = "sh-dev-user";
    public const int MaxBodyBytes = 1024 * 1024;
    private const string ProblemBase = "https://socialhandoff.dev/problems/";
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<Caller> _devIdentities = options.Value.ParseDevIdentities();

    private async Task<ApiResponse> HandleRequestAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Segments are unescaped here, whichever host passed the path (Kestrel decodes, Functions' Url does not).
        var path = request.Path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (path.Length == 0 || path[0] != "api")
        {
            return NotFound("No such API route.");
        }

        var route = path[1..];
        if (request.Body is { Length: > MaxBodyBytes / 2 } && System.Text.Encoding.UTF8.GetByteCount(request.Body) > MaxBodyBytes)
        {
            return ProblemResponse(413, "validation", "The body is too large.", $"body: must be at most {MaxBodyBytes} bytes.", new() { ["body"] = [$"must be at most {MaxBodyBytes} bytes."] });
        }

        // A person is waiting: storage calls fail fast instead of retrying for seconds (StorageRetryPolicy).
        using var interactive = StorageClients.BeginInteractive();
        try
        {
            if (route is ["health"])
            {
                return request.Method == "GET" ? await HealthAsync(cancellationToken).ConfigureAwait(false) : MethodNotAllowed("GET");
            }

            // A cross-site form can POST text/plain with the sign-in cookie; only JSON, which needs a CORS preflight this API never grants, may change anything.
            if (request.Method is "POST" or "PUT" && !IsJson(request.Header("Content-Type")))
            {
                return ProblemResponse(415, "unsupported-media-type", "Send JSON.", "Content-Type must be application/json (an empty action body is {}).");
            }

            var caller = ResolveCaller(request, out var refusal);
            if (caller is null)
            {
                return refusal!;
            }

            // Entra's roles let the caller in; the directory adds the teams they are a member of.
            caller = await directory.WithMembershipsAsync(caller, cancellationToken).ConfigureAwait(false);
            return await RouteAsync(request, route, caller, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return Fault(ex, request.Method, request.Path);
        }
    }

    /// <summary>
    /// The one place an exception becomes an answer: storage that does not answer or answers busy
    /// (<see cref="StorageFaults"/>) is 503 with Retry-After, anything else 500. Both are problem+json
    /// with no internals; the log has the exception. Bad input never gets here: every route checks
    /// what it reads and answers 4xx naming the field.
    /// </summary>
    public ApiResponse Fault(Exception exception, string method, string path)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (StorageFaults.IsUnavailable(exception))
        {
            LogStorageUnavailable(method, path, StorageFaults.Describe(exception));
            return StorageUnavailable();
        }

        LogFailed(exception, method, path);
        return ProblemResponse(500, "internal", "Something went wrong.", "The request failed on the server; it was logged. A half-finished action is completed by the next read of the handoff.");
    }

    private Task<ApiResponse> RouteAsync(ApiRequest request, string[] route, Caller caller, CancellationToken ct) => (request.Method, route) switch
    {
        ("GET", ["me"]) => Task.FromResult(Me(caller)),
        ("GET", ["teams"]) => TeamsAsync(caller, ct),
        ("GET", ["teams", var team, "handoffs"]) => QueueAsync(request, team, caller, ct),
        ("POST", ["teams", var team, "queue-index", "repair"]) => ManagerOnly(caller, () => RepairQueueIndexAsync(team, ct)),
        ("GET", ["teams", var team]) => GetTeamAsync(team, ct),
        ("PUT", ["teams", var team]) => ManagerOnly(caller, () => PutTeamAsync(request, team, caller, ct)),
        ("DELETE", ["teams", var team]) => ManagerOnly(caller, () => DeleteTeamAsync(request, team, caller, ct)),
        ("GET", ["teams", var team, "history"]) => TeamHistoryAsync(team, ct),
        ("GET", ["people", var person]) => GetPersonAsync(person, caller, ct),
        ("PUT", ["people", var person, "availability"]) => PutAvailabilityAsync(request, person, caller, ct),
        ("GET", ["people", var person, "availability", "history"]) => AvailabilityHistoryAsync(person, caller, ct),
        ("GET", ["handoffs", var id]) => HandoffAsync(id, caller, ct),
        ("POST", ["handoffs", var id, var action]) => ActAsync(request, id, action, caller, ct),
        ("GET", ["sla", var report]) => ReportAsync(request, report, caller, ct),
        ("GET", ["rules"]) => GetRulesAsync(ct),
        ("GET", ["rules", "vocabulary"]) => GetRuleVocabularyAsync(ct),
        ("GET", ["rules", "history"]) => GetRuleHistoryAsync(request, ct),
        ("GET", ["rules", "history", var version]) => GetRuleVersionAsync(version, ct),
        ("POST", ["rules", "try"]) => ManagerOnly(caller, () => TryRulesAsync(request, ct)),
        ("POST", ["rules", "validate"]) => ManagerOnly(caller, () => ValidateRulesAsync(request, ct)),
        ("POST", ["rules", "dry-run"]) => ManagerOnly(caller, () => DryRunRulesAsync(request, ct)),
        ("PUT", ["rules"]) => ManagerOnly(caller, () => SaveRulesAsync(request, caller, ct)),
        ("GET", ["sla-policies"]) => GetSlaPoliciesAsync(ct),
        ("GET", ["sla-policies", "vocabulary"]) => GetSlaVocabularyAsync(ct),
        ("GET", ["sla-policies", "history"]) => GetSlaHistoryAsync(request, ct),
        ("GET", ["sla-policies", "history", var version]) => GetSlaVersionAsync(version, ct),
        ("POST", ["sla-policies", "validate"]) => ManagerOnly(caller, () => ValidateSlaPoliciesAsync(request, ct)),
        ("POST", ["sla-policies", "preview"]) => ManagerOnly(caller, () => PreviewSlaPoliciesAsync(request, ct)),
        ("PUT", ["sla-policies"]) => ManagerOnly(caller, () => SaveSlaPoliciesAsync(request, caller, ct)),
        ("GET", ["filtered"]) => FilteredAsync(request, caller, ct),
        ("GET", ["spikes"]) => SpikesAsync(ct),
        (_, ["spikes"]) => Task.FromResult(MethodNotAllowed("GET")),
        ("POST", ["filtered", var key, "restore"]) => RestoreFilteredAsync(request, key, caller, ct),
        (_, ["filtered"]) => Task.FromResult(MethodNotAllowed("GET")),
        (_, ["filtered", _, "restore"]) => Task.FromResult(MethodNotAllowed("POST")),
        (_, ["me"] or ["teams"] or ["teams", _, "handoffs"] or ["teams", _, "history"] or ["people", _] or ["people", _, "availability", "history"] or ["handoffs", _] or ["sla", _]) => Task.FromResult(MethodNotAllowed("GET")),
        (_, ["teams", _]) => Task.FromResult(MethodNotAllowed("GET, PUT, DELETE")),
        (_, ["people", _, "availability"]) => Task.FromResult(MethodNotAllowed("PUT")),
        (_, ["handoffs", _, _]) => Task.FromResult(MethodNotAllowed("POST")),
        (_, ["rules"] or ["sla-policies"]) => Task.FromResult(MethodNotAllowed("GET, PUT")),
        (_, ["rules", "vocabulary"] or ["rules", "history"] or ["rules", "history", _]) => Task.FromResult(MethodNotAllowed("GET")),
        (_, ["sla-policies", "vocabulary"] or ["sla-policies", "history"] or ["sla-policies", "history", _]) => Task.FromResult(MethodNotAllowed("GET")),
        (_, ["rules", _] or ["sla-policies", _] or ["teams", _, "queue-index", "repair"]) => Task.FromResult(MethodNotAllowed("POST")),
        _ => Task.FromResult(NotFound("No such API route.")),
    };

    /// <summary>Locally, one of the configured development identities; otherwise the principal App Service Authentication signed in.</summary>
    private Caller? ResolveCaller(ApiRequest request, out ApiResponse? refusal)
    {
        refusal = null;
        if (_devIdentities.Count > 0)
        {
            var pick = request.Header(DevUserHeader) ?? request.Cookie(DevUserCookie);
            if (string.IsNullOrWhiteSpace(pick))
            {
                return _devIdentities[0];
            }

            var chosen = _devIdentities.FirstOrDefault(c => WorkRules.SameName(c.Name, pick.Trim()));
            if (chosen is null)
            {
                refusal = ProblemResponse(401, "unauthenticated", "Unknown development identity.",
                    $"'{pick}' is not one of the development identities ({string.Join(", ", _devIdentities.Select(c => c.Name))}).");
            }

            return chosen;
        }

        if (!platform.TrustsPrincipalHeader)
        {
            // Without App Service Authentication the header is whatever the client wrote: nobody is signed in.
            LogAuthenticationOff(ClientPrincipal.HeaderName, AppServicePlatform.AuthEnabledVariable);
            refusal = ProblemResponse(401, "unauthenticated", "Sign-in is not configured.",
                "App Service Authentication is off for this app, so no request is signed in; an administrator must turn it on.");
            return null;
        }

        var caller = ClientPrincipal.TryRead(request.Header(ClientPrincipal.HeaderName), out var why);
        if (caller is null)
        {
            refusal = ProblemResponse(401, "unauthenticated", "Sign in first.",
                $"No signed-in principal: the {ClientPrincipal.HeaderName} header from App Service Authentication is unusable ({why}).");
            return null;
        }

        // Signing in takes an app role (the enterprise app's "Assignment required"); without one nobody gets in, whatever Entra allowed.
        if (!caller.IsManager && caller.Teams.All(t => !StorageNames.IsValidTeamName(t)))
        {
            refusal = ProblemResponse(403, "forbidden", "No app role.",
                "You are signed in but have no app role of this app (agent.<team>, manager or admin); ask an administrator to assign one.");
            return null;
        }

        return caller;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private ApiResponse Me(Caller caller) => JsonResponse(200, new MeMessage(
        caller.Id,
        caller.Name, caller.Roles, caller.Teams, caller.IsManager, caller.IsAdmin,
        _devIdentities.Count > 0 ? _devIdentities.Select(c => c.Name).ToList() : null), ApiJsonContext.Default.MeMessage);

    private async Task<ApiResponse> TeamsAsync(Caller caller, CancellationToken ct)
    {
        // Every known team is listed (an agent reassigns to teams they cannot work); canWork says whose queue they may open.
        var known = await directory.KnownTeamsAsync(ct).ConfigureAwait(false);
        return JsonResponse(200, known.Union(caller.Teams).Order(StringComparer.Ordinal).Select(t => new TeamMessage(t, caller.CanWork(t))).ToList(), ApiJsonContext.Default.ListTeamMessage);
    }

    private async Task<ApiResponse> HealthAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var sources = new List<SourceHealthMessage>();

        // A probe needs an answer, not the SDK's retries: storage that does not answer in time is down.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(HealthTimeout);
        try
        {
            var table = await clients.GetTableAsync(StorageNames.SourceStateTable, timeout.Token).ConfigureAwait(false);
            await foreach (var row in table.QueryAsync<TableEntity>(maxPerPage: 100, cancellationToken: timeout.Token).ConfigureAwait(false))
            {
                sources.Add(new SourceHealthMessage(row.GetString("Source") ?? row.RowKey, row.GetString("Watermark"), row.GetDateTimeOffset("UpdatedAt")));
            }

            var storage = new StorageHealthMessage("ok", watch.ElapsedMilliseconds, null);
            return JsonResponse(200, new HealthMessage("healthy", storage, sources), ApiJsonContext.Default.HealthMessage);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested
            && (ex is RequestFailedException or HttpRequestException or AggregateException or InvalidOperationException or OperationCanceledException))
        {
            // Anonymous callers learn that storage is down, not how (the log has the exception).
            LogStorageFailed(ex, "GET", "/api/health");
            var storage = new StorageHealthMessage("unreachable", watch.ElapsedMilliseconds, null);
            return JsonResponse(503, new HealthMessage("unhealthy", storage, sources), ApiJsonContext.Default.HealthMessage, RetryAfter);
        }
    }

    private static async Task<ApiResponse> ManagerOnly(Caller caller, Func<Task<ApiResponse>> handler) =>
        caller.IsManager
            ? await handler().ConfigureAwait(false)
            : ProblemResponse(403, "forbidden", "Managers only.", $"{caller.Name} is not a manager: only managers change rules and SLA policies.");

    internal static ApiResponse JsonResponse<T>(int status, T value, JsonTypeInfo<T> type, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, ApiResponse.Json, JsonSerializer.Serialize(value, type), WithNoStore(headers));

    internal static ApiResponse ProblemResponse(int status, string kind, string title, string detail, Dictionary<string, string[]>? errors = null, string? holder = null, string? etag = null, string? holderName = null) =>
        new(status, ApiResponse.ProblemJson,
            JsonSerializer.Serialize(new Problem(ProblemBase + kind, title, status, detail, errors, holder, etag, holderName), ApiJsonContext.Default.Problem),
            WithNoStore(null));

    /// <summary>A 400 naming each bad field.</summary>
    internal static ApiResponse Invalid(Dictionary<string, string[]> errors) =>
        ProblemResponse(400, "validation", "The request is not valid.", string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), errors);

    /// <summary>413 for a body over <see cref="MaxBodyBytes"/>, for hosts that see the size before reading.</summary>
    public static ApiResponse BodyTooLarge() => Invalid("body", $"must be at most {MaxBodyBytes} bytes.") with { Status = 413 };

    internal static ApiResponse Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Seconds a client should wait before trying again when storage is unavailable.</summary>
    internal const int RetryAfterSeconds = 5;

    private static readonly Dictionary<string, string> RetryAfter = new() { ["Retry-After"] = Format(RetryAfterSeconds) };

    /// <summary>503 with Retry-After: storage did not answer (or answered busy); nothing about the request was wrong.</summary>
    internal static ApiResponse StorageUnavailable() =>
        ProblemResponse(503, "unavailable", "Storage is not answering.", $"The request could not be completed because storage did not answer; try again in {RetryAfterSeconds} seconds.") with
        {
            Headers = WithNoStore(RetryAfter),
        };

    private static ApiResponse NotFound(string detail) => ProblemResponse(404, "not-found", "Not found.", detail);

    private static ApiResponse MethodNotAllowed(string allow) =>
        ProblemResponse(405, "method-not-allowed", "Method not allowed.", $"This route answers {allow}.") with
        {
            Headers = WithNoStore(new Dictionary<string, string> { ["Allow"] = allow }),
        };

    /// <summary>Every API answer: not cached (it is per person), and never sniffed into another type (a mention's text in a JSON body must not become HTML).</summary>
    private static Dictionary<string, string> WithNoStore(IReadOnlyDictionary<string, string>? headers)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Cache-Control"] = "no-store", ["X-Content-Type-Options"] = "nosniff" };
        foreach (var (key, value) in headers ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>Reads a JSON body with a source-generated type; a syntax or type error names the JSON path as the field.</summary>
    internal static bool TryReadBody<T>(ApiRequest request, JsonTypeInfo<T> type, bool allowEmpty, out T? value, out ApiResponse? error)
        where T : class
    {
        value = null;
        error = null;
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            if (!allowEmpty)
            {
                error = Invalid("body", "is required: send a JSON object.");
            }

            return allowEmpty;
        }

        try
        {
            if (JsonBodyCheck.Find(request.Body) is { } problem)
            {
                error = Invalid(problem.Field, problem.Message);
                return false;
            }

            value = JsonSerializer.Deserialize(request.Body, type);
            if (value is null)
            {
                error = Invalid("body", "must be a JSON object, not null.");
            }
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');

            // The serializer's own message names our .NET types; say it in the body's terms instead.
            error = ex switch
            {
                // A converter of ours (an SLA target like "1 h 30 min") says what is wrong in the manager's terms.
                SlaDurationJsonException plain => Invalid(field, plain.Message),
                _ when ex.Message.Contains("could not be mapped", StringComparison.Ordinal) && UnmappedName(ex.Message) is { } name =>
                    Invalid(field == "body" || field == name ? name : field.EndsWith("." + name, StringComparison.Ordinal) ? field : $"{field}.{name}", "is not a field of this request."),
                _ when ex.Message.Contains("could not be converted", StringComparison.Ordinal) => Invalid(field, "has the wrong JSON type for this field."),
                _ when ex.Message.Contains("null", StringComparison.OrdinalIgnoreCase) => Invalid(field, "must not be null."),
                _ => Invalid(field, "is not valid JSON here."),
            };
        }

        return error is null;
    }

    /// <summary>The property name in System.Text.Json's "The JSON property 'x' could not be mapped ..." message.</summary>
    private static string? UnmappedName(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start + 1 ? message[(start + 1)..end] : null;
    }

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 1600, EventName = "ApiStorageFailed", Level = LogLevel.Warning, Message = "{Method} {Path}: storage failed")]
    private partial void LogStorageFailed(Exception exception, string method, string path);

    [LoggerMessage(EventId = 1604, EventName = "ApiStorageUnavailable", Level = LogLevel.Warning, Message = "{Method} {Path}: storage unavailable ({Reason}); answered 503")]
    private partial void LogStorageUnavailable(string method, string path, string reason);

    [LoggerMessage(EventId = 1603, EventName = "ApiRequestFailed", Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailed(Exception exception, string method, string path);

    [LoggerMessage(EventId = 1605, EventName = "ApiPrincipalUntrusted", Level = LogLevel.Warning, Message = "Refused a request: App Service Authentication is off ({Variable} is not True), so the {Header} header cannot be trusted")]
    private partial void LogAuthenticationOffCore(string header, string variable);

    private int _authOffLogged;

    // Once per process: every request would say the same.
    private void LogAuthenticationOff(string header, string variable)
    {
        if (Interlocked.Exchange(ref _authOffLogged, 1) == 0)
        {
            LogAuthenticationOffCore(header, variable);
        }
    }

    [LoggerMessage(EventId = 1601, EventName = "ApiHandoffAction", Level = LogLevel.Information, Message = "{Actor} {Action} handoff {HandoffId}: {Status}")]
    private partial void LogAction(string actor, string action, string handoffId, int status);

    [LoggerMessage(EventId = 1602, EventName = "ApiDocumentSaved", Level = LogLevel.Information, Message = "{Actor} saved {Document} version {Version}")]
    private partial void LogSaved(string actor, string document, int version);
}
