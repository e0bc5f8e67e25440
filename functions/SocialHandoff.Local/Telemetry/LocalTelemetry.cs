using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SocialHandoff.Core.Telemetry;

namespace SocialHandoff.Local.Telemetry;

/// <summary>The local runner's telemetry: off unless asked for, since the console is also where the run reports.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public const string None = "none";
    public const string Console = "console";
    public const string Otlp = "otlp";

    /// <summary>none (the default), console (spans and metrics printed to stdout) or otlp (sent to <see cref="OtlpEndpoint"/>).</summary>
    public string Exporter { get; set; } = None;

    /// <summary>The OTLP receiver for Exporter=otlp, e.g. http://localhost:4317 (gRPC; an Aspire dashboard or a collector). Required with otlp, refused otherwise.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How often metrics are exported. Default 10 seconds, so a short run shows its counts.</summary>
    public TimeSpan MetricInterval { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        // An empty value (Telemetry__Exporter= in an environment) means the default, none.
        var exporter = string.IsNullOrWhiteSpace(options.Exporter) ? TelemetryOptions.None : options.Exporter.Trim().ToLowerInvariant();
        if (exporter is not (TelemetryOptions.None or TelemetryOptions.Console or TelemetryOptions.Otlp))
        {
            errors.Add($"Telemetry:Exporter must be none, console or otlp; it is '{options.Exporter}'.");
        }

        if (exporter == TelemetryOptions.Otlp && options.OtlpEndpoint is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
        {
            errors.Add("Telemetry:OtlpEndpoint must be an absolute http(s) URL (e.g. http://localhost:4317) when Telemetry:Exporter is otlp.");
        }

        if (exporter != TelemetryOptions.Otlp && options.OtlpEndpoint is not null)
        {
            errors.Add($"Telemetry:OtlpEndpoint is set but Telemetry:Exporter is '{exporter}': set Telemetry:Exporter=otlp to send to it, or remove it.");
        }

        if (options.MetricInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Telemetry:MetricInterval must be at least 1 second; it is {options.MetricInterval}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public static class LocalTelemetry
{
    /// <summary>
    /// The SocialHandoff meter and activity source through the exporter <see cref="TelemetryOptions"/>
    /// names (validated at start-up). With none, no SDK is registered at all: nothing listens, so
    /// spans are not even created.
    /// </summary>
    public static IServiceCollection AddLocalTelemetry(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();

        // The exporter is chosen while composing, before options exist; the validator still checks the value at start-up.
        var exporter = configuration[TelemetryOptions.SectionName + ":Exporter"]?.Trim().ToLowerInvariant();
        if (exporter is not (TelemetryOptions.Console or TelemetryOptions.Otlp))
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("SocialHandoff.Local"))
            .WithTracing(tracing => tracing.AddSource(SocialHandoffTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(SocialHandoffTelemetry.Name));
        if (exporter == TelemetryOptions.Console)
        {
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter());
            telemetry.WithMetrics(metrics => metrics.AddConsoleExporter());
        }
        else
        {
            telemetry.WithTracing(tracing => tracing.AddOtlpExporter());
            telemetry.WithMetrics(metrics => metrics.AddOtlpExporter());
            services.AddOptions<OtlpExporterOptions>().Configure<IOptions<TelemetryOptions>>((otlp, options) =>
            {
                if (options.Value.OtlpEndpoint is { } endpoint)
                {
                    otlp.Endpoint = endpoint;
                }
            });
        }

        services.AddOptions<MetricReaderOptions>().Configure<IOptions<TelemetryOptions>>((reader, options) =>
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.Value.MetricInterval.TotalMilliseconds);
        return services;
    }
}
