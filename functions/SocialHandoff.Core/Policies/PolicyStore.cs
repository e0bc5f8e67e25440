using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Sla;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Core.Policies;

/// <summary>The two documents managers own. The value is the PartitionKey of their rows in <c>Configuration</c>.</summary>
public static class PolicyDocuments
{
    public const string Rules = "rules";
    public const string Sla = "sla";
}

/// <summary>One saved version of a document: its number, who saved it and when.</summary>
public sealed record PolicyVersionInfo(int Version, string Author, DateTimeOffset? SavedAt);

/// <summary>The outcome of a save: the new version, or every validation error (nothing was written), or a lost race.</summary>
public sealed record PolicySaveResult(bool Saved, int Version, IReadOnlyList<string> Errors, bool Conflict)
{
    public static PolicySaveResult Invalid(IReadOnlyList<string> errors) => new(false, 0, errors, false);
}

/// <summary>
/// The table <c>Configuration</c>: per document (PartitionKey "rules" or "sla") one row per version
/// (RowKey v0000000001: JSON body, version, author, savedAt), never changed once written, plus the
/// row "current" naming the version in force. A save validates first, then in one table transaction
/// (one partition) inserts the next version row and moves "current" with its ETag (or inserts it for
/// version 1): of two saves from the same version exactly one wins; the other gets a conflict and
/// nothing of it is stored.
/// </summary>
public sealed class PolicyStore(StorageClients clients, TimeProvider timeProvider)
{
    public const string CurrentRowKey = "current";
    internal const int BodyChunkChars = 30_000;

    /// <summary>Body columns a version row may use: 15 of 30,000 characters (60 KB each) keep the row well inside a table entity's 1 MiB.</summary>
    internal const int MaxBodyChunks = 15;

    public static string VersionRowKey(int version) => "v" + version.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>Validates with <see cref="RuleEngine.Validate"/>; saves as the next version when valid.</summary>
    public Task<PolicySaveResult> SaveRulesAsync(RuleSet rules, string author, int? expectedCurrentVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var errors = RuleEngine.Validate(rules).Select(e => e.ToString()).ToList();
        return errors.Count > 0
            ? Task.FromResult(PolicySaveResult.Invalid(errors))
            : SaveAsync(PolicyDocuments.Rules, expectedCurrentVersion, (version, at) => JsonSerializer.Serialize(rules with { Version = version, Author = author, SavedAt = at }, PolicyJsonContext.Default.RuleSet), author, cancellationToken);
    }

    /// <summary>Validates with <see cref="SlaPolicyBook.Validate"/>; saves as the next version when valid.</summary>
    public Task<PolicySaveResult> SaveSlaAsync(SlaPolicySet policies, string author, int? expectedCurrentVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var errors = SlaPolicyBook.Validate(policies);
        return errors.Count > 0
            ? Task.FromResult(PolicySaveResult.Invalid(errors))
            : SaveAsync(PolicyDocuments.Sla, expectedCurrentVersion, (version, at) => JsonSerializer.Serialize(policies with { Version = version, Author = author, SavedAt = at }, PolicyJsonContext.Default.SlaPolicySet), author, cancellationToken);
    }

    /// <summary>The version in force (one point read), or null before the first save.</summary>
    public async Task<int?> GetCurrentVersionAsync(string document, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(document, CurrentRowKey, ["Version"], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetInt32("Version") : null;
    }

    /// <summary>The newest <paramref name="max"/> saved versions of a document (number, author, time), newest first; bodies are not read.</summary>
    public async Task<IReadOnlyList<PolicyVersionInfo>> ListVersionsAsync(string document, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<PolicyVersionInfo>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {document} and RowKey ge {"v"} and RowKey lt {"w"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Version", "Author", "SavedAt"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.GetInt32("Version") is int version)
            {
                versions.Add(new PolicyVersionInfo(version, row.GetString("Author") ?? "", row.GetDateTimeOffset("SavedAt")));
            }
        }

        // Row keys sort oldest first; the history reads newest first.
        return [.. versions.OrderByDescending(v => v.Version).Take(max)];
    }

    public async Task<RuleSet?> GetRulesAsync(int version, CancellationToken cancellationToken) =>
        await GetBodyAsync(PolicyDocuments.Rules, version, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, PolicyJsonContext.Default.RuleSet)
            : null;

    public async Task<SlaPolicySet?> GetSlaAsync(int version, CancellationToken cancellationToken) =>
        await GetBodyAsync(PolicyDocuments.Sla, version, cancellationToken).ConfigureAwait(false) is { } body
            ? JsonSerializer.Deserialize(body, PolicyJsonContext.Default.SlaPolicySet)
            : null;

    private async Task<string?> GetBodyAsync(string document, int version, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(document, VersionRowKey(version), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return null;
        }

        var builder = new StringBuilder();
        for (var i = 0; i < (row.Value!.GetInt32("BodyChunks") ?? 0); i++)
        {
            builder.Append(row.Value.GetString("Body" + i.ToString(CultureInfo.InvariantCulture)));
        }

        return builder.ToString();
    }

    private async Task<PolicySaveResult> SaveAsync(string document, int? expectedCurrentVersion, Func<int, DateTimeOffset, string> serialize, string author, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(document, CurrentRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        var currentVersion = current.HasValue ? current.Value!.GetInt32("Version") ?? 0 : 0;
        if (expectedCurrentVersion is int expected && expected != currentVersion)
        {
            return new PolicySaveResult(false, currentVersion, [$"the {document} document is at version {currentVersion}, not {expected}: reload and save again."], true);
        }

        var version = currentVersion + 1;
        var savedAt = timeProvider.GetUtcNow();
        var body = serialize(version, savedAt);
        if (body.Length > MaxBodyChunks * BodyChunkChars)
        {
            // Storage would refuse the row; say so in the manager's terms (non-ASCII text is stored escaped, up to six characters each).
            return PolicySaveResult.Invalid([$"the {document} document is too large to store ({body.Length:N0} characters as stored, at most {MaxBodyChunks * BodyChunkChars:N0}); shorten it."]);
        }
        var row = new TableEntity(document, VersionRowKey(version))
        {
            ["Version"] = version,
            ["Author"] = author,
            ["SavedAt"] = savedAt,
            ["BodyChunks"] = (body.Length + BodyChunkChars - 1) / BodyChunkChars,
        };
        for (var i = 0; i * BodyChunkChars < body.Length; i++)
        {
            row["Body" + i.ToString(CultureInfo.InvariantCulture)] = body.Substring(i * BodyChunkChars, Math.Min(BodyChunkChars, body.Length - (i * BodyChunkChars)));
        }

        var pointer = new TableEntity(document, CurrentRowKey) { ["Version"] = version, ["Author"] = author, ["SavedAt"] = savedAt };
        TableTransactionAction move = current.HasValue
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, pointer, current.Value!.ETag)
            : new TableTransactionAction(TableTransactionActionType.Add, pointer);
        try
        {
            await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, row), move], cancellationToken).ConfigureAwait(false);
            return new PolicySaveResult(true, version, [], false);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return new PolicySaveResult(false, currentVersion, [$"another save of the {document} document won the race for version {version}: reload and save again."], true);
        }
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) => clients.GetTableAsync(StorageNames.ConfigurationTable, cancellationToken);
}

// RespectNullableAnnotations: a manager's "rules": null is a JSON error naming the field, not a null the engine trips over.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, WriteIndented = false, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(RuleSet))]
[JsonSerializable(typeof(SlaPolicySet))]
[JsonSerializable(typeof(RuleTryInput))]
public sealed partial class PolicyJsonContext : JsonSerializerContext
{
}
