using System.Globalization;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Api;

/// <summary>The SLA policies and calendars form: the document, what its pickers offer, validation at the field, a preview, history and restore.</summary>
public sealed partial class WorkApi
{
    private static readonly string[] SlaPriorities = ["*", "P1", "P2", "P3", "P4"];

    private async Task<ApiResponse> GetSlaPoliciesAsync(CancellationToken ct)
    {
        var set = (await policies.GetSlaAsync(ct).ConfigureAwait(false)).Set;
        return JsonResponse(200, new SlaDocumentMessage(set.Version, set), ApiJsonContext.Default.SlaDocumentMessage, VersionTag(set.Version));
    }

    /// <summary>What the SLA form's pickers offer: the teams that exist, the IANA time zones this server knows, priorities and clock starts.</summary>
    private async Task<ApiResponse> GetSlaVocabularyAsync(CancellationToken ct)
    {
        var teams = await directory.KnownTeamsAsync(ct).ConfigureAwait(false);
        return JsonResponse(200, new SlaVocabularyMessage(
            [.. teams.Order(StringComparer.Ordinal)],
            SlaPolicyBook.KnownTimeZones(),
            SlaPriorities,
            [SlaPolicy.ClockStartHandoff, SlaPolicy.ClockStartPosted]), ApiJsonContext.Default.SlaVocabularyMessage);
    }

    private async Task<ApiResponse> ValidateSlaPoliciesAsync(ApiRequest request, CancellationToken ct)
    {
        if (!TryReadBody(request, PolicyJsonContext.Default.SlaPolicySet, allowEmpty: false, out var set, out var bad))
        {
            return bad!;
        }

        var errors = SlaPolicyBook.Check(set!, await SlaReferencesAsync(ct).ConfigureAwait(false))
            .Select(e => new SlaErrorMessage(e.Field, e.ToString(), e.Message)).ToList();
        return JsonResponse(200, new SlaValidationMessage(errors.Count == 0, errors), ApiJsonContext.Default.SlaValidationMessage);
    }

    /// <summary>
    /// Times one arrival (team, priority, at: default now) by the policies in force and by the proposal in the body, and
    /// says what the proposal would mean for the open handoffs. Stores nothing.
    /// </summary>
    private async Task<ApiResponse> PreviewSlaPoliciesAsync(ApiRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var teams = await directory.KnownTeamsAsync(ct).ConfigureAwait(false);
        var team = request.Query.TryGetValue("team", out var t) && !string.IsNullOrWhiteSpace(t) ? t.Trim() : teams.Order(StringComparer.Ordinal).FirstOrDefault() ?? "care";
        if (!teams.Contains(team))
        {
            errors["team"] = [$"'{Cut(team)}' is not a team that exists; {DidYouMean.Hint(team, [.. teams])}"];
        }

        var priority = request.Query.TryGetValue("priority", out var p) && !string.IsNullOrWhiteSpace(p) ? p.Trim().ToUpperInvariant() : "P1";
        if (priority is not ("P1" or "P2" or "P3" or "P4"))
        {
            errors["priority"] = ["must be P1, P2, P3 or P4."];
        }

        DateTimeOffset? at = null;
        if (request.Query.TryGetValue("at", out var when) && !string.IsNullOrWhiteSpace(when))
        {
            // A year either side of now: far enough for planning, and every due time stays computable.
            var now = timeProvider.GetUtcNow();
            if (DateTimeOffset.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) && parsed > now.AddYears(-1) && parsed < now.AddYears(1))
            {
                at = parsed.ToUniversalTime();
            }
            else
            {
                errors["at"] = ["must be a date and time within a year of now, like 2026-12-24T10:00:00Z."];
            }
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (!TryReadBody(request, PolicyJsonContext.Default.SlaPolicySet, allowEmpty: false, out var set, out var bad))
        {
            return bad!;
        }

        if (SlaPolicyBook.Check(set!, await SlaReferencesAsync(ct).ConfigureAwait(false)) is { Count: > 0 } invalid)
        {
            return Invalid(SlaErrors(invalid));
        }

        return JsonResponse(200, await slaPreview.RunAsync(set!, team, priority, at, ct).ConfigureAwait(false), ApiJsonContext.Default.SlaPreviewReport);
    }

    private async Task<ApiResponse> SaveSlaPoliciesAsync(ApiRequest request, Caller caller, CancellationToken ct)
    {
        if (!TryReadBody(request, PolicyJsonContext.Default.SlaPolicySet, allowEmpty: false, out var set, out var bad)
            || !TryIfMatch(request, 'v', out var expected, out bad))
        {
            return bad!;
        }

        if (SlaPolicyBook.Check(set!, await SlaReferencesAsync(ct).ConfigureAwait(false)) is { Count: > 0 } invalid)
        {
            return Invalid(SlaErrors(invalid));
        }

        return Saved(await policyStore.SaveSlaAsync(set!, caller.Name, expected, ct).ConfigureAwait(false), PolicyDocuments.Sla, caller);
    }

    private Task<ApiResponse> GetSlaHistoryAsync(ApiRequest request, CancellationToken ct) =>
        GetHistoryAsync<SlaPolicySet>(request, PolicyDocuments.Sla, policyStore.GetSlaAsync, SlaPolicySetDiff.Describe, ct);

    private async Task<ApiResponse> GetSlaVersionAsync(string version, CancellationToken ct)
    {
        if (!TryVersionNumber(version, out var number))
        {
            return InvalidVersionNumber();
        }

        return await policyStore.GetSlaAsync(number, ct).ConfigureAwait(false) is { } set
            ? JsonResponse(200, new SlaDocumentMessage(number, set), ApiJsonContext.Default.SlaDocumentMessage)
            : NotFound($"The SLA policies have no version {number}.");
    }

    /// <summary>What a policy set must allow now: the teams that exist, and every policy the rules in force name.</summary>
    private async Task<SlaReferences> SlaReferencesAsync(CancellationToken ct)
    {
        var teams = await directory.KnownTeamsAsync(ct).ConfigureAwait(false);
        var rules = (await policies.GetRulesAsync(ct).ConfigureAwait(false)).Rules;
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (action, rule) in rules.Rules.Select(r => (r.Then, r.Name)).Append((rules.Default, "default")))
        {
            if (action.SlaPolicy.Length > 0)
            {
                named.TryAdd(action.SlaPolicy, rule);
            }
        }

        return new SlaReferences(teams, named);
    }

    /// <summary>Each problem under its field path, like <c>policies[2].firstResponse</c> or <c>calendars[0].week.mon</c> (0-based, as in the document).</summary>
    private static Dictionary<string, string[]> SlaErrors(IReadOnlyList<SlaError> errors) => errors
        .GroupBy(e => e.Field, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(e => e.ToString()).ToArray(), StringComparer.Ordinal);

    private static string Cut(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
