using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SocialHandoff.Local.Sla;

/// <summary>
/// A loopback HTTP server that stands in for the teams' Teams / Slack webhooks when none are
/// configured (this machine has no way out), so a local run shows notices being delivered. It
/// answers each POST as the provider confirms a delivery (Slack: 200 "ok" under /slack/; Teams
/// Workflows: 202 otherwise), since the notifier counts only a confirmed answer as delivered, and
/// counts them per path.
/// </summary>
internal sealed class LocalWebhookSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private volatile bool _stopping;

    public LocalWebhookSink()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUrl { get; }

    public ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        // Said before the listener stops: a pending accept then fails in its own way (disposed, aborted), and the loop ends quietly.
        _stopping = true;
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using (var reader = new StreamReader(context.Request.InputStream))
        {
            await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        var path = context.Request.Url?.AbsolutePath ?? "/";
        Received.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (path.StartsWith("/slack/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 200;
            context.Response.Close("ok"u8.ToArray(), willBlock: false);
        }
        else
        {
            context.Response.StatusCode = 202;
            context.Response.Close();
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stopping || !_listener.IsListening)
            {
                return;
            }

            try
            {
                await AnswerAsync(context).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
            {
                // The caller went away, or the sink is stopping mid-answer: neither may end the loop, nor the run that disposes it.
                if (_stopping || !_listener.IsListening)
                {
                    return;
                }
            }
        }
    }
}
