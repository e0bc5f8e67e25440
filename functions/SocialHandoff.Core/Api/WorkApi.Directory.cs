using System.Text.Json;
using System.Text.Json.Serialization;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Api;

/// <summary>
/// The directory's routes: a team with its members (everyone signed in reads it: reassign offers its
/// members), a manager's save of a team, its history, and a person's availability, which an agent
/// sets only for themselves.
/// </summary>
public sealed partial class WorkApi
{
    private const int MaxHistory = 50;

    private async Task<ApiResponse> GetTeamAsync(string team, CancellationToken ct)
    {
        var snapshot = await directory.GetAsync(ct).ConfigureAwait(false);
        if (await TeamRefusalAsync(team, snapshot, ct).ConfigureAwait(false) is { } refusal)
        {
            return refusal;
        }

        return await TeamResponseAsync(200, snapshot.Team(team) ?? Unsaved(team), snapshot, ct).ConfigureAwait(false);
    }

    private async Task<ApiResponse> PutTeamAsync(ApiRequest request, string team, Caller caller, CancellationToken ct)
    {
        if (!StorageNames.IsValidTeamName(team))
        {
            return Invalid("team", $"'{team}' is not a team name: lowercase letters, digits and single hyphens, at most 58 characters.");
        }

        if (!TryReadBody(request, DirectoryApiJsonContext.Default.TeamBody, allowEmpty: false, out var body, out var bad))
        {
            return bad!;
        }

        if (!TryIfMatch(request, 'd', out var revision, out bad))
        {
            return bad!;
        }

        var create = request.Header("If-None-Match")?.Trim() == "*";
        var edit = new TeamEdit(body!.DisplayName, body.Calendar, body.DefaultPolicy, body.Notify, body.AutoAssign,
            body.Members?.Select(m => m is null ? null! : new MemberEdit(m.Id, m.Name, m.Role, m.Capacity)).ToList());
        var result = await directory.SaveTeamAsync(team, edit, caller.Id, revision, create, ct).ConfigureAwait(false);
        switch (result.Status)
        {
            case 400:
                return Invalid(result.Errors!);
            case 404:
                return NotFound(result.Detail!);
            case 412:
                return ProblemResponse(412, "precondition-failed", "The team changed since you loaded it.", result.Detail!, etag: result.Team?.ETag);
        }

        LogSaved(caller.Name, "team " + team, result.Team!.Revision);

        // Auto-assignment just turned on, a member added, capacity raised: waiting handoffs may have somewhere to go.
        await assignment.TryRunAsync(team, ct).ConfigureAwait(false);
        var snapshot = await directory.GetAsync(ct).ConfigureAwait(false);
        return await TeamResponseAsync(result.Status, snapshot.Team(team) ?? result.Team, snapshot, ct).ConfigureAwait(false);
    }

    private async Task<ApiResponse> DeleteTeamAsync(ApiRequest request, string team, Caller caller, CancellationToken ct)
    {
        if (!StorageNames.IsValidTeamName(team))
        {
            return NotFound($"'{team}' is not a team name.");
        }

        // Deleting is not undone by a retry with stale data: the caller must say which revision they mean (or * for any).
        if (string.IsNullOrWhiteSpace(request.Header("If-Match")))
        {
            return ProblemResponse(428, "precondition-required", "If-Match is required.", $"Send If-Match with the team's ETag (from GET /api/teams/{team}), or * to delete whatever revision is stored.");
        }

        if (!TryIfMatch(request, 'd', out var revision, out var bad))
        {
            return bad!;
        }

        var open = await queries.QueueAsync(team, new QueueFilter("open", PageSize: int.MaxValue), AutoAssignmentCaller, ct).ConfigureAwait(false);
        var result = await directory.DeleteTeamAsync(team, caller.Id, revision, open.Items.Count, ct).ConfigureAwait(false);
        switch (result.Status)
        {
            case 404:
                return NotFound(result.Detail);
            case 409:
                return ProblemResponse(409, "team-in-use", "The team is still in use.", result.Detail, result.Blockers, etag: result.Team?.ETag);
            case 412:
                return ProblemResponse(412, "precondition-failed", "The team changed since you loaded it.", result.Detail, etag: result.Team?.ETag);
        }

        return new ApiResponse(204, ApiResponse.Json, "", WithNoStore(null));
    }

    private async Task<ApiResponse> AvailabilityHistoryAsync(string person, Caller caller, CancellationToken ct)
    {
        var id = person == "me" ? caller.Id : person;
        if (!caller.IsManager && !WorkRules.SameName(id, caller.Id))
        {
            return ProblemResponse(403, "forbidden", "Only your own availability history.", $"{caller.Name} may read only their own availability history; a manager reads anyone's.");
        }

        var snapshot = await directory.GetAsync(ct).ConfigureAwait(false);
        var changes = await directory.AvailabilityHistoryAsync(id, MaxHistory, ct).ConfigureAwait(false);
        if (changes.Count == 0 && snapshot.TeamsOf(id).Count == 0 && person != "me")
        {
            return NotFound($"'{id}' is not a member of any team and has no availability history.");
        }

        var key = snapshot.Teams.Values.Select(t => t.Member(id)?.Id).FirstOrDefault(m => m is not null) ?? id;
        return JsonResponse(200, new AvailabilityHistoryMessage(key, snapshot.NameOf(key) ?? directory.DisplayName(key), snapshot.Availability(key),
            changes.Select(c => new AvailabilityChangeMessage(c.Revision, c.Availability, c.Author, directory.DisplayName(c.Author), c.At, c.Summary)).ToList()),
            DirectoryApiJsonContext.Default.AvailabilityHistoryMessage);
    }

    private async Task<ApiResponse> TeamHistoryAsync(string team, CancellationToken ct)
    {
        var snapshot = await directory.GetAsync(ct).ConfigureAwait(false);
        if (!snapshot.Deleted.Contains(team) && await TeamRefusalAsync(team, snapshot, ct).ConfigureAwait(false) is { } refusal)
        {
            return refusal;
        }

        var changes = await directory.HistoryAsync(team, MaxHistory, ct).ConfigureAwait(false);
        return JsonResponse(200, new TeamHistoryMessage(team, changes.Select(c => new TeamChangeMessage(c.Revision, c.Author, directory.DisplayName(c.Author), c.At, c.Summary)).ToList()),
            DirectoryApiJsonContext.Default.TeamHistoryMessage);
    }

    private async Task<ApiResponse> GetPersonAsync(string person, Caller caller, CancellationToken ct)
    {
        var id = person == "me" ? caller.Id : person;
        var snapshot = await directory.GetAsync(ct).ConfigureAwait(false);
        var teams = snapshot.TeamsOf(id);
        if (teams.Count == 0 && person != "me")
        {
            return NotFound($"'{id}' is not a member of any team.");
        }

        return PersonResponse(id, snapshot.NameOf(id) ?? id, snapshot.Availability(id), teams, caller);
    }

    private async Task<ApiResponse> PutAvailabilityAsync(ApiRequest request, string person, Caller caller, CancellationToken ct)
    {
        var id = person == "me" ? caller.Id : person;
        if (!caller.IsManager && !WorkRules.SameName(id, caller.Id))
        {
            return ProblemResponse(403, "forbidden", "Only your own availability.", $"{caller.Name} may set only their own availability; a manager sets anyone's.");
        }

        if (!TryReadBody(request, DirectoryApiJsonContext.Default.AvailabilityBody, allowEmpty: false, out var body, out var bad))
        {
            return bad!;
        }

        var availability = body!.Availability?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(availability))
        {
            return Invalid("availability", $"is required: {string.Join(" or ", DirectoryRules.Availabilities)}.");
        }

        if (!DirectoryRules.Availabilities.Contains(availability))
        {
            return Invalid("availability", $"must be {string.Join(" or ", DirectoryRules.Availabilities)} (got '{body.Availability}').");
        }

        var (status, saved, detail) = await directory.SetAvailabilityAsync(id, availability, caller.Id, ct).ConfigureAwait(false);
        if (status == 404)
        {
            return NotFound(detail!);
        }

        var snapshot = await directory.GetAsync(ct).ConfigureAwait(false);
        var teams = snapshot.TeamsOf(saved!.Id);
        if (availability == DirectoryRules.Available)
        {
            await assignment.TryRunAsync(teams, ct).ConfigureAwait(false);
        }

        return PersonResponse(saved.Id, snapshot.NameOf(saved.Id) ?? saved.Id, saved.Availability, teams, caller);
    }

    private ApiResponse PersonResponse(string id, string name, string availability, IReadOnlyList<string> teams, Caller caller) =>
        JsonResponse(200, new PersonMessage(id, name, availability, teams, caller.IsManager || WorkRules.SameName(id, caller.Id)), DirectoryApiJsonContext.Default.PersonMessage);

    /// <summary>404 for a name that is not a team or a team that does not exist; null when it exists.</summary>
    private async Task<ApiResponse?> TeamRefusalAsync(string team, DirectorySnapshot snapshot, CancellationToken ct)
    {
        if (!StorageNames.IsValidTeamName(team))
        {
            return NotFound($"'{team}' is not a team name.");
        }

        if (snapshot.Team(team) is null && await directory.KnownTeamsAsync(ct).ConfigureAwait(false) is var known && !known.Contains(team))
        {
            return NotFound($"There is no team '{team}'; {Routing.Rules.DidYouMean.Hint(team, [.. known])}");
        }

        return null;
    }

    /// <summary>A team that rules route to but nobody has saved in the directory yet.</summary>
    private static DirectoryTeam Unsaved(string team) => new(team, team, null, null, [], DirectoryRules.AutoAssignOff, []);

    private async Task<ApiResponse> TeamResponseAsync(int status, DirectoryTeam team, DirectorySnapshot snapshot, CancellationToken ct)
    {
        var open = await queries.QueueAsync(team.Name, new QueueFilter("open", PageSize: int.MaxValue), AutoAssignmentCaller, ct).ConfigureAwait(false);
        var claims = open.Items.Where(v => v.Handoff.Assignee is not null)
            .GroupBy(v => v.Handoff.Assignee!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var people = directory.KnownPeople(snapshot)?.Select(p => new PersonChoiceMessage(p.Key, p.Value)).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        var message = new TeamEntryMessage(
            team.Name, team.DisplayName, team.Calendar, team.DefaultPolicy, team.Notify, team.AutoAssign,
            team.Members.Select(m => new MemberMessage(m.Id, m.Name, m.Role, m.Capacity, snapshot.Availability(m.Id), claims.GetValueOrDefault(m.Id))).ToList(),
            open.Items.Count(v => v.Handoff.Assignee is null), team.Revision, team.UpdatedBy, team.UpdatedAt, team.ETag, people);
        return JsonResponse(status, message, DirectoryApiJsonContext.Default.TeamEntryMessage, new Dictionary<string, string> { ["ETag"] = team.ETag });
    }

    private static Caller AutoAssignmentCaller => SocialHandoff.Core.Assignment.AutoAssignment.Assigner;
}

/// <summary>
/// A team of the directory with its members, their availability and open claims now, and how many open handoffs nobody holds.
/// <c>Etag</c> (JSON "etag", like a handoff's) is what the editor sends back as If-Match.
/// </summary>
public sealed record TeamEntryMessage(
    string Name, string DisplayName, string? Calendar, string? DefaultPolicy, IReadOnlyList<string> Notify, string AutoAssign,
    IReadOnlyList<MemberMessage> Members, int Unclaimed, int Revision, string? UpdatedBy, DateTimeOffset? UpdatedAt, string Etag,
    IReadOnlyList<PersonChoiceMessage>? People);

public sealed record MemberMessage(string Id, string Name, string Role, int Capacity, string Availability, int OpenClaims);

public sealed record PersonChoiceMessage(string Id, string Name);

public sealed record TeamHistoryMessage(string Team, IReadOnlyList<TeamChangeMessage> Changes);

public sealed record TeamChangeMessage(int Revision, string Author, string AuthorName, DateTimeOffset At, string Summary);

/// <summary>A person's availability now and its changes, newest first (<c>Availability</c> null on changes recorded before it was kept).</summary>
public sealed record AvailabilityHistoryMessage(string Id, string Name, string Availability, IReadOnlyList<AvailabilityChangeMessage> Changes);

public sealed record AvailabilityChangeMessage(int Revision, string? Availability, string Author, string AuthorName, DateTimeOffset At, string Summary);

public sealed record PersonMessage(string Id, string Name, string Availability, IReadOnlyList<string> Teams, bool CanEdit);

/// <summary>A manager's team: every field as sent; omitted ones are null and checked by <see cref="DirectoryRules.Check"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TeamBody(string? DisplayName, string? Calendar, string? DefaultPolicy, List<string>? Notify, string? AutoAssign, List<MemberBody>? Members);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemberBody(string? Id, string? Name, string? Role, int? Capacity);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AvailabilityBody(string? Availability);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TeamEntryMessage))]
[JsonSerializable(typeof(TeamHistoryMessage))]
[JsonSerializable(typeof(PersonMessage))]
[JsonSerializable(typeof(AvailabilityHistoryMessage))]
[JsonSerializable(typeof(TeamBody))]
[JsonSerializable(typeof(AvailabilityBody))]
internal sealed partial class DirectoryApiJsonContext : JsonSerializerContext
{
}
