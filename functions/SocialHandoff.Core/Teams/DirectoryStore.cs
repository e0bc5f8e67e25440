using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Teams;

/// <summary>One change of the directory as its history shows it: which revision, who, when, and what changed.</summary>
public sealed record DirectoryChange(int Revision, string Author, DateTimeOffset At, string Summary);

/// <summary>Everything the directory holds: the teams, and the people who set their availability (absent means available).</summary>
public sealed record DirectoryRows(IReadOnlyDictionary<string, DirectoryTeam> Teams, IReadOnlyDictionary<string, PersonAvailability> People)
{
    /// <summary>Teams a manager deleted: their rows stay as tombstones, so configuration does not seed them again.</summary>
    public IReadOnlySet<string> DeletedTeams { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>A team's current row as stored: the team, the row's ETag, and whether it is a deleted team's tombstone.</summary>
public sealed record StoredTeam(DirectoryTeam Team, ETag ETag, bool Deleted);

/// <summary>One change of a person's availability: which revision, the value set, who set it and when, in words.</summary>
public sealed record AvailabilityChange(int Revision, string? Availability, string Author, DateTimeOffset At, string Summary);

/// <summary>A person's own setting: available or away, with its revision and who set it when.</summary>
public sealed record PersonAvailability(string Id, string Availability, int Revision, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    public bool IsAway => Availability == DirectoryRules.Away;
}

/// <summary>The outcome of a write: stored (with the new revision), or lost to a concurrent writer (read again).</summary>
public enum DirectoryWrite
{
    Saved,
    Conflict,
}

/// <summary>
/// The table <c>Directory</c>. A team is the partition "team|&lt;name&gt;": the row "current" (its fields,
/// members as JSON, revision) and one row per saved revision ("h00000003": author, time, summary, the
/// document as saved). A person's availability is the partition "person|&lt;escaped id&gt;" laid out the
/// same way. A save is one table transaction in one partition: the current row replaced with the ETag
/// it was read with (or inserted for revision 1) and the revision's history row inserted, so a change
/// and its audit row are stored together or not at all, and of two concurrent saves one wins.
/// Auto-assignment's per-team lock rows live here too ("assign|&lt;team&gt;", see Assignment).
/// Deleting a team replaces its current row with a tombstone (<c>Deleted</c> true, the last document
/// kept) and a history row, the same way; creating it again replaces the tombstone.
/// </summary>
public sealed class DirectoryStore(StorageClients clients)
{
    public const string CurrentRowKey = "current";
    private const string TeamPrefix = "team|";
    private const string PersonPrefix = "person|";

    public static string TeamPartition(string team) => TeamPrefix + team;

    public static string PersonPartition(string id) => PersonPrefix + StorageNames.EscapeKey(id.ToLowerInvariant());

    /// <summary>
    /// The longest team document a row takes: 30,000 characters, under a table string property's
    /// 64 KiB (32,768 UTF-16 characters), with room for the history row's summary.
    /// </summary>
    public const int MaxDocumentChars = 30_000;

    /// <summary>The longest summary a history row keeps; a longer one is cut with an ellipsis.</summary>
    public const int MaxSummaryChars = 2_000;

    /// <summary>How many characters <paramref name="team"/> takes as stored (non-ASCII names are escaped, so this can be far more than their length).</summary>
    public static int DocumentChars(DirectoryTeam team) => JsonSerializer.Serialize(TeamJson.From(team), DirectoryJsonContext.Default.TeamJson).Length;

    public static string HistoryRowKey(int revision) => "h" + revision.ToString("D8", CultureInfo.InvariantCulture);

    public Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.DirectoryTable, cancellationToken);

    /// <summary>Every team's and person's current row, in one query.</summary>
    public async Task<DirectoryRows> ReadAllAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var teams = new Dictionary<string, DirectoryTeam>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var people = new Dictionary<string, PersonAvailability>(StringComparer.OrdinalIgnoreCase);
        var filter = TableClient.CreateQueryFilter($"RowKey eq {CurrentRowKey} and PartitionKey ge {PersonPrefix} and PartitionKey lt {"team}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.PartitionKey.StartsWith(TeamPrefix, StringComparison.Ordinal))
            {
                var team = ToTeam(row);
                if (IsDeleted(row))
                {
                    deleted.Add(team.Name);
                }
                else
                {
                    teams[team.Name] = team;
                }
            }
            else if (row.PartitionKey.StartsWith(PersonPrefix, StringComparison.Ordinal))
            {
                var person = ToPerson(row);
                people[person.Id] = person;
            }
        }

        return new DirectoryRows(teams, people) { DeletedTeams = deleted };
    }

    /// <summary>One team's current row and its storage ETag; null when the team is not in the directory (or was deleted).</summary>
    public async Task<(DirectoryTeam Team, ETag ETag)?> ReadTeamAsync(string team, CancellationToken cancellationToken) =>
        await ReadTeamRowAsync(team, cancellationToken).ConfigureAwait(false) is { Deleted: false } stored ? (stored.Team, stored.ETag) : null;

    /// <summary>One team's current row, a deleted team's tombstone included; null when the directory never held it.</summary>
    public async Task<StoredTeam?> ReadTeamRowAsync(string team, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TeamPartition(team), CurrentRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? new StoredTeam(ToTeam(row.Value!), row.Value!.ETag, IsDeleted(row.Value!)) : null;
    }

    public async Task<(PersonAvailability Person, ETag ETag)?> ReadPersonAsync(string id, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PersonPartition(id), CurrentRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? (ToPerson(row.Value!), row.Value!.ETag) : null;
    }

    /// <summary>
    /// Stores <paramref name="team"/> as its revision (1 inserts; later ones replace the row read with
    /// <paramref name="etag"/>) with its history row; with <paramref name="deleted"/>, as the team's tombstone.
    /// </summary>
    public async Task<DirectoryWrite> SaveTeamAsync(DirectoryTeam team, ETag? etag, string summary, CancellationToken cancellationToken, bool deleted = false)
    {
        ArgumentNullException.ThrowIfNull(team);
        var partition = TeamPartition(team.Name);
        var document = JsonSerializer.Serialize(TeamJson.From(team), DirectoryJsonContext.Default.TeamJson);
        var current = new TableEntity(partition, CurrentRowKey)
        {
            ["Team"] = team.Name,
            ["Document"] = document,
            ["Revision"] = team.Revision,
            ["UpdatedBy"] = team.UpdatedBy,
            ["UpdatedAt"] = team.UpdatedAt,
            ["Deleted"] = deleted ? true : null,
        };
        var history = History(partition, team.Revision, team.UpdatedBy ?? "", team.UpdatedAt ?? DateTimeOffset.UnixEpoch, summary, document);
        return await SubmitAsync(current, etag, history, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores a person's availability as its revision, with its history row.</summary>
    public async Task<DirectoryWrite> SavePersonAsync(PersonAvailability person, ETag? etag, string summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        var partition = PersonPartition(person.Id);
        var current = new TableEntity(partition, CurrentRowKey)
        {
            ["Person"] = person.Id,
            ["Availability"] = person.Availability,
            ["Revision"] = person.Revision,
            ["UpdatedBy"] = person.UpdatedBy,
            ["UpdatedAt"] = person.UpdatedAt,
        };
        var history = History(partition, person.Revision, person.UpdatedBy ?? "", person.UpdatedAt ?? DateTimeOffset.UnixEpoch, summary, null);
        history["Availability"] = person.Availability;
        return await SubmitAsync(current, etag, history, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A person's availability changes, newest first (the value is null on rows written before it was kept).</summary>
    public async Task<IReadOnlyList<AvailabilityChange>> PersonHistoryAsync(string id, int max, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<AvailabilityChange>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PersonPartition(id)} and RowKey ge {"h"} and RowKey lt {"i"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Revision", "Availability", "Author", "At", "Summary"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            changes.Add(new AvailabilityChange(row.GetInt32("Revision") ?? 0, row.GetString("Availability"), row.GetString("Author") ?? "", row.GetDateTimeOffset("At") ?? DateTimeOffset.UnixEpoch, row.GetString("Summary") ?? ""));
        }

        return changes.OrderByDescending(c => c.Revision).Take(max).ToList();
    }

    /// <summary>A team's saved revisions, newest first.</summary>
    public async Task<IReadOnlyList<DirectoryChange>> TeamHistoryAsync(string team, int max, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<DirectoryChange>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TeamPartition(team)} and RowKey ge {"h"} and RowKey lt {"i"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Revision", "Author", "At", "Summary"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            changes.Add(new DirectoryChange(row.GetInt32("Revision") ?? 0, row.GetString("Author") ?? "", row.GetDateTimeOffset("At") ?? DateTimeOffset.UnixEpoch, row.GetString("Summary") ?? ""));
        }

        return changes.OrderByDescending(c => c.Revision).Take(max).ToList();
    }

    private static TableEntity History(string partition, int revision, string author, DateTimeOffset at, string summary, string? document) => new(partition, HistoryRowKey(revision))
    {
        ["Revision"] = revision,
        ["Author"] = author,
        ["At"] = at,
        ["Summary"] = summary.Length <= MaxSummaryChars ? summary : summary[..(MaxSummaryChars - 1)] + "…",
        ["Document"] = document,
    };

    private async Task<DirectoryWrite> SubmitAsync(TableEntity current, ETag? etag, TableEntity history, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var write = etag is { } tag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, current, tag)
            : new TableTransactionAction(TableTransactionActionType.Add, current);
        try
        {
            await table.SubmitTransactionAsync([write, new TableTransactionAction(TableTransactionActionType.Add, history)], cancellationToken).ConfigureAwait(false);
            return DirectoryWrite.Saved;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another save took this revision (or the row moved since it was read): nothing of ours is stored.
            return DirectoryWrite.Conflict;
        }
    }

    private static bool IsDeleted(TableEntity row) => row.GetBoolean("Deleted") == true;

    private static DirectoryTeam ToTeam(TableEntity row)
    {
        var json = JsonSerializer.Deserialize(row.GetString("Document") ?? "{}", DirectoryJsonContext.Default.TeamJson) ?? new TeamJson();
        var name = row.GetString("Team") ?? row.PartitionKey[TeamPrefix.Length..];
        return new DirectoryTeam(
            name,
            string.IsNullOrEmpty(json.DisplayName) ? name : json.DisplayName,
            json.Calendar,
            json.DefaultPolicy,
            json.Notify ?? [],
            json.AutoAssign ?? DirectoryRules.AutoAssignOff,
            (json.Members ?? []).Select(m => new DirectoryMember(m.Id, m.Name ?? m.Id, m.Role ?? DirectoryRules.RoleAgent, m.Capacity)).ToList(),
            row.GetInt32("Revision") ?? 1,
            row.GetString("UpdatedBy"),
            row.GetDateTimeOffset("UpdatedAt"));
    }

    private static PersonAvailability ToPerson(TableEntity row) => new(
        row.GetString("Person") ?? row.PartitionKey[PersonPrefix.Length..],
        row.GetString("Availability") == DirectoryRules.Away ? DirectoryRules.Away : DirectoryRules.Available,
        row.GetInt32("Revision") ?? 1,
        row.GetString("UpdatedBy"),
        row.GetDateTimeOffset("UpdatedAt"));
}

/// <summary>A team's fields as stored in its row's Document column.</summary>
internal sealed record TeamJson
{
    public string? DisplayName { get; init; }

    public string? Calendar { get; init; }

    public string? DefaultPolicy { get; init; }

    public List<string>? Notify { get; init; }

    public string? AutoAssign { get; init; }

    public List<MemberJson>? Members { get; init; }

    public static TeamJson From(DirectoryTeam team) => new()
    {
        DisplayName = team.DisplayName,
        Calendar = team.Calendar,
        DefaultPolicy = team.DefaultPolicy,
        Notify = [.. team.Notify],
        AutoAssign = team.AutoAssign,
        Members = team.Members.Select(m => new MemberJson(m.Id, m.Name, m.Role, m.Capacity)).ToList(),
    };
}

internal sealed record MemberJson(string Id, string? Name, string? Role, int Capacity);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TeamJson))]
internal sealed partial class DirectoryJsonContext : JsonSerializerContext
{
}
