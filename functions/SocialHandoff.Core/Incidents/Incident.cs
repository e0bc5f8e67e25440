namespace SocialHandoff.Core.Incidents;

/// <summary>One member of an incident as the incident lists it.</summary>
public sealed record IncidentMember(string MentionKey, string? Author, string? Url, DateTimeOffset PostedAt);

/// <summary>
/// A surge: <see cref="IncidentOptions.SurgeCount"/> copies within <see cref="IncidentOptions.SurgeWindow"/>.
/// <see cref="From"/> and <see cref="To"/> are fixed before the raise is applied, so a retried raise
/// never goes a second step; <see cref="Applied"/> once the handoff carries it.
/// </summary>
public sealed record IncidentSurge(DateTimeOffset At, string Reason, string? From, string? To, bool Applied);

/// <summary>
/// Near-duplicate mentions of one brand grouped under one handoff: its id is the handoff's (the first
/// member's, or, after its leader ended without a handoff, the successor's: <see cref="IncidentHandover"/>), <see cref="Count"/> is exact, <see cref="Members"/> lists the first ones (bounded),
/// <see cref="Reach"/> sums the members' followers. <see cref="ClosedAt"/>: its handoff was resolved
/// then, so a later copy opens a new one.
/// </summary>
public sealed record Incident(
    string Id,
    string Brand,
    int Count,
    long Reach,
    IReadOnlyList<IncidentMember> Members,
    DateTimeOffset FirstPostedAt,
    DateTimeOffset LastPostedAt,
    IReadOnlyList<DateTimeOffset> RecentPostedAt,
    IncidentSurge? Surge,
    string Representative,
    DateTimeOffset? ClosedAt = null)
{
    /// <summary>The handoff that carries the incident.</summary>
    public string HandoffId => Id;
}

public enum IncidentRole
{
    /// <summary>Not grouped (incidents off, a text too short to compare, or a tier that does not open incidents and nothing to join).</summary>
    None,

    /// <summary>The mention opened the incident: its own handoff carries it.</summary>
    Leads,

    /// <summary>The mention is a member of another mention's incident: no handoff of its own.</summary>
    Joined,
}

/// <summary>What grouping decided for one mention; the same on every delivery of it.</summary>
/// <param name="Role">Alone, leading its incident, or a member of another's.</param>
/// <param name="HandoffId">The handoff the mention is part of: its own unless it joined.</param>
/// <param name="Partition">The incident's partition in <c>Incidents</c> (null when alone).</param>
/// <param name="JoinedNow">True for the one delivery that added the mention to the incident.</param>
public sealed record IncidentDecision(IncidentRole Role, string HandoffId, string? Partition = null, bool JoinedNow = false)
{
    public static IncidentDecision Alone(string handoffId) => new(IncidentRole.None, handoffId);
}
