using SocialHandoff.Core.Access;
using SocialHandoff.Core.Spam;

namespace SocialHandoff.Core.Api;

/// <summary>The filtered view (mentions the spam filter held out of the team queues, and restoring one) and the volume spikes under way.</summary>
public sealed partial class WorkApi
{
    private async Task<ApiResponse> FilteredAsync(ApiRequest request, Caller caller, CancellationToken ct)
    {
        if (!caller.IsManager && caller.Teams.Count == 0)
        {
            return ProblemResponse(403, "forbidden", "Agents only.", $"{caller.Name} is not an agent of any team.");
        }

        var errors = new Dictionary<string, string[]>();
        var limit = IntQuery(request, "limit", 100, 1, 500, errors);
        var status = Query(request, "status")?.ToLowerInvariant() ?? "filtered";
        if (status is not ("filtered" or "all"))
        {
            errors["status"] = ["must be filtered or all."];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var items = await spamReview.ListAsync(limit, status == "all", ct).ConfigureAwait(false);
        return JsonResponse(200, new FilteredListMessage([.. items.Select(Filtered)]), ApiJsonContext.Default.FilteredListMessage);
    }

    private async Task<ApiResponse> RestoreFilteredAsync(ApiRequest request, string key, Caller caller, CancellationToken ct)
    {
        if (!caller.IsManager && caller.Teams.Count == 0)
        {
            return ProblemResponse(403, "forbidden", "Agents only.", $"{caller.Name} is not an agent of any team.");
        }

        if (!TryReadBody(request, ApiJsonContext.Default.RestoreBody, allowEmpty: true, out _, out var bad))
        {
            return bad!;
        }

        if (key.Length is 0 or > 1000)
        {
            return NotFound("There is no filtered mention with that key.");
        }

        var result = await spamReview.RestoreAsync(key, caller.Name, ct).ConfigureAwait(false);
        return result is null
            ? NotFound($"There is no filtered mention '{key}'.")
            : JsonResponse(200, new RestoredMessage(Filtered(result.Mention), result.Restored), ApiJsonContext.Default.RestoredMessage);
    }

    private static FilteredMessage Filtered(FilteredMention m) =>
        new(m.Key, m.Source, m.Handle, m.Followers, m.Text, m.Url, m.PostedAt, m.FilteredAt, m.Reasons, m.Status.ToLowerInvariant(), m.RestoredBy, m.RestoredAt, m.HandoffId);

    /// <summary>The volume spikes under way: every signed-in caller sees them (a banner on every page).</summary>
    private async Task<ApiResponse> SpikesAsync(CancellationToken ct)
    {
        var active = await spikes.ActiveAsync(ct).ConfigureAwait(false);
        return JsonResponse(200, new SpikeListMessage([.. active.Select(s => new SpikeMessage(s.SpikeId, s.Series, s.Team, s.Hour, s.Count, s.Threshold, s.Why, s.TopWords, s.Examples, s.RaisedAt))]), ApiJsonContext.Default.SpikeListMessage);
    }
}
