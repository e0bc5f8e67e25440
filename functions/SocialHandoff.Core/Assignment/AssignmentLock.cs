using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Teams;

namespace SocialHandoff.Core.Assignment;

/// <summary>A held lock of one team's assignment, with the row's ETag after our last write and the member assigned last (round-robin's place).</summary>
public sealed class AssignmentLease(string team, string holder)
{
    public string Team { get; } = team;

    public string Holder { get; } = holder;

    public ETag ETag { get; set; }

    public string? LastAssigned { get; set; }
}

/// <summary>
/// One assigner per team at a time, across instances: the row "assign|&lt;team&gt;"/"lock" of table
/// <c>Directory</c>, taken and given back with its ETag. A trigger that finds it held (and its lease not
/// run out) sets <c>Rerun</c> instead of waiting; the holder sees that when it gives the lock back and
/// runs another pass, so no trigger is lost and no two passes count the same loads. A holder that
/// crashed loses the lock after <see cref="LeaseFor"/>.
/// </summary>
public sealed class AssignmentLock(DirectoryStore store, TimeProvider timeProvider)
{
    /// <summary>How long a holder may keep the lock without giving it back: 2 minutes, far more than a pass (a few storage calls per assignment).</summary>
    public static readonly TimeSpan LeaseFor = TimeSpan.FromMinutes(2);

    private const string RowKey = "lock";

    public static string Partition(string team) => "assign|" + team;

    /// <summary>Takes the lock, or asks its holder to run again and returns null.</summary>
    public async Task<AssignmentLease?> TryAcquireAsync(string team, CancellationToken cancellationToken)
    {
        var table = await store.TableAsync(cancellationToken).ConfigureAwait(false);
        var lease = new AssignmentLease(team, Guid.NewGuid().ToString("N"));
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            var read = await table.GetEntityIfExistsAsync<TableEntity>(Partition(team), RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                if (!read.HasValue)
                {
                    var added = await table.AddEntityAsync(Row(team, lease.Holder, now + LeaseFor, rerun: false, null), cancellationToken).ConfigureAwait(false);
                    lease.ETag = added.Headers.ETag ?? default;
                    return lease;
                }

                var row = read.Value!;
                lease.LastAssigned = NullIfEmpty(row.GetString("LastAssigned"));
                if (!string.IsNullOrEmpty(row.GetString("Holder")) && row.GetDateTimeOffset("Until") is { } until && until > now)
                {
                    if (row.GetBoolean("Rerun") != true)
                    {
                        await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, RowKey) { ["Rerun"] = true }, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                    }

                    return null;
                }

                var taken = await table.UpdateEntityAsync(Row(team, lease.Holder, now + LeaseFor, rerun: false, lease.LastAssigned), row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                lease.ETag = taken.Headers.ETag ?? default;
                return lease;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // The row moved between our read and write: look again.
            }
        }
    }

    /// <summary>
    /// Gives the lock back; true when a trigger asked for another pass meanwhile (the lock is then still
    /// ours, its lease renewed), false when it was given back (or was no longer ours).
    /// </summary>
    public async Task<bool> ReleaseOrRerunAsync(AssignmentLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var table = await store.TableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            try
            {
                await table.UpdateEntityAsync(Row(lease.Team, "", timeProvider.GetUtcNow(), rerun: false, lease.LastAssigned), lease.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return false;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
            }

            var read = await table.GetEntityIfExistsAsync<TableEntity>(Partition(lease.Team), RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!read.HasValue || read.Value!.GetString("Holder") != lease.Holder)
            {
                return false;
            }

            if (read.Value.GetBoolean("Rerun") == true)
            {
                try
                {
                    var renewed = await table.UpdateEntityAsync(Row(lease.Team, lease.Holder, timeProvider.GetUtcNow() + LeaseFor, rerun: false, lease.LastAssigned), read.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    lease.ETag = renewed.Headers.ETag ?? default;
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue;
                }
            }

            lease.ETag = read.Value.ETag;
        }
    }

    /// <summary>Gives the lock back whatever was asked meanwhile (after a failed pass: the next trigger or sweep runs again).</summary>
    public async Task ReleaseAsync(AssignmentLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var table = await store.TableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(Partition(lease.Team), RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!read.HasValue || read.Value!.GetString("Holder") != lease.Holder)
            {
                return;
            }

            try
            {
                await table.UpdateEntityAsync(Row(lease.Team, "", timeProvider.GetUtcNow(), rerun: false, lease.LastAssigned), read.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
            }
        }
    }

    private static TableEntity Row(string team, string holder, DateTimeOffset until, bool rerun, string? lastAssigned) => new(Partition(team), RowKey)
    {
        ["Holder"] = holder,
        ["Until"] = until,
        ["Rerun"] = rerun,
        ["LastAssigned"] = lastAssigned ?? "",
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
