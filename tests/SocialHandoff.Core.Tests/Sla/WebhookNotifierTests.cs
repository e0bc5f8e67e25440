using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SocialHandoff.Core.Sla.Notifications;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class WebhookNotifierTests : IDisposable
{
    private readonly WebhookServer _server = new();
    private readonly HttpClient _http = new();

    private static readonly EscalationNotice Notice = new(
        "h1:first-response:breach", "h1", "care", "first response breached", "team lead",
        "<script>alert(1)</script> my order never arrived *bold* <!channel>", "https://x.com/i/status/1", "P1", 91, -0.72,
        ["complaint: 'never arrived'", "strongly negative (-0.72)"], new DateTimeOffset(2026, 11, 23, 9, 15, 0, TimeSpan.Zero),
        new Uri("http://127.0.0.1:7071/#/handoffs/h1"));

    private WebhookNotifier Notifier(int retries = 3) => new(
        _http,
        new WebhookOptions { MaxRetryAttempts = retries, RetryBaseDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromSeconds(2), AttemptTimeout = TimeSpan.FromSeconds(5) },
        TimeProvider.System);

    [Fact]
    public async Task SendAsync_Teams_PostsAdaptiveCardMessageWithMentionAsLiteralTextRun()
    {
        _server.Answers.Enqueue((HttpStatusCode.Accepted, "", null));
        var result = await Notifier().SendAsync(new WebhookTarget(WebhookKind.Teams, _server.Url), Notice, CancellationToken.None);
        Assert.True(result.Delivered);
        var body = JsonNode.Parse(Assert.Single(_server.Bodies))!;
        Assert.Equal("message", (string?)body["type"]);
        var attachment = body["attachments"]![0]!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        var card = attachment["content"]!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        var mention = card["body"]![1]!;
        Assert.Equal("RichTextBlock", (string?)mention["type"]);
        Assert.Equal("TextRun", (string?)mention["inlines"]![0]!["type"]);
        Assert.Equal(Notice.MentionText, (string?)mention["inlines"]![0]!["text"]);
        Assert.Contains("complaint: 'never arrived'", (string?)card["body"]![4]!["inlines"]![1]!["text"]);
        Assert.Equal(Notice.Link.ToString(), (string?)card["actions"]![0]!["url"]);
    }

    [Fact]
    public async Task SendAsync_Slack_PostsPlainTextBlocks()
    {
        _server.Answers.Enqueue((HttpStatusCode.OK, "ok", null));
        var result = await Notifier().SendAsync(new WebhookTarget(WebhookKind.Slack, _server.Url), Notice, CancellationToken.None);
        Assert.True(result.Delivered);
        var body = JsonNode.Parse(Assert.Single(_server.Bodies))!;
        Assert.StartsWith("[P1] first response breached for team care", (string?)body["text"]);
        var mention = body["blocks"]![1]!["text"]!;
        Assert.Equal("plain_text", (string?)mention["type"]);
        Assert.Equal(Notice.MentionText, (string?)mention["text"]);
        Assert.Equal(Notice.Link.ToString(), (string?)body["blocks"]![3]!["elements"]![0]!["url"]);
    }

    [Fact]
    public async Task SendAsync_ServerErrorsThenOk_RetriesUntilDelivered()
    {
        _server.Answers.Enqueue((HttpStatusCode.InternalServerError, "", null));
        _server.Answers.Enqueue((HttpStatusCode.BadGateway, "", null));
        _server.Answers.Enqueue((HttpStatusCode.OK, "ok", null));
        var result = await Notifier().SendAsync(new WebhookTarget(WebhookKind.Slack, _server.Url), Notice, CancellationToken.None);
        Assert.True(result.Delivered);
        Assert.Equal(3, _server.Bodies.Count);
    }

    [Fact]
    public async Task SendAsync_TooManyRequestsWithRetryAfter_WaitsThenDelivers()
    {
        _server.Answers.Enqueue((HttpStatusCode.TooManyRequests, "", "1"));
        _server.Answers.Enqueue((HttpStatusCode.Accepted, "", null));
        var result = await Notifier().SendAsync(new WebhookTarget(WebhookKind.Teams, _server.Url), Notice, CancellationToken.None);
        Assert.True(result.Delivered);
        Assert.Equal(2, _server.Arrivals.Count);
        Assert.True(_server.Arrivals[1] - _server.Arrivals[0] >= TimeSpan.FromMilliseconds(900), "the retry waited for Retry-After");
    }

    [Fact]
    public async Task SendAsync_AlwaysFailing_GivesUpWithReasonWithoutThrowing()
    {
        for (var i = 0; i < 10; i++)
        {
            _server.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, "", null));
        }

        var result = await Notifier(retries: 2).SendAsync(new WebhookTarget(WebhookKind.Slack, _server.Url), Notice, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal(3, _server.Bodies.Count);
    }

    [Fact]
    public async Task SendAsync_DeadEndpoint_ReportsUnreachable()
    {
        var port = WebhookServer.FreePort();
        var result = await Notifier(retries: 1).SendAsync(new WebhookTarget(WebhookKind.Teams, new Uri($"http://127.0.0.1:{port}/hook")), Notice, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Null(result.StatusCode);
        Assert.Contains("unreachable", result.Detail);
    }

    [Theory]
    [InlineData(400, "invalid_payload")]
    [InlineData(400, "no_text")]
    [InlineData(403, "action_prohibited")]
    [InlineData(404, "channel_not_found")]
    [InlineData(410, "channel_is_archived")]
    [InlineData(200, "")]
    [InlineData(200, "invalid_token")]
    public async Task SendAsync_SlackAnswerOtherThanOk_NotDeliveredWithSlacksErrorAndNoRetry(int status, string answer)
    {
        _server.Answers.Enqueue(((HttpStatusCode)status, answer, null));
        var result = await Notifier().SendAsync(new WebhookTarget(WebhookKind.Slack, _server.Url), Notice, CancellationToken.None);
        Assert.False(result.Delivered);
        Assert.Equal(status, result.StatusCode);
        Assert.Contains(answer.Length == 0 ? "(empty body)" : answer, result.Detail, StringComparison.Ordinal);
        Assert.Single(_server.Bodies);
    }

    [Theory]
    [InlineData(202, "", true)]
    [InlineData(200, "1", true)]
    [InlineData(200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0,server=msgapi-production-weu-02,cv=x1Yz.0..", false)]
    [InlineData(200, "Summary or Text is required.", false)]
    [InlineData(200, "", false)]
    [InlineData(400, "Bad payload received by generic incoming webhook.", false)]
    [InlineData(413, "", false)]
    public async Task SendAsync_TeamsAnswer_DeliveredOnlyWhenTheAnswerConfirmsIt(int status, string answer, bool delivered)
    {
        _server.Answers.Enqueue(((HttpStatusCode)status, answer, null));
        var result = await Notifier().SendAsync(new WebhookTarget(WebhookKind.Teams, _server.Url), Notice, CancellationToken.None);
        Assert.Equal(delivered, result.Delivered);
        Assert.Equal(status, result.StatusCode);
        if (!delivered && answer.Length > 0)
        {
            Assert.Contains(answer, result.Detail, StringComparison.Ordinal);
        }

        Assert.Single(_server.Bodies);
    }

    public void Dispose()
    {
        _server.Dispose();
        _http.Dispose();
    }

    /// <summary>A real HTTP server on 127.0.0.1 that answers queued statuses and bodies (the providers' texts) and records each request body.</summary>
    private sealed class WebhookServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public WebhookServer()
        {
            var port = FreePort();
            Url = new Uri($"http://127.0.0.1:{port}/hook/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        public ConcurrentQueue<(HttpStatusCode Status, string Body, string? RetryAfter)> Answers { get; } = new();

        public List<string> Bodies { get; } = [];

        public List<DateTimeOffset> Arrivals { get; } = [];

        public static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
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

                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                lock (Bodies)
                {
                    Bodies.Add(body);
                    Arrivals.Add(DateTimeOffset.UtcNow);
                }

                var (status, text, retryAfter) = Answers.TryDequeue(out var answer) ? answer : (HttpStatusCode.OK, "ok", null);
                context.Response.StatusCode = (int)status;
                if (retryAfter is not null)
                {
                    context.Response.AddHeader("Retry-After", retryAfter);
                }

                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
