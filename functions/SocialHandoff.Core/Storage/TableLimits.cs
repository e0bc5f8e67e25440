namespace SocialHandoff.Core.Storage;

/// <summary>Limits of Azure Table storage that writers must cut their work to.</summary>
public static class TableLimits
{
    /// <summary>Entities one entity-group transaction may hold (all in one partition).</summary>
    public const int MaxTransactionEntities = 100;
}
