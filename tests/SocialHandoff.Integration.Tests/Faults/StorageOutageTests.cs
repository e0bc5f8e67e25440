using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocialHandoff.Core.Api;
using SocialHandoff.Local.Azurite;
using Xunit.Abstractions;

namespace SocialHandoff.Integration.Tests.Faults;

/// <summary>
/// Storage going away under a running runner and coming back: Azurite on a persistent folder is
/// stopped mid-run and started again on the same folder and ports. The runner says so in one line each
/// way (regression: an error with a stack trace per poll, forever), the API answers 503 with
/// Retry-After meanwhile, and every mention is handed off exactly once.
/// </summary>
[Collection(RunnerProcessCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper log) : IDisposable
{
    private const int Mentions = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _folder = Directory.CreateTempSubdirectory("sh-outage-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Run_AzuriteStoppedAndRestartedMidRun_SaysSoAnswers503AndHandsEveryMentionOffOnce()
    {
        var settings = new AzuriteSettings(Path.Combine(_folder, "azurite"), (FreePort(), FreePort(), FreePort()));
        var azurite = await AzuriteLauncher.StartAsync(settings, null, CancellationToken.None);
        try
        {
            await using var runner = RunnerProcess.Start(RunnerLifecycleTests.Settings(azurite, RunnerProcess.WriteExport(_folder, Mentions), lease: "00:00:03"));
            var address = new Uri((await runner.WaitForAsync(@"Dashboard and API: (http://\S+)", Patience)).Groups[1].Value);
            await Eventually.HoldsAsync(async () => await StorageCounts.HandoffsAsync(azurite.ConnectionString) >= 30, Patience, () => runner.Output);

            await azurite.DisposeAsync();
            var down = await runner.WaitForAsync(@"^\[\d\d:\d\d:\d\d\] storage unreachable at http://127\.0\.0\.1:\d+ since \d\d:\d\d:\d\d \(.+\).*$", TimeSpan.FromSeconds(30));
            using (var http = new HttpClient { BaseAddress = address })
            using (var request = new HttpRequestMessage(HttpMethod.Get, "api/teams/care/handoffs"))
            {
                request.Headers.Add(WorkApi.DevUserHeader, "ana");
                var watch = Stopwatch.StartNew();
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(TimeSpan.FromSeconds(WorkApi.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"503 took {watch.Elapsed}");
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            azurite = await AzuriteLauncher.StartAsync(settings, null, CancellationToken.None);
            await runner.WaitForAsync(@"storage reachable again at http://127\.0\.0\.1:\d+ \(unreachable for \d+ s\)", TimeSpan.FromSeconds(30));
            await Eventually.HoldsAsync(() => StorageCounts.AllHandedOffAsync(azurite.ConnectionString, Mentions), Patience, () => runner.Output);
            runner.Signal(StorageCounts.SigTerm);
            ExitCode.Is(0, await runner.WaitForExitAsync(TimeSpan.FromSeconds(45)), runner);

            // One line for the outage, none of the stack traces it used to print for every poll.
            var output = runner.Output;
            log.WriteLine(output);
            Assert.Single(output.Split('\n'), l => l.Contains("storage unreachable at", StringComparison.Ordinal));
            Assert.DoesNotContain("   at ", output[output.IndexOf(down.Value, StringComparison.Ordinal)..], StringComparison.Ordinal);
            var counts = await StorageCounts.ReadAsync(azurite.ConnectionString);
            log.WriteLine(counts.ToString());
            RunnerLifecycleTests.AssertHandedOffOnce(counts, Mentions);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
