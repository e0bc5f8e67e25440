using System.Globalization;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Assignment;

/// <summary>An unclaimed open handoff waiting for someone: what ordering needs, and the revision it was seen at.</summary>
public sealed record WaitingItem(string Id, int Revision, string Priority, DateTimeOffset? DueAt, DateTimeOffset CreatedAt);

/// <summary>A member who might take work: their open claims in the team now, their capacity, and whether they are away.</summary>
public sealed record Candidate(string Id, string Name, int Capacity, int Load, bool Away)
{
    public bool HasRoom => !Away && Load < Capacity;
}

/// <summary>One assignment to make, and the reason the audit event records ("auto-assigned, least-loaded 1/2").</summary>
public sealed record AssignmentChoice(WaitingItem Item, Candidate Member, string Why);

/// <summary>
/// Who gets what, pure. Items go most urgent first: priority (P1 first), then the next due time, then
/// the oldest. A member takes work only when available and under capacity. Least-loaded picks the
/// member with the fewest open claims (ties: the one after the last assigned, in the team's order);
/// round-robin the next member with room after the last assigned.
/// </summary>
public static class AssignmentPlanner
{
    public static IReadOnlyList<WaitingItem> Order(IEnumerable<WaitingItem> items) => items
        .OrderBy(i => PriorityRank(i.Priority))
        .ThenBy(i => i.DueAt ?? DateTimeOffset.MaxValue)
        .ThenBy(i => i.CreatedAt)
        .ThenBy(i => i.Id, StringComparer.Ordinal)
        .ToList();

    /// <summary>The next assignment for the first of <paramref name="ordered"/> items, or null when nobody has room (or nothing waits).</summary>
    public static AssignmentChoice? Next(string mode, IReadOnlyList<WaitingItem> ordered, IReadOnlyList<Candidate> members, string? lastAssigned)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(members);
        if (ordered.Count == 0 || mode == DirectoryRules.AutoAssignOff)
        {
            return null;
        }

        // Members in turn after the last one assigned, so ties and round-robin both rotate.
        var start = lastAssigned is null ? 0 : IndexOf(members, lastAssigned) + 1;
        var rotation = Enumerable.Range(0, members.Count).Select(i => members[(start + i) % members.Count]).Where(m => m.HasRoom).ToList();
        if (rotation.Count == 0)
        {
            return null;
        }

        var chosen = mode == DirectoryRules.AutoAssignLeastLoaded ? rotation.OrderBy(m => m.Load).First() : rotation[0];
        var why = string.Create(CultureInfo.InvariantCulture, $"auto-assigned, {mode} {chosen.Load + 1}/{chosen.Capacity}");
        return new AssignmentChoice(ordered[0], chosen, why);
    }

    private static int IndexOf(IReadOnlyList<Candidate> members, string id)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (string.Equals(members[i].Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static int PriorityRank(string priority) => priority is { Length: 2 } && priority[0] == 'P' && char.IsAsciiDigit(priority[1]) ? priority[1] - '0' : 9;
}
