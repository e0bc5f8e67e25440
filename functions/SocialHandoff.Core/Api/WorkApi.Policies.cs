using System.Globalization;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Api;

public sealed partial class WorkApi
{
    private const int DefaultDryRunSize = 200;
    private const int MaxTryText = 4000;

    // Offered by the rules form beside whatever the rules in force and the sources already name.
    private static readonly string[] CommonLanguages = ["en", "es", "fr", "de", "pt", "it", "nl"];
    private static readonly string[] BuiltInSources = ["x", "file"];

    private async Task<ApiResponse> GetRulesAsync(CancellationToken ct)
    {
        var rules = (await policies.GetRulesAsync(ct).ConfigureAwait(false)).Rules;
        return JsonResponse(200, new RulesDocumentMessage(rules.Version, rules), ApiJsonContext.Default.RulesDocumentMessage, VersionTag(rules.Version));
    }

    /// <summary>Everything the rules form offers in its menus, so it never has to guess a name.</summary>
    private async Task<ApiResponse> GetRuleVocabularyAsync(CancellationToken ct)
    {
        var rules = (await policies.GetRulesAsync(ct).ConfigureAwait(false)).Rules;
        var sla = (await policies.GetSlaAsync(ct).ConfigureAwait(false)).Set;
        var teams = await directory.KnownTeamsAsync(ct).ConfigureAwait(false);
        var sources = new SortedSet<string>(BuiltInSources, StringComparer.Ordinal);
        var state = await clients.GetTableAsync(Storage.StorageNames.SourceStateTable, ct).ConfigureAwait(false);
        await foreach (var row in state.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["Source"], maxPerPage: 100, cancellationToken: ct).ConfigureAwait(false))
        {
            if (row.GetString("Source") is { Length: > 0 } source)
            {
                sources.Add(source);
            }
        }

        var languages = new SortedSet<string>(CommonLanguages, StringComparer.Ordinal);
        foreach (var when in rules.Rules.Select(r => r.When))
        {
            sources.UnionWith(when.Sources.Where(s => s.Length > 0));
            languages.UnionWith(when.Languages.Where(l => l.Length > 0));
        }

        return JsonResponse(200, new RuleVocabularyMessage(
            [.. RuleEngine.Signals.Order(StringComparer.Ordinal)],
            [.. teams.Order(StringComparer.Ordinal)],
            [.. sla.Policies.Select(p => new PolicyChoiceMessage(p.Name, p.Team, p.Priority))],
            ["auto", "P1", "P2", "P3", "P4"],
            [.. sources],
            [.. languages]), ApiJsonContext.Default.RuleVocabularyMessage);
    }

    private Task<ApiResponse> GetRuleHistoryAsync(ApiRequest request, CancellationToken ct) =>
        GetHistoryAsync<RuleSet>(request, PolicyDocuments.Rules, policyStore.GetRulesAsync, RuleSetDiff.Describe, ct);

    /// <summary>
    /// The last saved versions of a policy document (author, time) with what each changed, newest first:
    /// one more version than listed is read, so the oldest listed one is described against its predecessor
    /// (without one it is the first).
    /// </summary>
    private async Task<ApiResponse> GetHistoryAsync<TDocument>(
        ApiRequest request,
        string document,
        Func<int, CancellationToken, Task<TDocument?>> read,
        Func<TDocument?, TDocument, IReadOnlyList<string>> describe,
        CancellationToken ct)
        where TDocument : class
    {
        var errors = new Dictionary<string, string[]>();
        var last = IntQuery(request, "last", 20, 1, 100, errors);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var versions = await policyStore.ListVersionsAsync(document, last + 1, ct).ConfigureAwait(false);
        var bodies = new Dictionary<int, TDocument?>();
        foreach (var v in versions)
        {
            bodies[v.Version] = await read(v.Version, ct).ConfigureAwait(false);
        }

        var listed = versions.Take(last).Select(v => new RuleVersionMessage(
            v.Version,
            v.Author,
            v.SavedAt,
            bodies[v.Version] is { } now
                ? describe(bodies.GetValueOrDefault(v.Version - 1), now)
                : ["this version cannot be read"])).ToList();
        return JsonResponse(200, new RuleHistoryMessage(await policyStore.GetCurrentVersionAsync(document, ct).ConfigureAwait(false), listed), ApiJsonContext.Default.RuleHistoryMessage);
    }

    private async Task<ApiResponse> GetRuleVersionAsync(string version, CancellationToken ct)
    {
        if (!TryVersionNumber(version, out var number))
        {
            return InvalidVersionNumber();
        }

        return await policyStore.GetRulesAsync(number, ct).ConfigureAwait(false) is { } rules
            ? JsonResponse(200, new RulesDocumentMessage(number, rules), ApiJsonContext.Default.RulesDocumentMessage)
            : NotFound($"The rules have no version {number}.");
    }

    /// <summary>A saved version number in a route (1, 2, …): digits only, no sign or spaces.</summary>
    private static bool TryVersionNumber(string version, out int number) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number >= 1;

    private static ApiResponse InvalidVersionNumber() => Invalid("version", "must be a saved version number (1, 2, …).");

    /// <summary>Routes one pasted text (by the proposal in the body, else the rules in force) and says why; stores nothing.</summary>
    private async Task<ApiResponse> TryRulesAsync(ApiRequest request, CancellationToken ct)
    {
        if (!TryReadBody(request, PolicyJsonContext.Default.RuleTryInput, allowEmpty: false, out var input, out var bad))
        {
            return bad!;
        }

        if (string.IsNullOrWhiteSpace(input!.Text))
        {
            return Invalid("text", "is required: paste the text of a mention.");
        }

        if (input.Text.Length > MaxTryText)
        {
            return Invalid("text", $"must be at most {MaxTryText} characters.");
        }

        if (input.Followers < 0)
        {
            return Invalid("followers", "cannot be negative.");
        }

        if (input.Rules is not null && RuleEngine.Validate(input.Rules, await RuleReferencesAsync(ct).ConfigureAwait(false)) is { Count: > 0 } invalid)
        {
            return Invalid(RuleErrors(invalid).ToDictionary(e => "rules." + e.Key, e => e.Value));
        }

        try
        {
            var result = await dryRun.TryAsync(input, ct).ConfigureAwait(false);
            var o = result.Outcome;
            return JsonResponse(200, new RuleTryMessage(
                o.Rule, o.Team, o.Priority, o.SlaPolicy, o.Tags, result.Why, result.Score.Urgency,
                result.Score.Sentiment.IsJudged ? result.Score.Sentiment.Compound : null,
                [.. result.Score.Reasons.Select(r => new ReasonMessage(r.Signal, r.Text, r.Points))]) { SlaPolicySource = o.SlaPolicySource }, ApiJsonContext.Default.RuleTryMessage);
        }
        catch (RuleSetInvalidException ex)
        {
            return Invalid(RuleErrors(ex.Errors));
        }
    }

    private async Task<ApiResponse> ValidateRulesAsync(ApiRequest request, CancellationToken ct)
    {
        if (!TryReadBody(request, PolicyJsonContext.Default.RuleSet, allowEmpty: false, out var rules, out var bad))
        {
            return bad!;
        }

        var errors = RuleEngine.Validate(rules!, await RuleReferencesAsync(ct).ConfigureAwait(false))
            .Select(e => new RuleErrorMessage(e.RuleIndex + 1, e.RuleName, e.Field, e.Message)).ToList();
        return JsonResponse(200, new ValidationMessage(errors.Count == 0, errors), ApiJsonContext.Default.ValidationMessage);
    }

    /// <summary>What a rule set may name now: the teams that exist and the policies of the SLA set in force.</summary>
    private async Task<RuleReferences> RuleReferencesAsync(CancellationToken ct)
    {
        var teams = await directory.KnownTeamsAsync(ct).ConfigureAwait(false);
        var sla = (await policies.GetSlaAsync(ct).ConfigureAwait(false)).Set;
        return new RuleReferences(teams, sla.Policies.Select(p => p.Name).ToHashSet(StringComparer.Ordinal));
    }

    private async Task<ApiResponse> DryRunRulesAsync(ApiRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var last = IntQuery(request, "last", DefaultDryRunSize, 1, 5000, errors);
        var watch = request.Query.TryGetValue("rule", out var named) && !string.IsNullOrWhiteSpace(named) ? named : null;
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        if (!TryReadBody(request, PolicyJsonContext.Default.RuleSet, allowEmpty: false, out var rules, out var bad))
        {
            return bad!;
        }

        if (RuleEngine.Validate(rules!, await RuleReferencesAsync(ct).ConfigureAwait(false)) is { Count: > 0 } invalid)
        {
            return Invalid(RuleErrors(invalid));
        }

        if (watch is not null && !rules!.Rules.Any(r => r.Name == watch))
        {
            return Invalid("rule", $"'{watch}' is not a rule of this rule set; {DidYouMean.Hint(watch, [.. rules.Rules.Select(r => r.Name)])}");
        }

        try
        {
            return JsonResponse(200, await dryRun.RunAsync(rules!, last, ct, watch).ConfigureAwait(false), ApiJsonContext.Default.DryRunReport);
        }
        catch (RuleSetInvalidException ex)
        {
            return Invalid(RuleErrors(ex.Errors));
        }
    }

    private async Task<ApiResponse> SaveRulesAsync(ApiRequest request, Caller caller, CancellationToken ct)
    {
        if (!TryReadBody(request, PolicyJsonContext.Default.RuleSet, allowEmpty: false, out var rules, out var bad)
            || !TryIfMatch(request, 'v', out var expected, out bad))
        {
            return bad!;
        }

        var invalid = RuleEngine.Validate(rules!, await RuleReferencesAsync(ct).ConfigureAwait(false));
        if (invalid.Count > 0)
        {
            return Invalid(RuleErrors(invalid));
        }

        return Saved(await policyStore.SaveRulesAsync(rules!, caller.Name, expected, ct).ConfigureAwait(false), PolicyDocuments.Rules, caller);
    }

    private ApiResponse Saved(PolicySaveResult result, string document, Caller caller)
    {
        if (!result.Saved && !result.Conflict)
        {
            return Invalid("body", string.Join(" ", result.Errors));
        }

        if (result.Conflict)
        {
            return ProblemResponse(412, "precondition-failed", "Someone saved first.", string.Join(" ", result.Errors), etag: $"\"v{result.Version}\"");
        }

        policies.Invalidate();
        LogSaved(caller.Name, document, result.Version);
        return JsonResponse(200, new SavedMessage(result.Version), ApiJsonContext.Default.SavedMessage, VersionTag(result.Version));
    }

    /// <summary>Each rule error under a field path like <c>rules[2].then.team</c> (1-based, as the editor numbers rules).</summary>
    private static Dictionary<string, string[]> RuleErrors(IReadOnlyList<RuleError> errors) => errors
        .GroupBy(e => e.RuleIndex is int i ? string.Create(CultureInfo.InvariantCulture, $"rules[{i + 1}].{e.Field}") : e.Field)
        .ToDictionary(g => g.Key, g => g.Select(e => e.RuleName is { Length: > 0 } name ? $"{e.Message} (rule '{name}')" : e.Message).ToArray());

    private static Dictionary<string, string> VersionTag(int version) => new() { ["ETag"] = $"\"v{version}\"" };
}
