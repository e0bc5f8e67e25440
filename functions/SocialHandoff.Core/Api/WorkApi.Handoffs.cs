using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Api;

public sealed partial class WorkApi
{
    private const int MaxNameChars = 100;

    private async Task<ApiResponse> QueueAsync(ApiRequest request, string team, Caller caller, CancellationToken ct)
    {
        if (!StorageNames.IsValidTeamName(team))
        {
            return NotFound($"'{team}' is not a team name.");
        }

        // Unknown before forbidden: a team that does not exist is 404 for everyone (the team list is no secret).
        if (await directory.KnownTeamsAsync(ct).ConfigureAwait(false) is var known && !known.Contains(team) && !caller.Teams.Contains(team, StringComparer.Ordinal))
        {
            return NotFound($"There is no team '{team}'; {Routing.Rules.DidYouMean.Hint(team, [.. known])}");
        }

        if (!caller.CanWork(team))
        {
            return ProblemResponse(403, "forbidden", "Not your team.", $"You are not an agent of team {team}; ask an admin for the role agent.{team}.");
        }

        var errors = new Dictionary<string, string[]>();
        var status = Query(request, "status")?.ToLowerInvariant() ?? "open";
        if (!QueueFilter.Statuses.Contains(status))
        {
            errors["status"] = [$"must be one of {string.Join(", ", QueueFilter.Statuses)}."];
        }

        var priority = Query(request, "priority")?.ToUpperInvariant();
        if (priority is not (null or "P1" or "P2" or "P3" or "P4"))
        {
            errors["priority"] = ["must be P1, P2, P3 or P4."];
        }

        var sla = Query(request, "sla")?.ToLowerInvariant();
        if (sla is not null && !QueueFilter.SlaStates.Contains(sla))
        {
            errors["sla"] = ["must be breached or at-risk."];
        }

        var assignee = Query(request, "assignee");
        if (assignee is { Length: > MaxNameChars })
        {
            errors["assignee"] = [$"must be at most {MaxNameChars} characters."];
        }

        var page = IntQuery(request, "page", 1, 1, 100_000, errors);
        var pageSize = IntQuery(request, "pageSize", 25, 1, 100, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var result = await queries.QueueAsync(team, new QueueFilter(status, assignee, priority, Query(request, "source"), sla, page, pageSize), caller, ct).ConfigureAwait(false);
        var grouped = await incidents.ForHandoffsAsync(result.Items.Select(v => v.Handoff), ct).ConfigureAwait(false);
        return JsonResponse(200, new QueueMessage(result.Team, result.Page, result.PageSize, result.Total, result.Items.Select(v => Summary(v, grouped.GetValueOrDefault(v.Handoff.Id))).ToList(), result.TotalAtLeast), ApiJsonContext.Default.QueueMessage);
    }

    /// <summary>Rebuilds a team's queue index from its handoffs (after a crash between a handoff's two partitions); managers only.</summary>
    private async Task<ApiResponse> RepairQueueIndexAsync(string team, CancellationToken ct)
    {
        if (!StorageNames.IsValidTeamName(team))
        {
            return NotFound($"'{team}' is not a team name.");
        }

        var (changed, open, resolved) = await queries.RepairIndexAsync(team, ct).ConfigureAwait(false);
        return JsonResponse(200, new QueueRepairMessage(team, changed, open, resolved), ApiJsonContext.Default.QueueRepairMessage);
    }

    private async Task<ApiResponse> HandoffAsync(string id, Caller caller, CancellationToken ct)
    {
        var h = HandoffIds.IsWellFormed(id) ? await work.GetAsync(id, ct).ConfigureAwait(false) : null;
        if (h is null)
        {
            return NotFound($"There is no handoff '{id}'.");
        }

        if (WorkRules.AccessRefusal(h, caller) is { } forbidden)
        {
            return ProblemResponse(forbidden.Status, forbidden.Kind, forbidden.Title, forbidden.Detail);
        }

        return await DetailAsync(200, h, ct).ConfigureAwait(false);
    }

    private async Task<ApiResponse> ActAsync(ApiRequest request, string id, string action, Caller caller, CancellationToken ct)
    {
        var verb = action switch
        {
            "claim" => WorkVerb.Claim,
            "release" => WorkVerb.Release,
            "respond" => WorkVerb.Respond,
            "pause" => WorkVerb.Pause,
            "resume" => WorkVerb.Resume,
            "resolve" => WorkVerb.Resolve,
            "reassign" => WorkVerb.Reassign,
            "notes" => WorkVerb.Note,
            _ => (WorkVerb?)null,
        };
        if (verb is null)
        {
            return NotFound($"'{action}' is not an action: use claim, release, respond, pause, resume, resolve, reassign or notes.");
        }

        if (!TryReadBody(request, ApiJsonContext.Default.ActionBody, allowEmpty: true, out var body, out var bad))
        {
            return bad!;
        }

        body ??= new ActionBody(null, null, null, null, null);
        if (!TryIfMatch(request, 'r', out var revision, out bad))
        {
            return bad!;
        }

        var command = await CommandAsync(verb.Value, body, ct).ConfigureAwait(false);
        if (command.Errors is { Count: > 0 } errors)
        {
            return Invalid(errors);
        }

        var outcome = await work.ApplyAsync(id, command.Command!, caller, revision, ct).ConfigureAwait(false);
        LogAction(caller.Name, action, id, outcome.Refusal?.Status ?? 200);
        if (outcome.Refusal is { Field: { } field } invalid)
        {
            return Invalid(field, invalid.Detail);
        }

        if (outcome.Refusal is { } refusal)
        {
            return ProblemResponse(refusal.Status, refusal.Kind, refusal.Title, refusal.DetailFor(directory.DisplayName), holder: refusal.Holder, etag: outcome.Handoff?.ETag,
                holderName: refusal.Holder is { } holder ? directory.DisplayName(holder) : null);
        }

        if (verb is WorkVerb.Resolve or WorkVerb.Release or WorkVerb.Reassign)
        {
            // Capacity may have freed (or the handoff waits in another team now): the next waiting item is assigned.
            // A move frees room in a team the outcome no longer names: every team with auto-assignment on is looked at.
            await assignment.TryRunAsync(verb == WorkVerb.Reassign ? await assignment.TeamsOnAsync(ct).ConfigureAwait(false) : [outcome.Handoff!.Team], ct).ConfigureAwait(false);
        }

        return await DetailAsync(200, outcome.Handoff!, ct).ConfigureAwait(false);
    }

    /// <summary>Checks each action's body: the fields it needs, their lengths, and that a target team exists.</summary>
    private async Task<(WorkCommand? Command, Dictionary<string, string[]>? Errors)> CommandAsync(WorkVerb verb, ActionBody body, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        string[] reads = verb switch
        {
            WorkVerb.Respond => ["reply"],
            WorkVerb.Resolve => ["note"],
            WorkVerb.Note => ["text"],
            WorkVerb.Reassign => ["assignee", "team", "note"],
            _ => [],
        };
        foreach (var (name, value) in new[] { ("reply", body.Reply), ("note", body.Note), ("text", body.Text), ("assignee", body.Assignee), ("team", body.Team) })
        {
            // A field the action does not read would be lost without a word (a note sent as "text" to resolve).
            if (value is not null && !reads.Contains(name))
            {
                errors[name] = [reads.Length == 0 ? "is not used: this action takes an empty body {}." : $"is not used by this action (it reads {string.Join(", ", reads)})."];
            }
        }

        string? Text(string field, string? value, bool required, int max)
        {
            var trimmed = value?.Trim();
            if (string.IsNullOrEmpty(trimmed))
            {
                if (required)
                {
                    errors[field] = ["is required."];
                }

                return null;
            }

            if (trimmed.Length > max)
            {
                errors[field] = [$"must be at most {max} characters (got {trimmed.Length})."];
            }

            return trimmed;
        }

        WorkCommand command;
        switch (verb)
        {
            case WorkVerb.Respond:
                command = new WorkCommand(verb, Text("reply", body.Reply, required: true, WorkRules.MaxReplyChars));
                break;
            case WorkVerb.Resolve:
                command = new WorkCommand(verb, Text("note", body.Note, required: false, WorkRules.MaxNoteChars));
                break;
            case WorkVerb.Note:
                command = new WorkCommand(verb, Text("text", body.Text, required: true, WorkRules.MaxNoteChars));
                break;
            case WorkVerb.Reassign:
                var assignee = Text("assignee", body.Assignee, required: false, MaxNameChars);
                var team = body.Team?.Trim().ToLowerInvariant();
                if (string.IsNullOrEmpty(team))
                {
                    team = null;
                }

                if (assignee is null && team is null && !errors.ContainsKey("assignee"))
                {
                    errors["assignee"] = ["give an assignee, a team, or both."];
                }

                if (team is not null && await directory.KnownTeamsAsync(ct).ConfigureAwait(false) is var known && !known.Contains(team))
                {
                    errors["team"] = [$"'{body.Team}' is not a team that exists; {Routing.Rules.DidYouMean.Hint(team, [.. known])}"];
                }

                command = new WorkCommand(verb, Text("note", body.Note, required: false, WorkRules.MaxNoteChars), assignee, team);
                break;
            default:
                command = new WorkCommand(verb);
                break;
        }

        return errors.Count > 0 ? (null, errors) : (command, null);
    }

    private async Task<ApiResponse> DetailAsync(int status, HandoffRecord h, CancellationToken ct)
    {
        var view = await queries.ViewAsync(h, ct).ConfigureAwait(false);
        var events = await work.EventsAsync(h.Id, ct).ConfigureAwait(false);
        SlaMessage? sla = null;
        if (h.Sla is { } s)
        {
            sla = new SlaMessage(s.PolicyName, s.PolicyVersion,
                Clock(s.FirstResponse, h.FirstResponseDueAt, view.FirstResponse),
                Clock(s.Resolution, h.ResolutionDueAt, view.Resolution),
                s.PolicySource, view.Calendar?.Name ?? s.Calendar, s.CalendarSource);
        }

        var detail = new HandoffDetailMessage(
            h.Rule, h.RuleWhy, h.Tags, h.RuleSetVersion, h.Language, h.MentionKey, h.CorrelationId, sla,
            h.FirstResponse is { } f ? new FirstResponseMessage(f.At, f.By, directory.DisplayName(f.By), f.Reply) : null,
            events.Select(Event).ToList());

        // One flat object: the summary the queue shows, plus the detail.
        var incident = await incidents.ForHandoffAsync(h, ct).ConfigureAwait(false);
        var node = JsonSerializer.SerializeToNode(Summary(view, incident), ApiJsonContext.Default.HandoffSummaryMessage)!.AsObject();
        foreach (var (key, value) in JsonSerializer.SerializeToNode(detail, ApiJsonContext.Default.HandoffDetailMessage)!.AsObject().ToList())
        {
            node[key] = value?.DeepClone();
        }

        return new ApiResponse(status, ApiResponse.Json, node.ToJsonString(), WithNoStore(new Dictionary<string, string> { ["ETag"] = h.ETag }));
    }

    private static string ClockState(SlaClock? clock) =>
        clock is null ? "none" : clock.StoppedAt is not null ? "stopped" : clock.IsPaused ? "paused" : "running";

    private static ClockMessage Clock(SlaClock clock, DateTimeOffset? dueAt, SlaStatus standing) => new(
        ClockState(clock),
        clock.Target.TotalMinutes,
        dueAt,
        clock.StoppedAt,
        standing switch
        {
            SlaStatus.Met => "met",
            SlaStatus.MissedButDone or SlaStatus.Breached => "breached",
            SlaStatus.AtRisk => "at-risk",
            SlaStatus.Paused => "paused",
            _ => "ok",
        });

    private EventMessage Event(TableEntity e) => new(
        e.GetString("Type") ?? "",
        e.GetDateTimeOffset("At"),
        e.GetString("Actor"),
        e.GetString("Actor") is { } actor ? directory.DisplayName(actor) : null,
        ReadFields(e.GetString("Before")),
        ReadFields(e.GetString("After")) ?? SweepFields(e),
        e.GetString("Text"));

    /// <summary>The SLA sweep's events carry their clock and level instead of before/after fields.</summary>
    private static Dictionary<string, string?>? SweepFields(TableEntity e) =>
        e.GetString("Clock") is { } clock
            ? new Dictionary<string, string?> { ["clock"] = clock, ["level"] = e.GetString("Level"), ["dueAt"] = e.GetDateTimeOffset("DueAt")?.ToString("O", CultureInfo.InvariantCulture) }
            : null;

    private static Dictionary<string, string?>? ReadFields(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ApiJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The queue's view of a handoff; the assignee is a person's key, shown by <c>assigneeName</c>.</summary>
    private HandoffSummaryMessage Summary(HandoffView view, Incidents.Incident? incident)
    {
        var h = view.Handoff;
        return new HandoffSummaryMessage(
            h.Id, h.Team, h.Status, h.Assignee, h.Assignee is { } assignee ? directory.DisplayName(assignee) : null, h.IsWaiting, h.Priority, h.Urgency, h.Sentiment, h.SentimentCompound,
            h.Text, h.AuthorHandle, h.AuthorFollowers, h.Url, h.Source, h.PostedAt, h.CreatedAt,
            h.FirstResponseDueAt, h.ResolutionDueAt, h.FirstResponse?.At, view.SlaState,
            h.Reasons.Select(r => new ReasonMessage(r.Signal, r.Text, r.Points)).ToList(), h.ETag,
            ClockState(h.Sla?.FirstResponse), ClockState(h.Sla?.Resolution), view.WarnBefore.TotalMinutes,
            incident is { Count: > 1 } i ? IncidentView(i, h.IsResolved) : null);
    }

    private static IncidentMessage IncidentView(Incidents.Incident i, bool resolved) => new(
        i.Count, i.Reach, i.FirstPostedAt, i.LastPostedAt,
        i.Members.Select(m => new IncidentMemberMessage(m.MentionKey, m.Author, m.Url, m.PostedAt, resolved ? "resolved" : "open")).ToList(),
        i.Surge is { } s ? new IncidentSurgeMessage(s.At, s.Reason, s.From, s.To, s.Applied) : null);

    private static string? Query(ApiRequest request, string name) =>
        request.Query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int IntQuery(ApiRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (Query(request, name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors[name] = [$"must be a whole number from {min} to {max}."];
        return fallback;
    }

    /// <summary>Reads If-Match: absent or * means "any version"; otherwise "&lt;prefix&gt;N" (weak or strong).</summary>
    private static bool TryIfMatch(ApiRequest request, char prefix, out int? version, out ApiResponse? error)
    {
        version = null;
        error = null;
        var value = request.Header("If-Match")?.Trim();
        if (string.IsNullOrEmpty(value) || value == "*")
        {
            return true;
        }

        var tag = value.StartsWith("W/", StringComparison.Ordinal) ? value[2..] : value;
        if (tag.Length > 3 && tag[0] == '"' && tag[^1] == '"' && tag[1] == prefix
            && int.TryParse(tag.AsSpan(2, tag.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        error = Invalid("If-Match", $"must be an ETag this API gave out, like \"{prefix}3\" (got {value}).");
        return false;
    }
}
