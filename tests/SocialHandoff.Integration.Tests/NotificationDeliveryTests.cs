using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SocialHandoff.Core.Sla.Notifications;
using SocialHandoff.Core.Storage;

namespace SocialHandoff.Integration.Tests;

/// <summary>
/// The notification outbox on Azurite against loopback webhooks answering in each provider's format:
/// a row is Sent only when the provider's answer confirms delivery, otherwise Failed with its words.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class NotificationDeliveryTests(AzuriteFixture azurite) : IAsyncLifetime, IDisposable
{
    private const string ConnectorError = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0,server=msgapi-production-weu-02,cv=x1Yz.0..";

    private readonly WebhookServer _webhooks = new();

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _webhooks.Dispose();

    [Fact]
    public async Task DeliverAsync_ProvidersAnswerInTheirFormats_SentOnlyWhenConfirmed()
    {
        _webhooks.Answers["/slack/archived"] = (410, "channel_is_archived");
        _webhooks.Answers["/slack/bad"] = (400, "invalid_payload");
        _webhooks.Answers["/teams/connector-ok"] = (200, "1");
        _webhooks.Answers["/teams/connector-error"] = (200, ConnectorError);
        string[] paths = ["slack/ok", "slack/archived", "slack/bad", "teams/workflows", "teams/connector-ok", "teams/connector-error"];
        var settings = new Dictionary<string, string?>
        {
            ["Sla:Webhooks:MaxRetryAttempts"] = "0",
            ["Sla:Webhooks:AttemptTimeout"] = "00:00:02",
        };
        for (var i = 0; i < paths.Length; i++)
        {
            settings[$"Sla:Teams:care:Webhooks:{i}:Kind"] = paths[i].StartsWith("slack", StringComparison.Ordinal) ? "Slack" : "Teams";
            settings[$"Sla:Teams:care:Webhooks:{i}:Url"] = _webhooks.Url(paths[i]).ToString();
        }

        await using var harness = await Harness.CreateAsync(azurite.ConnectionString, settings: settings, withSample: false);
        var notice = new EscalationNotice(
            "h1:fr:g0:s1", "h1", "care", "First response breached", "assignee", "[Reset your password](https://evil.example) 😀", null, "P1", 90, -0.8,
            ["complaint: 'refund'"], Harness.Start, new Uri("http://127.0.0.1:7071/#/handoffs/h1"));

        var outcome = await harness.Services.GetRequiredService<NotificationOutbox>().DeliverAsync(notice, CancellationToken.None);

        Assert.Equal(3, outcome.Sent);
        Assert.Equal(3, outcome.Failed);
        var rows = (await harness.RowsAsync(StorageNames.NotificationsTable)).OrderBy(r => int.Parse(r.RowKey, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(
            ["Sent", "Failed", "Failed", "Sent", "Sent", "Failed"],
            rows.Select(r => r.GetString("State")));
        Assert.Contains("channel_is_archived", rows[1].GetString("Detail"), StringComparison.Ordinal);
        Assert.Equal(410, rows[1].GetInt32("StatusCode"));
        Assert.Contains("invalid_payload", rows[2].GetString("Detail"), StringComparison.Ordinal);
        Assert.Contains("HTTP error 413", rows[5].GetString("Detail"), StringComparison.Ordinal);
        Assert.All(paths, p => Assert.Equal(1, _webhooks.Count(p)));
    }
}
