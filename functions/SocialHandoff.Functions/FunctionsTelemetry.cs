using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Functions;

/// <summary>
/// The worker's OpenTelemetry, as the Functions docs set it up for the isolated worker
/// (Worker.OpenTelemetry's <c>UseFunctionsWorkerDefaults</c>, which ties our spans to the invocation,
/// and the Azure Monitor exporter for traces, metrics and logs), plus the SocialHandoff meter and
/// activity source. host.json's <c>telemetryMode: OpenTelemetry</c> does the same for the host.
/// </summary>
public static class FunctionsTelemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>"Authorization=AAD" (optionally ";ClientId=&lt;user-assigned identity&gt;"): Application Insights takes only Entra tokens (the Bicep turns local auth off).</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>
    /// Exports to Application Insights when <see cref="ConnectionStringSetting"/> is set (in Azure the
    /// Bicep sets it); without it (a local <c>func start</c>) the meter and spans still run and nothing
    /// is exported.
    /// </summary>
    public static IServiceCollection AddSocialHandoffTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(SocialHandoffTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(SocialHandoffTelemetry.Name));
        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            var credential = Credential(configuration[AuthenticationStringSetting]);
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.Credential = credential;
            });
        }

        return services;
    }

    /// <summary>
    /// The credential the exporter sends with: the app's managed identity when the authentication
    /// string asks for Entra ID (system-assigned, or the user-assigned one its ClientId names); null
    /// (the connection string's key) otherwise. Anything else in the string is a deploy error, so it
    /// fails at start-up rather than losing every metric quietly.
    /// </summary>
    public static TokenCredential? Credential(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase)
            || parts.Keys.Any(k => !k.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !k.Equals("ClientId", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException(
                $"{AuthenticationStringSetting} must be 'Authorization=AAD' or 'Authorization=AAD;ClientId=<client id>'; it is '{authenticationString}'.");
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
