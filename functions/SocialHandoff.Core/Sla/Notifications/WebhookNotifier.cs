using System.Net;
using System.Text;
using Polly;
using Polly.Timeout;
using SocialHandoff.Core.Http;

namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>Retry and timeout settings of webhook delivery.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Sla:Webhooks";

    /// <summary>Default 3 retries after the first attempt; 0 sends once.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Default 1 second, doubled each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait honoured from Retry-After. Default 30 seconds: a sweep runs every minute.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default 10 seconds per attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class WebhookOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<WebhookOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var errors = new List<string>();
        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            errors.Add($"Sla:Webhooks:MaxRetryAttempts must be 0-10 (got {options.MaxRetryAttempts}).");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryBaseDelay)
        {
            errors.Add("Sla:Webhooks:RetryBaseDelay must be positive and Sla:Webhooks:MaxRetryDelay at least as long.");
        }

        if (options.AttemptTimeout < TimeSpan.FromMilliseconds(10))
        {
            errors.Add("Sla:Webhooks:AttemptTimeout must be at least 10 ms.");
        }

        return errors.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// Posts a notice to a Teams or Slack webhook, retrying 5xx, 429 (honouring Retry-After) and
/// timeouts with jittered back-off. Never throws for a failed delivery: the sweep records the
/// result and goes on, so a dead endpoint cannot block it or lose the escalation. A delivery counts
/// only when the provider's answer confirms it (see <see cref="Confirms"/>).
/// </summary>
public sealed class WebhookNotifier
{
    /// <summary>The named HttpClient the notifier uses (no client timeout: the pipeline's attempt timeout and Sla:DeliveryTimeout bound it).</summary>
    public const string HttpClientName = "sla-webhooks";

    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public WebhookNotifier(HttpClient http, WebhookOptions options, TimeProvider timeProvider)
    {
        _http = http;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(ServerAwareRetry.Options("webhook-retry", options.MaxRetryAttempts, options.RetryBaseDelay, options.MaxRetryDelay, timeProvider));
        }

        _pipeline = builder
            .AddTimeout(new TimeoutStrategyOptions { Name = "webhook-attempt-timeout", Timeout = options.AttemptTimeout })
            .Build();
    }

    public async Task<DeliveryResult> SendAsync(WebhookTarget target, EscalationNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var body = WebhookPayloads.Serialize(target.Kind, notice);
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    return await _http.PostAsync(target.Url, content, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return Confirms(target.Kind, response.StatusCode, answer);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, null, $"{target.Kind} webhook unreachable: {ex.Message}");
        }
    }

    /// <summary>
    /// Whether the answer says the message was delivered. Slack incoming webhooks answer 200 with the
    /// body "ok", and an error code in the body otherwise (400 invalid_payload / no_text, 403
    /// action_prohibited, 404 channel_not_found, 410 channel_is_archived...). Teams Workflows webhooks
    /// answer 202 Accepted; the older Office 365 connectors answer 200 with "1", and report failures
    /// in a 200 body too ("Webhook message delivery failed with error: Microsoft Teams endpoint
    /// returned HTTP error 413..."), so any other 200 body is a failure.
    /// </summary>
    internal static DeliveryResult Confirms(WebhookKind kind, HttpStatusCode status, string body)
    {
        var code = (int)status;
        var said = body.Trim();
        var detail = said.Length == 0 ? "(empty body)" : said.Length > 500 ? said[..500] + "…" : said;
        return kind switch
        {
            WebhookKind.Slack when status == HttpStatusCode.OK && said == "ok" => new DeliveryResult(true, code, "delivered (Slack answered ok)"),
            WebhookKind.Slack => new DeliveryResult(false, code, $"Slack webhook answered {code}: {detail}"),
            WebhookKind.Teams when status == HttpStatusCode.Accepted => new DeliveryResult(true, code, "delivered (Teams Workflows accepted it: 202)"),
            WebhookKind.Teams when status == HttpStatusCode.OK && said == "1" => new DeliveryResult(true, code, "delivered (Teams connector answered 1)"),
            WebhookKind.Teams when status == HttpStatusCode.OK => new DeliveryResult(false, code, $"Teams webhook answered 200 without confirming delivery: {detail}"),
            _ => new DeliveryResult(false, code, $"{kind} webhook answered {code}: {detail}"),
        };
    }
}
