using Azure.Data.Tables;

namespace SocialHandoff.Core.Storage;

/// <summary>Limits of Azure Table storage that writers must cut their work to.</summary>
public static class TableLimits
{
    /// <summary>Entities one entity-group transaction may hold (all in one partition).</summary>
    public const int MaxTransactionEntities = 100;

    /// <summary>
    /// What a group commit puts in one transaction, at most: 3 MiB by <see cref="WorstCaseBytes"/>, under
    /// the 4 MiB a transaction's payload may be (the rest for the multipart framing of up to 100 parts).
    /// </summary>
    public const long MaxTransactionBytes = 3L * 1024 * 1024;

    /// <summary>
    /// An entity's size in a transaction at worst: six bytes a character of its strings (the JSON writer
    /// escapes every non-ASCII character as \uXXXX), plus room for each property's name and other values.
    /// Rows that several mentions share a transaction with are cut by it, so a batch of long texts in any
    /// script stays within the payload limit.
    /// </summary>
    public static long WorstCaseBytes(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        long bytes = 6L * (entity.PartitionKey.Length + entity.RowKey.Length) + 512;
        if (entity is TableEntity row)
        {
            foreach (var (name, value) in row)
            {
                // Binary goes as base64, which the writer does not escape.
                bytes += (6L * name.Length) + 64 + value switch
                {
                    string text => 6L * text.Length,
                    byte[] binary => 4L * ((binary.Length + 2) / 3),
                    _ => 0,
                };
            }
        }

        return bytes;
    }

    /// <summary>Whether <paramref name="actions"/> fit one transaction: at most 100 entities and <see cref="MaxTransactionBytes"/> by <see cref="WorstCaseBytes"/>.</summary>
    public static bool FitsOneTransaction(IReadOnlyCollection<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        return actions.Count <= MaxTransactionEntities && actions.Sum(a => WorstCaseBytes((ITableEntity)a.Entity)) <= MaxTransactionBytes;
    }
}
