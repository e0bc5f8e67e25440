using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Storage;

/// <summary>
/// The SDK clients, one per queue and per table, created once and shared (they are thread-safe).
/// Queue messages are base64, as the Functions queue trigger reads and writes them.
/// </summary>
public sealed class StorageClients
{
    private readonly QueueServiceClient _queues;
    private readonly QueueServiceClient _rawQueues;
    private readonly TableServiceClient _tables;
    private readonly bool _createIfMissing;
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queueClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tableClients = new(StringComparer.Ordinal);

    /// <param name="options">Validated storage options.</param>
    /// <param name="policies">Extra HTTP pipeline policies added to every client (the pipeline benchmark counts requests with one).</param>
    public StorageClients(IOptions<StorageOptions> options, IEnumerable<HttpPipelinePolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        var extraPolicies = policies.ToArray();
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64, RetryPolicy = new StorageRetryPolicy() };
        var rawQueueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None, RetryPolicy = new StorageRetryPolicy() };
        var tableOptions = new TableClientOptions { RetryPolicy = new StorageRetryPolicy() };
        foreach (var policy in extraPolicies)
        {
            queueOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
            rawQueueOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
            tableOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            _queues = new QueueServiceClient(settings.ConnectionString, queueOptions);
            _rawQueues = new QueueServiceClient(settings.ConnectionString, rawQueueOptions);
            _tables = new TableServiceClient(settings.ConnectionString, tableOptions);
        }
        else
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = string.IsNullOrWhiteSpace(settings.ManagedIdentityClientId) ? null : settings.ManagedIdentityClientId,
            });
            _queues = new QueueServiceClient(settings.QueueServiceUri!, credential, queueOptions);
            _rawQueues = new QueueServiceClient(settings.QueueServiceUri!, credential, rawQueueOptions);
            _tables = new TableServiceClient(settings.TableServiceUri!, credential, tableOptions);
        }

        _createIfMissing = settings.CreateIfMissing;
    }

    public QueueServiceClient QueueService => _queues;

    /// <summary>
    /// Until disposed, storage calls on this async flow fail fast (see <see cref="StorageRetryPolicy"/>):
    /// for requests a person waits on, who is better served by "try again shortly" than by a long wait.
    /// </summary>
    public static IDisposable BeginInteractive() =>
        HttpPipeline.CreateHttpMessagePropertiesScope(new Dictionary<string, object?> { [StorageRetryPolicy.InteractiveProperty] = true });

    public TableServiceClient TableService => _tables;

    /// <summary>The client of one queue, created (when missing and allowed) on first use; a failed creation is retried next time.</summary>
    public async Task<QueueClient> GetQueueAsync(string name, CancellationToken cancellationToken)
    {
        var lazy = _queueClients.GetOrAdd(name, n => new Lazy<Task<QueueClient>>(() => CreateQueueAsync(n)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _queueClients.TryRemove(new KeyValuePair<string, Lazy<Task<QueueClient>>>(name, lazy));
            throw;
        }
    }

    /// <summary>
    /// A client of an existing queue that reads and writes message text as it is stored, without
    /// base64: a trigger-like reader decodes it itself, so one message that is not base64 is handled
    /// on its own instead of failing the whole receive (the SDK's decoding throws for the batch).
    /// </summary>
    public QueueClient GetRawQueue(string name) => _rawQueues.GetQueueClient(name);

    /// <summary>The client of one table, created (when missing and allowed) on first use; a failed creation is retried next time.</summary>
    public async Task<TableClient> GetTableAsync(string name, CancellationToken cancellationToken)
    {
        var lazy = _tableClients.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateTableAsync(n)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _tableClients.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    /// <summary>Creates the fixed queues and tables, and one queue per known team.</summary>
    public async Task EnsureCreatedAsync(IEnumerable<string> teams, CancellationToken cancellationToken)
    {
        foreach (var table in StorageNames.Tables)
        {
            await _tables.GetTableClient(table).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }

        var queues = new[] { StorageNames.MentionsIncomingQueue, StorageNames.MentionsPoisonQueue, StorageNames.PoisonOfPoisonQueue }
            .Concat(teams.Select(StorageNames.TeamQueue));
        foreach (var queue in queues.Distinct(StringComparer.Ordinal))
        {
            await _queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<QueueClient> CreateQueueAsync(string name)
    {
        var client = _queues.GetQueueClient(name);
        if (_createIfMissing)
        {
            await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        }

        return client;
    }

    private async Task<TableClient> CreateTableAsync(string name)
    {
        var client = _tables.GetTableClient(name);
        if (_createIfMissing)
        {
            await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        }

        return client;
    }
}
