using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Storage;
using SocialHandoff.Local.Azurite;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// The storage clients' retries against a real HTTP server on loopback answering as an overloaded
/// storage account does (503 ServerBusy, its XML error body): a request a person waits on
/// (<see cref="StorageClients.BeginInteractive"/>) tries twice, the pipeline keeps the SDK's retries.
/// </summary>
public sealed class StorageRetryPolicyTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public StorageRetryPolicyTests()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                var body = Encoding.UTF8.GetBytes(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>The server is busy.\nRequestId:" +
                    Guid.NewGuid() + "\nTime:" + DateTime.UtcNow.ToString("O") + "</Message></Error>");
                context.Response.StatusCode = 503;
                context.Response.StatusDescription = "Server Busy";
                context.Response.Headers["x-ms-error-code"] = "ServerBusy";
                context.Response.ContentType = "application/xml";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
    }

    private int Port { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    [Fact]
    public async Task Interactive_StorageBusy_TriesTwiceThenThrowsAnOutage()
    {
        var queue = await Clients(Port).GetQueueAsync("probe", CancellationToken.None);

        Exception thrown;
        using (StorageClients.BeginInteractive())
        {
            thrown = await Assert.ThrowsAnyAsync<Exception>(() => queue.GetPropertiesAsync());
        }

        Assert.Equal(2, _requests);
        Assert.True(StorageFaults.IsUnavailable(thrown));
    }

    [Fact]
    public async Task Interactive_StorageRefusesConnections_OneTryAtOnce()
    {
        var queue = await Clients(FreePort()).GetQueueAsync("probe", CancellationToken.None);

        var watch = Stopwatch.StartNew();
        Exception thrown;
        using (StorageClients.BeginInteractive())
        {
            thrown = await Assert.ThrowsAnyAsync<Exception>(() => queue.GetPropertiesAsync());
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(0, Assert.IsType<RequestFailedException>(thrown).Status);
        Assert.True(StorageFaults.IsUnavailable(thrown));
    }

    [Fact]
    public async Task Pipeline_StorageBusy_KeepsTheSdksThreeRetries()
    {
        var queue = await Clients(Port).GetQueueAsync("probe", CancellationToken.None);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => queue.GetPropertiesAsync());

        Assert.Equal(1 + StorageRetryPolicy.DefaultMaxRetries, _requests);
        Assert.True(StorageFaults.IsUnavailable(thrown));
    }

    private static StorageClients Clients(int port) => new(
        Options.Create(new StorageOptions
        {
            CreateIfMissing = false,
            ConnectionString =
                $"DefaultEndpointsProtocol=http;AccountName={AzuriteLauncher.AccountName};AccountKey={AzuriteLauncher.AccountKey};" +
                $"QueueEndpoint=http://127.0.0.1:{port}/{AzuriteLauncher.AccountName};TableEndpoint=http://127.0.0.1:{port}/{AzuriteLauncher.AccountName};",
        }),
        Array.Empty<HttpPipelinePolicy>());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
