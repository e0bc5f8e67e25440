using SocialHandoff.Core.Access;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Work;

public enum WorkVerb
{
    Claim,
    Release,
    Respond,
    Pause,
    Resume,
    Resolve,
    Reassign,
    Note,

    /// <summary>Auto-assignment gives an unclaimed handoff to a member of its team (never an API action).</summary>
    Assign,
    /// <summary>The pipeline raises the priority (an incident's surge); never lowers it. Not an agent action.</summary>
    Raise,
}

/// <summary>What an agent asks for. <see cref="Text"/> is the reply (respond), the note (note, resolve), the reason (raise); <see cref="Priority"/> the priority a raise asks for at least.</summary>
public sealed record WorkCommand(WorkVerb Verb, string? Text = null, string? Assignee = null, string? Team = null, string? Priority = null);

/// <summary>One audit event: who did what when, and the fields it changed, before and after.</summary>
public sealed record WorkEvent(
    string Type,
    DateTimeOffset At,
    string Actor,
    IReadOnlyDictionary<string, string?> Before,
    IReadOnlyDictionary<string, string?> After,
    string? Text,
    string Team,
    string FromTeam);

/// <summary>
/// Why an action was refused, as the API reports it (HTTP status, problem kind, holder of a claim, the body field at fault).
/// The detail is for people: no handoff id, and the holder only as <see cref="HolderToken"/>, which
/// <see cref="DetailFor"/> replaces with their display name (the key is an Entra object id in Azure).
/// </summary>
public sealed record WorkRefusal(int Status, string Kind, string Title, string Detail, string? Holder = null, string? Field = null)
{
    public const string HolderToken = "{holder}";

    /// <summary>The detail with the holder named as people know them.</summary>
    public string DetailFor(Func<string, string> displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        return Holder is { } holder ? Detail.Replace(HolderToken, displayName(holder), StringComparison.Ordinal) : Detail.Replace(HolderToken, "Someone else", StringComparison.Ordinal);
    }
}

/// <summary>The outcome of deciding an action: a change with its event, a refusal, or nothing to do (asked for what already holds).</summary>
public sealed record WorkDecision(HandoffRecord? After, WorkEvent? Event, WorkRefusal? Refusal)
{
    public bool IsUnchanged => After is null && Refusal is null;
}

/// <summary>
/// The rules of agent work, pure: given a handoff, a command and the caller, what changes and what
/// the audit event says, or why not. The store applies the outcome with optimistic concurrency.
/// </summary>
public static class WorkRules
{
    public const string Claimed = "Claimed";
    public const string Released = "Released";
    public const string Responded = "Responded";
    public const string Replied = "Replied";
    public const string Paused = "Paused";
    public const string Resumed = "Resumed";
    public const string Resolved = "Resolved";
    public const string Reassigned = "Reassigned";
    public const string Moved = "Moved";
    public const string Noted = "Noted";
    public const string AutoAssigned = "AutoAssigned";
    public const string Raised = "Raised";

    public const int MaxReplyChars = 2000;

    /// <summary>Each pause adds a clock segment to the row's SLA column (a 64 KiB string at most); this keeps it far below.</summary>
    public const int MaxPauses = 100;
    public const int MaxNoteChars = 4000;

    /// <summary>
    /// Decides a command; <c>policyFor</c> gives the SLA policy of a team at a priority in the set in
    /// force (for a move); <c>personOf</c> gives the key of the person of a team that a typed
    /// assignee names, or null when nobody of that team is (reassign only to a person of the target team).
    /// </summary>
    public static WorkDecision Decide(HandoffRecord h, WorkCommand command, Caller caller, DateTimeOffset at, Func<string, string, SlaPolicy> policyFor, Func<string, string, string?> personOf)
    {
        ArgumentNullException.ThrowIfNull(personOf);
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(policyFor);
        if (AccessRefusal(h, caller) is { } forbidden)
        {
            return new WorkDecision(null, null, forbidden);
        }

        var heldByOther = h.Assignee is { } holder && !SameName(holder, caller.Id);
        if (h.IsResolved && command.Verb is not (WorkVerb.Note or WorkVerb.Resolve))
        {
            return Refuse(409, "conflict", "The handoff is resolved.", $"This handoff was resolved {When(h.ResolvedAt)}; only notes can be added now.");
        }

        switch (command.Verb)
        {
            case WorkVerb.Claim:
                if (heldByOther)
                {
                    return Refuse(409, "conflict", "Someone else claimed it first.", $"{WorkRefusal.HolderToken} claimed this handoff first.", h.Assignee);
                }

                return h.Assignee is null ? Change(h, Claimed, caller, at, h with { Assignee = caller.Id }) : Unchanged();

            case WorkVerb.Release:
                if (h.Assignee is null)
                {
                    return Refuse(409, "conflict", "Nobody holds it.", "Nobody has claimed this handoff, so there is nothing to release.");
                }

                if (heldByOther && !caller.IsManager)
                {
                    return Refuse(403, "forbidden", "Only the holder or a manager can release it.", $"{WorkRefusal.HolderToken} is working on this handoff; only they or a manager can release it.", h.Assignee);
                }

                return Change(h, Released, caller, at, h with { Assignee = null });

            case WorkVerb.Respond:
                if (heldByOther && !caller.IsManager)
                {
                    return Refuse(409, "conflict", "Someone else holds it.", $"{WorkRefusal.HolderToken} is working on this handoff; ask them or a manager before replying.", h.Assignee);
                }

                // Replying to an unclaimed item claims it, so two agents do not answer the same customer.
                var assignee = h.Assignee ?? caller.Id;
                if (h.FirstResponse is not null)
                {
                    return Change(h, Replied, caller, at, h with { Assignee = assignee }, command.Text);
                }

                return Change(h, Responded, caller, at, h with
                {
                    Assignee = assignee,
                    FirstResponse = new FirstResponseRecord(at, caller.Id, command.Text ?? ""),
                    Sla = h.Sla?.Respond(at),
                }, command.Text);

            case WorkVerb.Pause or WorkVerb.Resume or WorkVerb.Reassign when heldByOther && !caller.IsManager:
                return Refuse(409, "conflict", "Someone else holds it.", $"{WorkRefusal.HolderToken} is working on this handoff; ask them or a manager.", h.Assignee);

            case WorkVerb.Pause:
                if (h.IsWaiting)
                {
                    return Refuse(409, "conflict", "Already waiting on the customer.", "This handoff is already waiting on the customer.");
                }

                return h.Sla?.Resolution.Segments.Count >= MaxPauses
                    ? Refuse(409, "conflict", "Paused too often.", $"This handoff was paused {MaxPauses} times; resolve it or ask a manager.")
                    : Change(h, Paused, caller, at, h with { Sla = h.Sla?.Pause(at) });

            case WorkVerb.Resume:
                return !h.IsWaiting
                    ? Refuse(409, "conflict", "Not waiting on the customer.", "This handoff is not waiting on the customer.")
                    : Change(h, Resumed, caller, at, h with { Sla = h.Sla?.Resume(at) });

            case WorkVerb.Resolve:
                if (h.IsResolved)
                {
                    return Refuse(409, "conflict", "Already resolved.", $"This handoff was already resolved {When(h.ResolvedAt)}.");
                }

                if (heldByOther && !caller.IsManager)
                {
                    return Refuse(409, "conflict", "Someone else holds it.", $"{WorkRefusal.HolderToken} is working on this handoff; ask them or a manager to resolve it.", h.Assignee);
                }

                return Change(h, Resolved, caller, at, h with
                {
                    Status = HandoffStore.StatusResolved,
                    ResolvedAt = at,
                    Assignee = h.Assignee ?? caller.Id,
                    Sla = h.Sla?.Resolve(at),
                }, command.Text);

            case WorkVerb.Reassign:
                var team = string.IsNullOrEmpty(command.Team) ? h.Team : command.Team;
                var moved = team != h.Team;
                if (moved && command.Assignee is { Length: > 0 } && !caller.IsManager)
                {
                    // An agent cannot know who works the other team; its agents claim it there.
                    return Refuse(403, "forbidden", "Only a manager assigns in another team.", $"Move this handoff to {team} without an assignee; its agents claim it there.");
                }

                string? named = null;
                if (command.Assignee is { Length: > 0 } typed)
                {
                    named = personOf(team, typed);
                    if (named is null)
                    {
                        return new WorkDecision(null, null, new WorkRefusal(400, "validation", "The request is not valid.",
                            $"'{typed}' is not a person of team {team}; reassign to one of its people, or move it to the team without an assignee.", Field: "assignee"));
                    }
                }

                var newAssignee = named ?? (moved ? null : h.Assignee);
                if (!moved && newAssignee == h.Assignee)
                {
                    return Unchanged();
                }

                var after = h with { Assignee = newAssignee };
                if (moved)
                {
                    after = after with
                    {
                        Team = team,
                        Sla = h.Sla?.MoveTo(team, policyFor(team, h.Priority)),
                        FirstResponseSlaFlag = null,
                        ResolutionSlaFlag = null,
                    };
                }

                return Change(h, moved ? Moved : Reassigned, caller, at, after, command.Text);

            case WorkVerb.Note:
                return Change(h, Noted, caller, at, h, command.Text);

            case WorkVerb.Assign:
                // A claim made for a member: only while nobody holds it, so an agent's own claim always wins.
                if (h.Assignee is not null)
                {
                    return Refuse(409, "conflict", "Someone holds it already.", $"{h.Assignee} holds handoff {h.Id}.", h.Assignee);
                }

                if (command.Assignee is not { Length: > 0 } member || personOf(h.Team, member) is not { } key)
                {
                    return new WorkDecision(null, null, new WorkRefusal(400, "validation", "The request is not valid.",
                        $"'{command.Assignee}' is not a member of team {h.Team}.", Field: "assignee"));
                }

                return Change(h, AutoAssigned, caller, at, h with { Assignee = key }, command.Text);
            case WorkVerb.Raise:
                // To at least the priority asked: a repeat, or a handoff already as urgent, changes nothing.
                if (command.Priority is not ("P1" or "P2" or "P3" or "P4") || string.CompareOrdinal(command.Priority, h.Priority) >= 0)
                {
                    return Unchanged();
                }

                return Change(h, Raised, caller, at, h with
                {
                    Priority = command.Priority,
                    RuleWhy = [.. h.RuleWhy, $"raised to {command.Priority}: {command.Text}"],
                    Sla = h.Sla?.MoveTo(h.Team, policyFor(h.Team, command.Priority)) is { } raised ? raised with { Priority = command.Priority } : null,
                    FirstResponseSlaFlag = null,
                    ResolutionSlaFlag = null,
                }, command.Text);

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Verb, "Unknown verb.");
        }
    }

    /// <summary>The 403 for a caller who may not see or act on this handoff's team; null when they may.</summary>
    public static WorkRefusal? AccessRefusal(HandoffRecord h, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(caller);
        return caller.CanWork(h.Team) ? null : new WorkRefusal(403, "forbidden", "Not your team's handoff.", $"This handoff belongs to team {h.Team}, and you are not one of its agents.");
    }

    /// <summary>"at 2026-11-30 07:40 UTC", as a refusal tells it.</summary>
    private static string When(DateTimeOffset? at) =>
        at is { } t ? $"at {t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC" : "earlier";

    public static bool SameName(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static WorkDecision Unchanged() => new(null, null, null);

    private static WorkDecision Refuse(int status, string kind, string title, string detail, string? holder = null) =>
        new(null, null, new WorkRefusal(status, kind, title, detail, holder));

    private static WorkDecision Change(HandoffRecord before, string type, Caller caller, DateTimeOffset at, HandoffRecord after, string? text = null)
    {
        var was = Fields(before);
        var now = Fields(after);
        var changed = now.Keys.Where(k => was[k] != now[k]).ToList();
        return new WorkDecision(
            after with { Revision = before.Revision + 1 },
            new WorkEvent(
                type,
                at,
                caller.Id,
                changed.ToDictionary(k => k, k => was[k]),
                changed.ToDictionary(k => k, k => now[k]),
                string.IsNullOrEmpty(text) ? null : text,
                after.Team,
                before.Team),
            null);
    }

    /// <summary>The agent-visible fields an event records before and after.</summary>
    private static Dictionary<string, string?> Fields(HandoffRecord h) => new(StringComparer.Ordinal)
    {
        ["team"] = h.Team,
        ["priority"] = h.Priority,
        ["status"] = h.Status,
        ["assignee"] = h.Assignee,
        ["waiting"] = h.IsWaiting ? "true" : "false",
        ["firstResponseAt"] = h.FirstResponse?.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["slaPolicy"] = h.Sla?.PolicyName,
    };
}
