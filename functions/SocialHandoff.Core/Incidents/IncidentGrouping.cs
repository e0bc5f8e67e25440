using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Ingestion;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Telemetry;
using SocialHandoff.Core.Work;

namespace SocialHandoff.Core.Incidents;

/// <summary>
/// Groups near-duplicate mentions of a brand into incidents as they are processed. For each mention:
/// one query finds whether it is a member already (a redelivery: the decision stands) and which
/// incidents share a signature band with it; the most similar one within the window whose handoff is
/// not resolved is joined (membership insert + the incident's ETag update, one transaction); otherwise
/// the mention opens an incident of its own, indexed under its bands, in one transaction too. A
/// conflict (another worker opened or joined first) means look again, so concurrent copies end in one
/// incident with every member counted once. The incident whose copies surge gets its handoff raised one
/// priority step, once, with the reason in its audit event.
/// </summary>
public sealed partial class IncidentGrouping(
    IncidentStore store,
    IncidentCache cache,
    HandoffWork work,
    Handoffs.HandoffStore handoffs,
    IOptions<IncidentOptions> options,
    TimeProvider timeProvider,
    ILogger<IncidentGrouping> logger)
{
    /// <summary>Who raises a handoff on a surge, as the audit event names it.</summary>
    public static readonly Caller Pipeline = new("pipeline", [Caller.AdminRole]);

    /// <summary>Looks before giving up (a lost race costs one look; 50 concurrent copies need far fewer than this each).</summary>
    private const int MaxAttempts = 200;

    private readonly IncidentOptions _options = options.Value;
    private readonly IReadOnlySet<string> _excludedTiers = options.Value.ExcludedTierSet();

    /// <summary>
    /// Decides which handoff a mention is part of: its own (<paramref name="ownHandoffId"/>; alone or
    /// leading an incident) or an incident's. Idempotent: every delivery of a mention gets the same answer,
    /// and only one of them (<see cref="IncidentDecision.JoinedNow"/>) counts it. <paramref name="ledger"/>
    /// makes the mention's ledger columns, stored on its membership row when it joins (made only then).
    /// </summary>
    public async Task<IncidentDecision> JoinAsync(
        MentionMessage mention, string tier, string ownHandoffId, CancellationToken cancellationToken, GroupCommitTicket? expected = null, Func<IReadOnlyDictionary<string, object?>>? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(mention);
        if (!_options.Enabled)
        {
            return IncidentDecision.Alone(ownHandoffId);
        }

        var normalized = NearDuplicates.Normalize(mention.Text);
        if (normalized.Length < _options.MinTextChars)
        {
            return IncidentDecision.Alone(ownHandoffId);
        }

        var shingles = NearDuplicates.Shingles(normalized);
        var bands = NearDuplicates.BandKeys(shingles);
        var partition = IncidentStore.BrandPartition(mention.Query);
        var member = new IncidentMember(mention.Key, mention.Author.Handle ?? mention.Author.Name, mention.Url, mention.PostedAt);
        var similarity = new Dictionary<string, double>(StringComparer.Ordinal);
        var excluded = _excludedTiers.Contains(tier);
        var lookInTable = false;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // The first look is in this instance's memory; after a conflict, or when memory cannot settle it, in the table.
            var fromMemory = attempt == 0 && !lookInTable;
            if (attempt > 0 && !lookInTable)
            {
                // Lost a race: let the winner's writes land, spread out so the losers do not collide again in step.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + Math.Min(attempt, 20) * 2)), cancellationToken).ConfigureAwait(false);
            }

            lookInTable = false;
            // Memory needs no look in the table for a mention that may open (its open inserts the bands, and one
            // held elsewhere fails it); one that opens nothing must see what any instance opened (it joins one of
            // any tier): memory answers for that once it has read the journal of opens (MemoryFreshness).
            var answers = fromMemory && await cache.RefreshAsync(partition, store, _options.MemoryFreshness, 2 * _options.Window, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var held = fromMemory ? cache.Held(partition, bands) : [];
            if (!fromMemory || (held.Count == 0 && excluded && !answers))
            {
                (var memberOf, held) = await store.LookUpAsync(partition, mention.Key, bands, cancellationToken).ConfigureAwait(false);
                cache.SawBands(partition, held);
                fromMemory = false;
                if (memberOf is not null)
                {
                    return await DecidedAsync(partition, memberOf, ownHandoffId, cancellationToken).ConfigureAwait(false);
                }
            }

            if (held.Any(b => b.IncidentId == ownHandoffId))
            {
                if (fromMemory)
                {
                    // Memory may predate a hand-over (the incident passed to a copy when this mention was dead-lettered or
                    // filtered): a repeat of an opener is rare, so the table settles it.
                    lookInTable = true;
                    continue;
                }

                // Its own incident (an incident's id is its leader's handoff id): a redelivery of the mention that opened it.
                return new IncidentDecision(IncidentRole.Leads, ownHandoffId, partition);
            }

            var stale = new HashSet<string>(StringComparer.Ordinal);
            var candidates = held
                .GroupBy(b => b.IncidentId, StringComparer.Ordinal)
                .Select(g => (Id: g.Key, Coverage: similarity.TryGetValue(g.Key, out var c) ? c : similarity[g.Key] = Judge(normalized, g.First().Representative)))
                .Where(c => c.Coverage >= 0)
                .OrderByDescending(c => c.Coverage)
                .ThenBy(c => c.Id, StringComparer.Ordinal);
            var lostRace = false;
            foreach (var (id, _) in candidates)
            {
                var outcome = await TryJoinAsync(partition, id, member, mention.Author.Followers, cancellationToken, expected, ledger).ConfigureAwait(false);
                if (outcome == JoinOutcome.Joined)
                {
                    LogJoined(mention.Key, id, partition);
                    SocialHandoffTelemetry.IncidentJoins.Add(1, new TagList { { SocialHandoffTelemetry.Tags.Source, mention.Source } });
                    return new IncidentDecision(IncidentRole.Joined, id, partition, JoinedNow: true);
                }

                if (outcome == JoinOutcome.Stale)
                {
                    stale.Add(id);
                    continue;
                }

                lostRace = true;
                break;
            }

            if (lostRace)
            {
                continue;
            }

            if (excluded)
            {
                if (fromMemory && !answers)
                {
                    // Memory knew only incidents that cannot take it: the table may hold one another instance opened.
                    lookInTable = true;
                    continue;
                }

                // Nothing to join, and this kind of mention does not open incidents.
                return IncidentDecision.Alone(ownHandoffId);
            }

            var byBand = held.ToDictionary(b => b.RowKey, StringComparer.Ordinal);
            var claimed = new List<(string, IncidentStore.Band?)>();
            var unknownETag = false;
            foreach (var band in bands)
            {
                if (!byBand.TryGetValue(IncidentStore.BandRowKey(band), out var holder))
                {
                    claimed.Add((band, null));
                }
                else if (stale.Contains(holder.IncidentId))
                {
                    unknownETag |= holder.ETag == default;
                    claimed.Add((band, holder));
                }

                // A band a live, different incident holds stays its own; the others find this one.
            }

            if (unknownETag)
            {
                // Taking a stale incident's band over needs that row's ETag, which only the table gives.
                lookInTable = true;
                continue;
            }

            // Every band claimed is inserted (or replaced by its ETag): one another writer holds fails the open, and it looks again.
            var incident = new Incident(
                ownHandoffId, mention.Query?.Trim().ToLowerInvariant() ?? "", 1, Math.Max(0, mention.Author.Followers ?? 0), [member],
                mention.PostedAt, mention.PostedAt, [mention.PostedAt], null, normalized);
            var (opened, etag) = await store.TryOpenAsync(partition, incident, member, claimed, timeProvider.GetUtcNow(), cancellationToken, expected).ConfigureAwait(false);
            if (opened)
            {
                cache.Opened(partition, incident, claimed.Select(c => c.Item1), etag);
                return new IncidentDecision(IncidentRole.Leads, ownHandoffId, partition);
            }

            lookInTable = fromMemory;
        }

        throw new InvalidOperationException($"Mention {mention.Key}: no stable incident decision after {MaxAttempts} attempts (storage contention); the queue retries it.");
    }

    /// <summary>
    /// Says that a delivery of <paramref name="mention"/> is on its way to <see cref="JoinAsync"/> (pass the
    /// ticket to it, and dispose of it after): the brand's opens and joins wait for it briefly, so the
    /// deliveries in flight together share a transaction. Nothing when grouping is off.
    /// </summary>
    public GroupCommitTicket Expect(MentionMessage mention)
    {
        ArgumentNullException.ThrowIfNull(mention);
        return _options.Enabled ? store.Expect(IncidentStore.BrandPartition(mention.Query)) : GroupCommitTicket.None;
    }

    /// <summary>How much of the incident's first text a copy covers; -1 when it is not a near-duplicate of it.</summary>
    private double Judge(string normalized, string representative)
    {
        var c = NearDuplicates.Compare(normalized, representative);
        return NearDuplicates.IsNearDuplicate(c, _options.SimilarityThreshold) ? c.Coverage : -1;
    }

    /// <summary>
    /// Called by the leader once its handoff exists, when its create met a copy's surge mark (or on a
    /// redelivery): a surge counted before it existed is applied now. One read of the incident; nothing
    /// for a mention that leads no incident.
    /// </summary>
    public async Task HandoffReadyAsync(IncidentDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Role == IncidentRole.Leads && decision.Partition is { } partition)
        {
            await ApplySurgeAsync(partition, decision.HandoffId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IncidentDecision> DecidedAsync(string partition, string incidentId, string ownHandoffId, CancellationToken cancellationToken)
    {
        if (incidentId == ownHandoffId)
        {
            return new IncidentDecision(IncidentRole.Leads, ownHandoffId, partition);
        }

        // A redelivery of a member: finish what the first delivery may not have (a surge).
        await ApplySurgeAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
        return new IncidentDecision(IncidentRole.Joined, incidentId, partition);
    }

    private enum JoinOutcome
    {
        Joined,
        Stale,
        LostRace,
    }

    private async Task<JoinOutcome> TryJoinAsync(
        string partition, string incidentId, IncidentMember member, long? followers, CancellationToken cancellationToken, GroupCommitTicket? expected, Func<IReadOnlyDictionary<string, object?>>? ledger)
    {
        var columns = ledger?.Invoke();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // The incident as this instance last wrote or read it: its ETag makes the join fail if it moved since.
            var stored = (attempt == 0 ? cache.Incident(partition, incidentId) : null)
                ?? await store.GetAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
            // Closed when its handoff was resolved (HandoffWork marks it, which moves its ETag): a later copy opens a new one.
            if (stored is null || stored.Incident.ClosedAt is not null || !IncidentRules.InWindow(stored.Incident, member.PostedAt, _options.Window))
            {
                cache.Forget(partition, incidentId);
                return JoinOutcome.Stale;
            }

            var (joined, updated, etag, surged) = await store.TryJoinAsync(
                partition, stored, member, incident => IncidentRules.Add(incident, member, followers, _options), cancellationToken, expected, columns).ConfigureAwait(false);
            if (joined)
            {
                cache.Saw(partition, updated, etag);
                if (surged)
                {
                    LogSurge(incidentId, updated.Count, updated.Surge!.Reason);
                    SocialHandoffTelemetry.IncidentSurges.Add(1);
                    await ApplySurgeAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
                }

                return JoinOutcome.Joined;
            }

            // The incident moved (another copy joined) or this mention became a member meanwhile.
            cache.Forget(partition, incidentId);
            var (memberOf, _) = await store.LookUpAsync(partition, member.MentionKey, [], cancellationToken).ConfigureAwait(false);
            if (memberOf is not null)
            {
                return JoinOutcome.LostRace;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + Math.Min(attempt, 20) * 2)), cancellationToken).ConfigureAwait(false);
        }

        return JoinOutcome.LostRace;
    }

    /// <summary>
    /// Raises the incident's handoff one step for its surge, once: the target is fixed on the incident
    /// first (ETag), then the handoff is raised to at least it (a repeat changes nothing), then the surge
    /// is marked applied. No handoff yet: its leader applies it when the handoff exists.
    /// </summary>
    private async Task ApplySurgeAsync(string partition, string incidentId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var stored = await store.GetAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
            if (stored?.Incident.Surge is not { Applied: false } surge)
            {
                return;
            }

            var handoff = await work.GetAsync(incidentId, cancellationToken).ConfigureAwait(false);
            if (handoff is null)
            {
                // Not created yet: the mark makes its leader apply the surge; if the leader's create came first, apply it now.
                if (await handoffs.MarkSurgePendingAsync(incidentId, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Its ETag changes with every write below: the next join here reads it again.
            cache.Forget(partition, incidentId);
            if (surge.To is null)
            {
                var fixedTarget = surge with { From = handoff.Priority, To = IncidentRules.OneStepUp(handoff.Priority) };
                if (!await store.TrySetSurgeAsync(partition, incidentId, fixedTarget, stored.ETag, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                surge = fixedTarget;
                stored = await store.GetAsync(partition, incidentId, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    return;
                }
            }

            var reason = surge.From == surge.To
                ? $"{surge.Reason}; already {surge.To}, the highest priority"
                : $"{surge.Reason}: priority raised from {surge.From} to {surge.To}";
            var outcome = await work.ApplyAsync(incidentId, new WorkCommand(WorkVerb.Raise, reason, Priority: surge.To), Pipeline, null, cancellationToken).ConfigureAwait(false);
            if (outcome.Refusal is { Status: not 409 } refusal)
            {
                LogSurgeNotApplied(incidentId, refusal.Detail);
                return;
            }

            // 409: resolved meanwhile, nothing left to raise.
            if (await store.TrySetSurgeAsync(partition, incidentId, surge with { Applied = true }, stored.ETag, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 1770, EventName = "IncidentJoined", Level = LogLevel.Information, Message = "Mention {Key} joined incident {IncidentId} ({Partition})")]
    private partial void LogJoined(string key, string incidentId, string partition);

    [LoggerMessage(EventId = 1771, EventName = "IncidentSurge", Level = LogLevel.Warning, Message = "Incident {IncidentId} surges at {Count} mentions: {Reason}")]
    private partial void LogSurge(string incidentId, int count, string reason);

    [LoggerMessage(EventId = 1772, EventName = "IncidentSurgeNotApplied", Level = LogLevel.Warning, Message = "Incident {IncidentId}: the surge's priority raise was refused: {Detail}")]
    private partial void LogSurgeNotApplied(string incidentId, string detail);
}

/// <summary>The pure rules of an incident: the window, adding a member, the surge, the one-step raise and the successor's incident.</summary>
public static class IncidentRules
{
    /// <summary>Whether a copy posted at <paramref name="postedAt"/> is within the window of the incident's first and last member.</summary>
    public static bool InWindow(Incident incident, DateTimeOffset postedAt, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return postedAt >= incident.FirstPostedAt - window && postedAt <= incident.LastPostedAt + window;
    }

    /// <summary>The incident with one more member: count and reach up, listed while there is room, the posting span and recent times; <c>Surged</c> when this member makes the surge.</summary>
    public static (Incident Updated, bool Surged) Add(Incident incident, IncidentMember member, long? followers, IncidentOptions options)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(options);
        // The latest posting times (copies can arrive out of order): enough to find any SurgeCount of them within the window.
        var recent = incident.RecentPostedAt.Append(member.PostedAt).Order().ToList();
        if (recent.Count > IncidentStore.MaxRecentPosted)
        {
            recent = recent[^IncidentStore.MaxRecentPosted..];
        }

        var surge = incident.Surge;
        var surged = false;
        var n = options.SurgeCount;
        for (var end = n - 1; surge is null && end < recent.Count; end++)
        {
            var span = recent[end] - recent[end - n + 1];
            if (span <= options.SurgeWindow)
            {
                surged = true;
                surge = new IncidentSurge(
                    recent[end],
                    string.Create(CultureInfo.InvariantCulture, $"incident surge: {options.SurgeCount} copies within {Describe(span < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : span)} (threshold {options.SurgeCount} within {Describe(options.SurgeWindow)})"),
                    null,
                    null,
                    false);
            }
        }

        var members = incident.Members.Count < options.MaxMembersListed ? [.. incident.Members, member] : incident.Members;
        return (incident with
        {
            Count = incident.Count + 1,
            Reach = incident.Reach + Math.Max(0, followers ?? 0),
            Members = members,
            FirstPostedAt = member.PostedAt < incident.FirstPostedAt ? member.PostedAt : incident.FirstPostedAt,
            LastPostedAt = member.PostedAt > incident.LastPostedAt ? member.PostedAt : incident.LastPostedAt,
            RecentPostedAt = recent,
            Surge = surge,
        }, surged);
    }

    /// <summary>
    /// The incident as its successor leads it once <paramref name="leader"/> ended without a handoff:
    /// under the successor's id, without the leader (its count, reach, listing and posting time), the
    /// posting span of the members left (<paramref name="survivorsPostedAt"/>, the successor's among
    /// them); the first text stays the representative, as the bands were cut from it; a surge not yet
    /// applied stays to be applied to the successor's handoff.
    /// </summary>
    public static Incident Succeed(Incident ended, string successorId, IReadOnlyList<DateTimeOffset> survivorsPostedAt, MentionMessage leader)
    {
        ArgumentNullException.ThrowIfNull(ended);
        ArgumentNullException.ThrowIfNull(survivorsPostedAt);
        ArgumentNullException.ThrowIfNull(leader);
        var leaderListed = ended.Members.FirstOrDefault(m => m.MentionKey == Storage.StoredText.Cap(leader.Key, 200) && m.PostedAt == leader.PostedAt);
        var recent = ended.RecentPostedAt.ToList();
        recent.Remove(leader.PostedAt);
        return ended with
        {
            Id = successorId,
            Count = survivorsPostedAt.Count,
            Reach = Math.Max(0, ended.Reach - Math.Max(0, leader.Author.Followers ?? 0)),
            Members = [.. ended.Members.Where(m => !ReferenceEquals(m, leaderListed))],
            FirstPostedAt = survivorsPostedAt.Count == 0 ? ended.FirstPostedAt : survivorsPostedAt.Min(),
            LastPostedAt = survivorsPostedAt.Count == 0 ? ended.LastPostedAt : survivorsPostedAt.Max(),
            RecentPostedAt = recent,
        };
    }

    /// <summary>One priority step up (P4 to P3 ... P2 to P1); P1 stays P1; never down.</summary>
    public static string OneStepUp(string priority) => priority switch
    {
        "P4" => "P3",
        "P3" => "P2",
        "P2" => "P1",
        _ => priority,
    };

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalMinutes % 60 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} h")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(span.TotalMinutes):0} min");
}
