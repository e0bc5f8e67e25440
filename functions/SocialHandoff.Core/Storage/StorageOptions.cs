using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Storage;

/// <summary>
/// Where the queues and tables live. Either a connection string (Azurite, or a key-based account) or
/// the two service URIs with managed identity (<c>DefaultAzureCredential</c>); never both.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>A storage connection string. Empty in Azure, where managed identity is used.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Queue service endpoint (https://account.queue.core.windows.net) for managed identity.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>Table service endpoint (https://account.table.core.windows.net) for managed identity.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Create missing queues and tables on first use. Default true; Bicep creates them in Azure anyway.</summary>
    public bool CreateIfMissing { get; set; } = true;
}

internal sealed class StorageOptionsRules : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        var hasUris = options.QueueServiceUri is not null || options.TableServiceUri is not null;
        if (hasConnectionString && hasUris)
        {
            return ValidateOptionsResult.Fail(
                "Set either Storage:ConnectionString or Storage:QueueServiceUri and Storage:TableServiceUri (managed identity), not both.");
        }

        if (!hasConnectionString && (options.QueueServiceUri is null || options.TableServiceUri is null))
        {
            return ValidateOptionsResult.Fail(
                "Storage is not configured: set Storage:ConnectionString, or both Storage:QueueServiceUri and Storage:TableServiceUri for managed identity.");
        }

        return ValidateOptionsResult.Success;
    }
}
