using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Local.Sla;

namespace SocialHandoff.Core.Tests.Sla;

/// <summary>
/// Regression: the local runner's stand-in for Teams and Slack answered a bare 200, which the notifier
/// (rightly) does not take as a delivery, so `run --once` reported every notice failed (seen through
/// the webhook-failure counter: 960 of 960).
/// </summary>
public sealed class LocalWebhookSinkTests : IDisposable
{
    private readonly LocalWebhookSink _sink = new();
    private readonly HttpClient _http = new();

    [Theory]
    [InlineData(WebhookKind.Teams, "teams/care")]
    [InlineData(WebhookKind.Slack, "slack/care")]
    public async Task SendAsync_ToTheLocalSink_ConfirmedAsDelivered(WebhookKind kind, string path)
    {
        var notifier = new WebhookNotifier(_http, new WebhookOptions { MaxRetryAttempts = 0 }, TimeProvider.System);
        var notice = new EscalationNotice(
            "h1:fr:g1:s1", "h1", "care", "First response breached", "assignee", "my order never arrived", null, "P2", 70, -0.5,
            [], new DateTimeOffset(2026, 11, 23, 9, 15, 0, TimeSpan.Zero), new Uri("http://127.0.0.1:7071/handoffs/h1"));

        var result = await notifier.SendAsync(new WebhookTarget(kind, new Uri(_sink.BaseUrl, path)), notice, CancellationToken.None);

        Assert.True(result.Delivered, result.Detail);
        Assert.Equal(1, _sink.Received["/" + path]);
    }

    public void Dispose()
    {
        _sink.Dispose();
        _http.Dispose();
    }
}
