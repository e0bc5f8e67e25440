using System.Globalization;
using System.Text.RegularExpressions;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Teams;

/// <summary>A member of a team: the person's key, the name shown, their role in the team and their capacity (most open claims auto-assignment gives them in it).</summary>
public sealed record DirectoryMember(string Id, string Name, string Role, int Capacity);

/// <summary>
/// A team as the directory holds it. <see cref="Notify"/> names notification targets (a webhook key
/// or a channel name); the URLs behind them are secrets and stay in settings or Key Vault.
/// <see cref="Revision"/> counts saved changes (the API's ETag "d&lt;n&gt;").
/// </summary>
public sealed record DirectoryTeam(
    string Name,
    string DisplayName,
    string? Calendar,
    string? DefaultPolicy,
    IReadOnlyList<string> Notify,
    string AutoAssign,
    IReadOnlyList<DirectoryMember> Members,
    int Revision = 0,
    string? UpdatedBy = null,
    DateTimeOffset? UpdatedAt = null)
{
    public string ETag => string.Create(CultureInfo.InvariantCulture, $"\"d{Revision}\"");

    /// <summary>The member <paramref name="id"/> names (keys compare case-insensitively); null when none.</summary>
    public DirectoryMember? Member(string id) => Members.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Same content (the audit fields aside): saving it again changes nothing.</summary>
    public bool SameContent(DirectoryTeam other) =>
        other is not null
        && Name == other.Name && DisplayName == other.DisplayName && Calendar == other.Calendar && DefaultPolicy == other.DefaultPolicy
        && AutoAssign == other.AutoAssign && Notify.SequenceEqual(other.Notify, StringComparer.Ordinal) && Members.SequenceEqual(other.Members);
}

/// <summary>What a manager sends for a team: every field as typed, null when omitted (checked by <see cref="DirectoryRules.Check"/>).</summary>
public sealed record TeamEdit(string? DisplayName, string? Calendar, string? DefaultPolicy, IReadOnlyList<string>? Notify, string? AutoAssign, IReadOnlyList<MemberEdit>? Members);

public sealed record MemberEdit(string? Id, string? Name, string? Role, int? Capacity);

/// <summary>
/// What an edit is checked against: the calendars and policies in force, the people that exist (null:
/// any well-formed key, as in Azure where Entra knows them) and the notification targets configured
/// (<c>Sla:Notifications</c>; null: not checked).
/// </summary>
public sealed record DirectoryContext(IReadOnlySet<string> Calendars, IReadOnlySet<string> Policies, IReadOnlyDictionary<string, string>? KnownPeople, IReadOnlySet<string>? NotifyTargets = null);

/// <summary>
/// The directory's rules, pure: the values a team's fields may take, an edit checked field by field
/// (every error named by its JSON path, so the API answers 400 and the form shows it at the field),
/// and a readable account of what a save changed.
/// </summary>
public static partial class DirectoryRules
{
    public const string RoleAgent = "agent";
    public const string RoleLead = "lead";
    public const string RoleManager = "manager";
    public static readonly IReadOnlyList<string> Roles = [RoleAgent, RoleLead, RoleManager];

    public const string AutoAssignOff = "off";
    public const string AutoAssignRoundRobin = "round-robin";
    public const string AutoAssignLeastLoaded = "least-loaded";
    public static readonly IReadOnlyList<string> AutoAssignModes = [AutoAssignOff, AutoAssignRoundRobin, AutoAssignLeastLoaded];

    public const string Available = "available";
    public const string Away = "away";
    public static readonly IReadOnlyList<string> Availabilities = [Available, Away];

    public const int DefaultCapacity = 5;

    /// <summary>More open claims than this at once is not a person's queue but a team's.</summary>
    public const int MaxCapacity = 50;

    public const int MaxMembers = 200;
    public const int MaxNotifyTargets = 10;
    public const int MaxNameChars = 100;
    public const int MaxIdChars = TeamsOptions.MaxMemberChars;

    /// <summary>Why a notification target name is refused (a URL, or not a name); null when it is fine.</summary>
    public static string? NotifyTargetProblem(string? target)
    {
        if (string.IsNullOrWhiteSpace(target))
        {
            return "must be a target name, not empty.";
        }

        if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
        {
            return "must be the name of a webhook target or channel (like 'crisis-teams' or '#crisis'), not a URL: a webhook URL is a secret and stays in settings or Key Vault.";
        }

        return TargetName().IsMatch(target) ? null : "must be 1 to 64 letters, digits and - _ . # @ (a webhook key or channel name).";
    }

    /// <summary>
    /// Checks an edit of team <paramref name="team"/>: required fields (autoAssign, members, and each
    /// member's id, role and capacity), allowed values, known calendar, policy and people, no person twice.
    /// Returns the team as it would be saved, or the errors by field.
    /// </summary>
    public static (DirectoryTeam? Team, Dictionary<string, string[]> Errors) Check(string team, TeamEdit edit, DirectoryContext context)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ArgumentNullException.ThrowIfNull(context);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [message];

        var displayName = edit.DisplayName?.Trim();
        if (string.IsNullOrEmpty(displayName))
        {
            displayName = team;
        }
        else if (displayName.Length > MaxNameChars || displayName.Any(char.IsControl))
        {
            Error("displayName", $"must be at most {MaxNameChars} characters of text.");
        }

        var calendar = Blank(edit.Calendar);
        if (calendar is not null && !context.Calendars.Contains(calendar))
        {
            Error("calendar", $"'{calendar}' is not a calendar of the SLA policies; {Routing.Rules.DidYouMean.Hint(calendar, [.. context.Calendars])}");
        }

        var policy = Blank(edit.DefaultPolicy);
        if (policy is not null && !context.Policies.Contains(policy))
        {
            Error("defaultPolicy", $"'{policy}' is not an SLA policy in force; {Routing.Rules.DidYouMean.Hint(policy, [.. context.Policies])}");
        }

        var notify = new List<string>();
        if (edit.Notify is { Count: > MaxNotifyTargets })
        {
            Error("notify", $"must list at most {MaxNotifyTargets} targets.");
        }
        else
        {
            for (var i = 0; i < (edit.Notify?.Count ?? 0); i++)
            {
                var target = edit.Notify![i]?.Trim();
                if (NotifyTargetProblem(target) is { } problem)
                {
                    Error(Field("notify", i), problem);
                }
                else if (context.NotifyTargets is { } configured && !configured.Contains(target!))
                {
                    Error(Field("notify", i), configured.Count == 0
                        ? $"'{target}' is not a configured notification target, and none are configured: IT adds one as Sla:Notifications:{target}:Url (a secret), or leave notify empty to use the team's configured webhooks."
                        : $"'{target}' is not a configured notification target; {Routing.Rules.DidYouMean.Hint(target!, [.. configured])}");
                }
                else if (!notify.Contains(target!, StringComparer.OrdinalIgnoreCase))
                {
                    notify.Add(target!);
                }
            }
        }

        var mode = edit.AutoAssign?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(mode))
        {
            Error("autoAssign", $"is required: one of {string.Join(", ", AutoAssignModes)}.");
        }
        else if (!AutoAssignModes.Contains(mode))
        {
            Error("autoAssign", $"must be one of {string.Join(", ", AutoAssignModes)} (got '{edit.AutoAssign}').");
        }

        var members = new List<DirectoryMember>();
        if (edit.Members is null)
        {
            Error("members", "is required: the list of the team's members (it may be empty).");
        }
        else if (edit.Members.Count > MaxMembers)
        {
            Error("members", $"must list at most {MaxMembers} people.");
        }
        else
        {
            for (var i = 0; i < edit.Members.Count; i++)
            {
                if (CheckMember(edit.Members[i], Field("members", i), context, members, Error) is { } member)
                {
                    members.Add(member);
                }
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new DirectoryTeam(team, displayName, calendar, policy, notify, mode!, members), errors);
    }

    private static DirectoryMember? CheckMember(MemberEdit? edit, string at, DirectoryContext context, List<DirectoryMember> sofar, Action<string, string> error)
    {
        if (edit is null)
        {
            error(at, "must be a member object, not null.");
            return null;
        }

        var ok = true;
        var id = edit.Id?.Trim();
        if (string.IsNullOrEmpty(id))
        {
            error(at + ".id", "is required: the person's key (the Entra object id in Azure).");
            ok = false;
        }
        else if (id.Length > MaxIdChars || id.Any(char.IsControl))
        {
            error(at + ".id", $"must be at most {MaxIdChars} characters of text.");
            ok = false;
        }
        else if (context.KnownPeople is { } known && !known.ContainsKey(id))
        {
            error(at + ".id", $"'{id}' is not a known person; {Routing.Rules.DidYouMean.Hint(id, [.. known.Keys])}");
            ok = false;
        }
        else if (sofar.Any(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase)))
        {
            error(at + ".id", $"'{id}' is listed twice; a person is a member once, with one role and capacity.");
            ok = false;
        }

        var role = edit.Role?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(role))
        {
            error(at + ".role", $"is required: one of {string.Join(", ", Roles)}.");
            ok = false;
        }
        else if (!Roles.Contains(role))
        {
            error(at + ".role", $"must be one of {string.Join(", ", Roles)} (got '{edit.Role}').");
            ok = false;
        }

        if (edit.Capacity is not { } capacity)
        {
            error(at + ".capacity", $"is required: the most open claims at once, 0 to {MaxCapacity} (0: never auto-assigned).");
            ok = false;
            capacity = 0;
        }
        else if (capacity is < 0 or > MaxCapacity)
        {
            error(at + ".capacity", $"must be 0 to {MaxCapacity} (got {capacity}).");
            ok = false;
        }

        var name = edit.Name?.Trim();
        if (name is { Length: > MaxNameChars } || (name?.Any(char.IsControl) ?? false))
        {
            error(at + ".name", $"must be at most {MaxNameChars} characters of text.");
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        var shown = !string.IsNullOrEmpty(name) ? name : context.KnownPeople?.GetValueOrDefault(id!) ?? id!;
        var key = context.KnownPeople?.Keys.FirstOrDefault(k => string.Equals(k, id, StringComparison.OrdinalIgnoreCase)) ?? id!;
        return new DirectoryMember(key, shown, role!, capacity);
    }

    /// <summary>What a save changed, as a manager would say it ("ben added as agent, capacity 2; auto-assignment off → least-loaded").</summary>
    public static string Describe(DirectoryTeam? before, DirectoryTeam after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (before is null)
        {
            return $"team {after.Name} created with {Count(after.Members.Count, "member")}";
        }

        var changes = new List<string>();
        void Changed(string what, string? was, string? now)
        {
            if (!string.Equals(was, now, StringComparison.Ordinal))
            {
                changes.Add($"{what} {was ?? "none"} → {now ?? "none"}");
            }
        }

        Changed("display name", before.DisplayName, after.DisplayName);
        Changed("calendar", before.Calendar, after.Calendar);
        Changed("default policy", before.DefaultPolicy, after.DefaultPolicy);
        Changed("auto-assignment", before.AutoAssign, after.AutoAssign);
        if (!before.Notify.SequenceEqual(after.Notify, StringComparer.Ordinal))
        {
            changes.Add($"notification targets {List(before.Notify)} → {List(after.Notify)}");
        }

        foreach (var m in after.Members)
        {
            if (before.Member(m.Id) is not { } was)
            {
                changes.Add($"{m.Name} added as {m.Role}, capacity {m.Capacity}");
                continue;
            }

            if (was.Role != m.Role)
            {
                changes.Add($"{m.Name}: role {was.Role} → {m.Role}");
            }

            if (was.Capacity != m.Capacity)
            {
                changes.Add($"{m.Name}: capacity {was.Capacity} → {m.Capacity}");
            }

            if (was.Name != m.Name)
            {
                changes.Add($"{m.Id}: name {was.Name} → {m.Name}");
            }
        }

        changes.AddRange(before.Members.Where(m => after.Member(m.Id) is null).Select(m => $"{m.Name} removed"));
        if (changes.Count == 0 && !before.Members.Select(m => m.Id).SequenceEqual(after.Members.Select(m => m.Id), StringComparer.OrdinalIgnoreCase))
        {
            changes.Add("members reordered");
        }

        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }

    /// <summary>
    /// What stops team <paramref name="team"/> from being deleted, by what (handoffs, rules, slaPolicies);
    /// empty when nothing does. Its open handoffs would lose their queue, and a rule or policy naming it
    /// would route or time work for a team that is gone.
    /// </summary>
    public static Dictionary<string, string[]> DeleteBlockers(string team, int openHandoffs, Routing.Rules.RuleSet rules, Sla.SlaPolicySet policies)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(policies);
        var blockers = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (openHandoffs > 0)
        {
            blockers["handoffs"] = [$"{Count(openHandoffs, "open handoff")} in its queue: resolve them or move them to another team first."];
        }

        var routing = rules.Rules.Where(r => r.Then.Team == team).Select(r => $"rule '{r.Name}' routes to it.").ToList();
        if (rules.Default.Team == team)
        {
            routing.Add("the default action routes to it.");
        }

        if (routing.Count > 0)
        {
            blockers["rules"] = [.. routing, "Change the routing rules first."];
        }

        var timing = policies.Policies.Where(p => p.Team == team).Select(p => $"SLA policy '{p.Name}' is for it.").ToList();
        if (timing.Count > 0)
        {
            blockers["slaPolicies"] = [.. timing, "Change the SLA policies first."];
        }

        return blockers;
    }

    private static string List(IReadOnlyList<string> values) => values.Count == 0 ? "none" : string.Join(", ", values);

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : string.Create(CultureInfo.InvariantCulture, $"{n} {noun}s");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Field(string name, int index) => string.Create(CultureInfo.InvariantCulture, $"{name}[{index}]");

    /// <summary>A team's key is also its queue's name: <see cref="StorageNames.IsValidTeamName"/>.</summary>
    public static bool IsTeamName(string? team) => StorageNames.IsValidTeamName(team);

    [GeneratedRegex("^[A-Za-z0-9#@._-]{1,64}$")]
    private static partial Regex TargetName();
}
