using Microsoft.Extensions.Options;

namespace SocialHandoff.Core.Access;

/// <summary>The API's settings (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>
    /// Local development only: the identities a request may act as without App Service
    /// Authentication, as <c>name=role,role;name=role</c> (the first is the default). Empty in Azure,
    /// and start-up fails when it is set there.
    /// </summary>
    public string DevIdentities { get; set; } = "";

    /// <summary>An item counts as at risk when a running clock falls due within this time (when its policy gives no warning time). Default 30 minutes.</summary>
    public TimeSpan AtRiskWithin { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The environment variable App Service sets on every app it runs.</summary>
    public const string AzureMarkerVariable = "WEBSITE_SITE_NAME";

    public static bool RunningInAzure => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AzureMarkerVariable));

    /// <summary>The parsed development identities, in the order given.</summary>
    public IReadOnlyList<Caller> ParseDevIdentities() => DevIdentityList.Parse(DevIdentities, out _);
}

internal static class DevIdentityList
{
    public static IReadOnlyList<Caller> Parse(string value, out IReadOnlyList<string> errors)
    {
        var callers = new List<Caller>();
        var problems = new List<string>();
        foreach (var part in (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? part : part[..eq].Trim();
            var roles = eq < 0 ? [] : part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (name.Length == 0 || roles.Length == 0)
            {
                problems.Add($"Api:DevIdentities: '{part}' must be name=role[,role] (roles: agent.<team>, manager, admin).");
                continue;
            }

            var bad = roles.Where(r => !IsKnownRole(r)).ToList();
            if (bad.Count > 0)
            {
                problems.Add($"Api:DevIdentities: {name} has unknown role(s) {string.Join(", ", bad)}; use agent.<team>, manager or admin.");
                continue;
            }

            if (callers.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"Api:DevIdentities: {name} is listed twice.");
                continue;
            }

            callers.Add(new Caller(name, roles));
        }

        errors = problems;
        return callers;
    }

    private static bool IsKnownRole(string role) =>
        role is Caller.ManagerRole or Caller.AdminRole
        || (role.StartsWith(Caller.AgentRolePrefix, StringComparison.Ordinal) && Storage.StorageNames.IsValidTeamName(role[Caller.AgentRolePrefix.Length..]));
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var errors = new List<string>();
        DevIdentityList.Parse(options.DevIdentities, out var identityErrors);
        errors.AddRange(identityErrors);
        if (!string.IsNullOrWhiteSpace(options.DevIdentities) && ApiOptions.RunningInAzure)
        {
            errors.Add($"Api:DevIdentities is set while running in Azure ({ApiOptions.AzureMarkerVariable} is present): remove the setting; App Service Authentication signs users in there.");
        }

        if (options.AtRiskWithin <= TimeSpan.Zero)
        {
            errors.Add($"Api:AtRiskWithin must be positive (got {options.AtRiskWithin}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
