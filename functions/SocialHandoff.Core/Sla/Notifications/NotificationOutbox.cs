using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Storage;
using SocialHandoff.Core.Teams;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Core.Sla.Notifications;

/// <summary>States of an outbox row in <c>Notifications</c>.</summary>
public static class NotificationStates
{
    public const string Pending = "Pending";
    public const string Sent = "Sent";
    public const string Failed = "Failed";
    public const string Unconfirmed = "Unconfirmed";
    public const string NoTarget = "NoTarget";
}

/// <summary>What happened to the deliveries of one notice in this call.</summary>
public sealed record OutboxOutcome(int Sent, int Failed, int Unconfirmed, int NoTarget, int AlreadyHandled);

/// <summary>
/// Sends each notice once. The table <c>Notifications</c> has one row per notice and target
/// (PartitionKey the NotificationId, RowKey the target's name or index; the URL, a secret, is not stored).
/// The row is inserted as Pending before sending (409 = this notice was handled before: nothing is
/// sent), then set to Sent or Failed with the reason. A Pending row found later means a crash fell
/// between sending and recording: it becomes Unconfirmed and is not sent again, because a second
/// message is worse than an unconfirmed one, and the escalation itself is on record either way.
/// </summary>
/// <remarks>Where a notice goes is <see cref="NotificationTargets.For"/>: the team's directory entry's
/// configured <c>Notify</c> targets, else its configured webhooks (the directory read is cached, see TeamDirectory).</remarks>
public sealed class NotificationOutbox(StorageClients clients, WebhookNotifier notifier, TeamDirectory directory, IOptions<SlaOptions> options, TimeProvider timeProvider)
{
    private readonly SlaOptions _options = options.Value;

    public async Task<OutboxOutcome> DeliverAsync(EscalationNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var table = await clients.GetTableAsync(StorageNames.NotificationsTable, cancellationToken).ConfigureAwait(false);
        var notify = (await directory.GetAsync(cancellationToken).ConfigureAwait(false)).Team(notice.Team)?.Notify ?? [];
        var targets = NotificationTargets.For(notice.Team, notify, _options);
        if (targets.Count == 0)
        {
            var none = Row(notice, "none", null, NotificationStates.NoTarget);
            if (NotificationTargets.Unconfigured(notify, _options) is { Count: > 0 } missing)
            {
                none["Detail"] = $"team {notice.Team} names notification targets that are not configured ({string.Join(", ", missing.Select(m => $"Sla:Notifications:{m}:Url"))}) and has no Sla:Teams:{notice.Team}:Webhooks";
            }

            var inserted = await TryInsertAsync(table, none, cancellationToken).ConfigureAwait(false);
            return inserted ? new OutboxOutcome(0, 0, 0, 1, 0) : new OutboxOutcome(0, 0, 0, 0, 1);
        }

        int sent = 0, failed = 0, unconfirmed = 0, handled = 0;
        foreach (var target in targets)
        {
            var rowKey = target.RowKey;
            var pending = Row(notice, rowKey, target.Webhook.Kind, NotificationStates.Pending);
            pending["TargetName"] = target.Name;
            if (!await TryInsertAsync(table, pending, cancellationToken).ConfigureAwait(false))
            {
                var existing = (await table.GetEntityAsync<TableEntity>(notice.NotificationId, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                if (existing.GetString("State") == NotificationStates.Pending)
                {
                    existing["State"] = NotificationStates.Unconfirmed;
                    existing["Detail"] = "found Pending by a later sweep: the process stopped between sending and recording; not sent again";
                    existing["UpdatedAt"] = timeProvider.GetUtcNow();
                    try
                    {
                        await table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                        unconfirmed++;
                    }
                    catch (RequestFailedException ex) when (ex.Status == 412)
                    {
                        handled++;
                    }
                }
                else
                {
                    handled++;
                }

                continue;
            }

            var result = await SendBoundedAsync(target.Webhook, notice, cancellationToken).ConfigureAwait(false);
            var update = new TableEntity(notice.NotificationId, rowKey)
            {
                ["State"] = result.Delivered ? NotificationStates.Sent : NotificationStates.Failed,
                ["StatusCode"] = result.StatusCode,
                ["Detail"] = result.Detail.Length > 2000 ? result.Detail[..2000] : result.Detail,
                ["UpdatedAt"] = timeProvider.GetUtcNow(),
            };
            await table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            if (result.Delivered)
            {
                sent++;
            }
            else
            {
                failed++;
                SocialHandoffTelemetry.WebhookFailures.Add(
                    1,
                    SocialHandoffTelemetry.Tag(SocialHandoffTelemetry.Tags.Team, notice.Team),
                    SocialHandoffTelemetry.Tag(SocialHandoffTelemetry.Tags.Kind, target.Webhook.Kind.ToString()));
            }
        }

        return new OutboxOutcome(sent, failed, unconfirmed, 0, handled);
    }

    private async Task<DeliveryResult> SendBoundedAsync(WebhookTarget target, EscalationNotice notice, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.DeliveryTimeout);
        try
        {
            return await notifier.SendAsync(target, notice, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, null, $"{target.Kind} webhook gave no answer within Sla:DeliveryTimeout ({_options.DeliveryTimeout})");
        }
    }

    private TableEntity Row(EscalationNotice notice, string rowKey, WebhookKind? kind, string state) => new(notice.NotificationId, rowKey)
    {
        ["State"] = state,
        ["HandoffId"] = notice.HandoffId,
        ["Team"] = notice.Team,
        ["Kind"] = notice.Kind,
        ["Level"] = notice.Level,
        ["Target"] = kind?.ToString(),
        ["DueAt"] = notice.DueAt,
        ["CreatedAt"] = timeProvider.GetUtcNow(),
    };

    private static async Task<bool> TryInsertAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }
}
