using System.Net;
using System.Net.Sockets;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 playing the teams' Teams / Slack incoming webhooks: records every
/// body by path and answers as the provider does on success (Slack Block Kit bodies: 200 "ok"; Teams
/// Adaptive Card messages: 202 Accepted, as Workflows webhooks do), unless the test's handler for
/// that path waits or the test sets the path's answer in <see cref="Answers"/>.
/// </summary>
internal sealed class WebhookServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WebhookServer()
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

    /// <summary>Runs before answering a request to the path; may wait (a hanging endpoint) or cancel the caller (a crash).</summary>
    public Dictionary<string, Func<CancellationToken, Task>> Handlers { get; } = new(StringComparer.Ordinal);

    public List<(string Path, string Body)> Received { get; } = [];

    /// <summary>A fixed answer for a path, in the provider's format (e.g. 410 "channel_is_archived", or 200 with a connector's error text).</summary>
    public Dictionary<string, (int Status, string Body)> Answers { get; } = new(StringComparer.Ordinal);

    public Uri Url(string path) => new(BaseUrl, path);

    public int Count(string path)
    {
        lock (Received)
        {
            return Received.Count(r => r.Path == "/" + path);
        }
    }

    public List<string> Bodies(string path)
    {
        lock (Received)
        {
            return Received.Where(r => r.Path == "/" + path).Select(r => r.Body).ToList();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Url!.AbsolutePath;
            lock (Received)
            {
                Received.Add((path, body));
            }

            if (Handlers.TryGetValue(path, out var handler))
            {
                await handler(_stop.Token);
            }

            var (status, text) = Answers.TryGetValue(path, out var answer) ? answer
                : body.Contains("\"blocks\"", StringComparison.Ordinal) ? (200, "ok")
                : (202, "");
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The client went away (timeout, cancelled sweep) or the server is stopping.
        }
    }
}
