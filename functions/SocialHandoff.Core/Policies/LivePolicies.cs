using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SocialHandoff.Core.Handoffs;
using SocialHandoff.Core.Routing;
using SocialHandoff.Core.Routing.Rules;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Policies;

/// <summary>How often running instances look for a new rule set or policy set.</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>
    /// Default 30 seconds. At most this long after a save, every instance routes and times with the
    /// new version; each refresh is one point read of the "current" row per document.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options) =>
        options.RefreshInterval < TimeSpan.Zero || options.RefreshInterval > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail($"Policies:RefreshInterval must be between 00:00:00 and 01:00:00 (got {options.RefreshInterval}).")
            : ValidateOptionsResult.Success;
}

/// <summary>
/// Version 1 of each document when the table has none: the rule set translated from the keyword
/// rules in <c>Routing</c>, and the policy set in <c>Sla:Seed</c> (or, when that has no policies,
/// one 24/7 policy per priority from the <c>Handoffs:P1..P4</c> targets).
/// </summary>
public sealed class PolicySeed(IOptions<RoutingOptions> routing, IOptions<HandoffOptions> handoffs, IOptions<SlaOptions> sla)
{
    public RuleSet Rules()
    {
        var settings = routing.Value;
        return new RuleSet
        {
            Rules = settings.Rules.Select(r => new RoutingRuleDefinition
            {
                Name = r.Name,
                When = new RuleConditions
                {
                    AnyWords = [.. r.Keywords],
                    Brands = [.. r.Brands],
                    MinUrgency = r.MinUrgency > 0 ? r.MinUrgency : null,
                },
                Then = new RuleAction { Team = r.Team, Priority = "auto" },
            }).ToList(),
            Default = new RuleAction { Team = settings.DefaultTeam, Priority = "auto" },
        };
    }

    public SlaPolicySet Sla()
    {
        if (sla.Value.Seed.Policies.Count > 0)
        {
            return sla.Value.Seed;
        }

        var targets = handoffs.Value;
        return new SlaPolicySet
        {
            Calendars = [new CalendarDefinition { Name = "24x7", AlwaysOpen = true }],
            Policies = new[] { "P1", "P2", "P3", "P4" }.Select(p => new SlaPolicyDefinition
            {
                Name = p.ToLowerInvariant(),
                Team = "*",
                Priority = p,
                Calendar = "24x7",
                FirstResponse = targets.TargetFor(p).FirstResponse,
                Resolution = targets.TargetFor(p).Resolution,
                WarnBefore = targets.TargetFor(p).FirstResponse / 5,
            }).Append(new SlaPolicyDefinition
            {
                Name = "default", Team = "*", Priority = "*", Calendar = "24x7",
                FirstResponse = targets.P4.FirstResponse, Resolution = targets.P4.Resolution, WarnBefore = targets.P4.FirstResponse / 5,
            }).ToList(),
        };
    }
}

/// <summary>
/// The rule set and policy set in force, cached. After <see cref="PolicyOptions.RefreshInterval"/>
/// the next caller re-reads only the "current" row; the body is read and compiled only when the
/// version moved. Older policy versions (the ones existing handoffs were timed by) are cached for
/// good: a version never changes. When storage cannot be read the cached version stays in use.
/// </summary>
public sealed partial class LivePolicies(
    PolicyStore store,
    PolicySeed seed,
    IOptions<PolicyOptions> options,
    TimeProvider timeProvider,
    ILogger<LivePolicies> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, SlaPolicyBook> _slaVersions = [];
    private RuleEngine? _rules;
    private SlaPolicyBook? _sla;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public async Task<RuleEngine> GetRulesAsync(CancellationToken cancellationToken)
    {
        await RefreshIfDueAsync(cancellationToken).ConfigureAwait(false);
        return _rules!;
    }

    public async Task<SlaPolicyBook> GetSlaAsync(CancellationToken cancellationToken)
    {
        await RefreshIfDueAsync(cancellationToken).ConfigureAwait(false);
        return _sla!;
    }

    /// <summary>The policy set of one saved version (what a handoff created under it is timed by).</summary>
    public async Task<SlaPolicyBook> GetSlaAsync(int version, CancellationToken cancellationToken)
    {
        lock (_slaVersions)
        {
            if (_slaVersions.TryGetValue(version, out var cached))
            {
                return cached;
            }
        }

        var set = await store.GetSlaAsync(version, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"SLA policy set version {version} is not in the Configuration table.");
        var book = SlaPolicyBook.Compile(set);
        lock (_slaVersions)
        {
            _slaVersions[version] = book;
        }

        return book;
    }

    /// <summary>Forgets when it last looked, so the next call re-reads the pointer (after a save by this instance).</summary>
    public void Invalidate() => _checkedAt = DateTimeOffset.MinValue;

    private async Task RefreshIfDueAsync(CancellationToken cancellationToken)
    {
        if (_rules is not null && timeProvider.GetUtcNow() - _checkedAt < options.Value.RefreshInterval)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_rules is not null && timeProvider.GetUtcNow() - _checkedAt < options.Value.RefreshInterval)
            {
                return;
            }

            try
            {
                _rules = await LoadRulesAsync(cancellationToken).ConfigureAwait(false);
                _sla = await LoadSlaAsync(cancellationToken).ConfigureAwait(false);
                _checkedAt = timeProvider.GetUtcNow();
            }
            catch (Exception ex) when (_rules is not null && _sla is not null && !cancellationToken.IsCancellationRequested)
            {
                LogRefreshFailed(ex, _rules.Rules.Version, _sla.Set.Version);
                _checkedAt = timeProvider.GetUtcNow();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RuleEngine> LoadRulesAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var version = await store.GetCurrentVersionAsync(PolicyDocuments.Rules, cancellationToken).ConfigureAwait(false);
            if (version is int v)
            {
                if (_rules?.Rules.Version == v)
                {
                    return _rules;
                }

                var set = await store.GetRulesAsync(v, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Rule set version {v} is named current but its row is missing.");
                LogLoaded("rule set", v, set.Author);
                return RuleEngine.Compile(set);
            }

            var result = await store.SaveRulesAsync(seed.Rules(), "seed (Routing settings)", 0, cancellationToken).ConfigureAwait(false);
            if (!result.Saved && !result.Conflict)
            {
                throw new InvalidOperationException("The seed rule set from the Routing settings is invalid: " + string.Join("; ", result.Errors));
            }

            if (attempt > 3)
            {
                throw new InvalidOperationException("Could not seed the rule set: " + string.Join("; ", result.Errors));
            }
        }
    }

    private async Task<SlaPolicyBook> LoadSlaAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var version = await store.GetCurrentVersionAsync(PolicyDocuments.Sla, cancellationToken).ConfigureAwait(false);
            if (version is int v)
            {
                if (_sla?.Set.Version == v)
                {
                    return _sla;
                }

                var book = await GetSlaAsync(v, cancellationToken).ConfigureAwait(false);
                LogLoaded("SLA policy set", v, book.Set.Author);
                return book;
            }

            var result = await store.SaveSlaAsync(seed.Sla(), "seed (Sla:Seed settings)", 0, cancellationToken).ConfigureAwait(false);
            if (!result.Saved && !result.Conflict)
            {
                throw new InvalidOperationException("The seed SLA policy set (Sla:Seed) is invalid: " + string.Join("; ", result.Errors));
            }

            if (attempt > 3)
            {
                throw new InvalidOperationException("Could not seed the SLA policy set: " + string.Join("; ", result.Errors));
            }
        }
    }

    [LoggerMessage(EventId = 1400, EventName = "PolicyDocumentLoaded", Level = LogLevel.Information, Message = "Using {Document} version {Version} by {Author}")]
    private partial void LogLoaded(string document, int version, string author);

    [LoggerMessage(EventId = 1401, EventName = "PolicyRefreshFailed", Level = LogLevel.Warning, Message = "Could not refresh the rules and policies; still using rule set v{RulesVersion} and SLA policy set v{SlaVersion}")]
    private partial void LogRefreshFailed(Exception exception, int rulesVersion, int slaVersion);
}
