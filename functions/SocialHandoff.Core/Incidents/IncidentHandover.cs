using Microsoft.Extensions.Logging;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Core.Incidents;

/// <summary>What a hand-over left: the member whose handoff carries the incident now (null when none could lead it and it was closed), and every member's handoff id.</summary>
public sealed record IncidentSuccession(string? SuccessorHandoffId, IReadOnlyList<string> MemberHandoffIds)
{
    public static readonly IncidentSuccession Closed = new(null, []);
}

/// <summary>
/// Copies join an incident before its leader's handoff exists (the leader is still being processed).
/// When the leader then ends without a handoff (dead-lettered, or filtered as spam on a later delivery),
/// its copies would be counted as handed off with a handoff nobody sees. So the incident passes to its
/// first surviving member (earliest posted, then by id) that can lead it: the caller hands that one off.
/// With no such member the incident is closed and later copies open their own. Idempotent and
/// resumable: the hand-over is one ETag-guarded transaction, recorded, so a repeat (a redelivered dead
/// letter, a crash midway) finds it and finishes moving the members.
/// </summary>
public sealed partial class IncidentHandover(IncidentStore store, ILogger<IncidentHandover> logger)
{
    /// <summary>Reads before giving up when copies keep joining during the hand-over.</summary>
    private const int MaxAttempts = 50;

    /// <summary>
    /// Hands over the incident <paramref name="leader"/> opened; null when it opened none (or it was
    /// closed before). <paramref name="canLead"/> says whether a member (its membership row) can be handed off
    /// in its place: its body is readable and it was not dead-lettered.
    /// </summary>
    public async Task<IncidentSuccession?> HandOverAsync(MentionMessage leader, string reason, Func<IncidentStore.Membership, CancellationToken, Task<bool>> canLead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leader);
        ArgumentNullException.ThrowIfNull(canLead);
        var partition = IncidentStore.BrandPartition(leader.Query);
        var incidentId = HandoffIds.For(leader.Key);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (ended, recorded) = await store.GetOrSuccessorAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
            if (ended is null)
            {
                return recorded is null ? null : await FinishAsync(partition, incidentId, recorded, cancellationToken).ConfigureAwait(false);
            }

            var members = await store.MembersAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
            var leaderRow = members.FirstOrDefault(m => m.MemberHandoffId == incidentId);
            var survivors = members
                .Where(m => m.MemberHandoffId != incidentId)
                .OrderBy(m => m.PostedAt)
                .ThenBy(m => m.MemberHandoffId, StringComparer.Ordinal)
                .ToList();
            IncidentStore.Membership? next = null;
            foreach (var member in survivors)
            {
                if (await canLead(member, cancellationToken).ConfigureAwait(false))
                {
                    next = member;
                    break;
                }
            }

            var successor = next is null ? null : IncidentRules.Succeed(ended.Incident, next.MemberHandoffId, survivors.Select(s => s.PostedAt).ToList(), leader);
            var bands = successor is null ? [] : await store.BandsOfAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
            if (!await store.TryHandOverAsync(partition, ended, leaderRow?.RowKey, successor, bands, survivors, reason, cancellationToken).ConfigureAwait(false))
            {
                // A copy joined (or took a band) meanwhile: read again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 + (attempt * 5))), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (successor is null)
            {
                LogClosed(incidentId, leader.Key, survivors.Count, reason);
                return IncidentSuccession.Closed;
            }

            LogHandedOver(incidentId, leader.Key, successor.Id, successor.Count, reason);
            return await FinishAsync(partition, incidentId, successor.Id, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"Incident {incidentId}: copies kept joining during the hand-over after {MaxAttempts} attempts; the caller's retry resumes it.");
    }

    /// <summary>Moves the members still pointing at the ended incident and lists the successor's members.</summary>
    private async Task<IncidentSuccession> FinishAsync(string partition, string endedId, string successorId, CancellationToken cancellationToken)
    {
        var left = await store.MembersAsync(partition, endedId, cancellationToken).ConfigureAwait(false);
        await store.MoveMembersAsync(partition, left.Where(m => m.MemberHandoffId != endedId).ToList(), successorId, cancellationToken).ConfigureAwait(false);
        var members = await store.MembersAsync(partition, successorId, cancellationToken).ConfigureAwait(false);
        return new IncidentSuccession(successorId, [.. members.Select(m => m.MemberHandoffId)]);
    }

    [LoggerMessage(EventId = 1773, EventName = "IncidentHandedOver", Level = LogLevel.Warning, Message = "Incident {IncidentId}: its leader {LeaderKey} ended without a handoff ({Reason}); handed over to {SuccessorId} with {Count} mentions")]
    private partial void LogHandedOver(string incidentId, string leaderKey, string successorId, int count, string reason);

    [LoggerMessage(EventId = 1774, EventName = "IncidentClosed", Level = LogLevel.Warning, Message = "Incident {IncidentId}: its leader {LeaderKey} ended without a handoff ({Reason}) and none of its {Members} other members can lead it; closed, later copies open their own")]
    private partial void LogClosed(string incidentId, string leaderKey, int members, string reason);
}
