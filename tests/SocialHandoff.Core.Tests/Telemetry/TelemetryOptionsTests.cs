using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SocialHandoff.Core.Api;
using SocialHandoff.Core.Telemetry;
using SocialHandoff.Local.Telemetry;

namespace SocialHandoff.Core.Tests.Telemetry;

/// <summary>The local runner's opt-in exporter settings, validated as at start-up, and the names the telemetry is keyed on.</summary>
public sealed class TelemetryOptionsTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("none", null)]
    [InlineData("console", null)]
    [InlineData("Console", null)]
    [InlineData("otlp", "http://localhost:4317")]
    [InlineData("otlp", "https://collector.example:4318")]
    public void Start_ValidExporterSettings_Starts(string? exporter, string? endpoint)
    {
        using var provider = Build(exporter, endpoint);

        Assert.NotNull(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value);
    }

    [Theory]
    [InlineData("otel", null, "Telemetry:Exporter must be none, console or otlp")]
    [InlineData("otlp", null, "Telemetry:OtlpEndpoint must be an absolute http(s) URL")]
    [InlineData("otlp", "localhost:4317", "Telemetry:OtlpEndpoint must be an absolute http(s) URL")]
    [InlineData("console", "http://localhost:4317", "Telemetry:OtlpEndpoint is set but Telemetry:Exporter is 'console'")]
    [InlineData(null, "http://localhost:4317", "Telemetry:OtlpEndpoint is set but Telemetry:Exporter is 'none'")]
    public void Start_InvalidExporterSettings_FailsNamingTheSetting(string? exporter, string? endpoint, string expected)
    {
        using var provider = Build(exporter, endpoint);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TelemetryOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("none", false)]
    [InlineData("console", true)]
    [InlineData("otlp", true)]
    public void AddLocalTelemetry_Exporter_RegistersTheSdkOnlyWhenAskedFor(string? exporter, bool registered)
    {
        using var provider = Build(exporter, exporter == "otlp" ? "http://localhost:4317" : null);

        Assert.Equal(registered, provider.GetService<TracerProvider>() is not null);
        Assert.Equal(registered, provider.GetService<MeterProvider>() is not null);
    }

    [Theory]
    [InlineData("/api/handoffs/h-123/claim", "/api/handoffs/{id}/claim")]
    [InlineData("/api/teams/care/handoffs?status=open", "/api/teams/{id}/handoffs")]
    [InlineData("/api/sla/summary.csv", "/api/sla/summary.csv")]
    [InlineData("/api/rules/dry-run", "/api/rules/dry-run")]
    [InlineData("/api/handoffs/%2e%2e/anything/else/more/and/more", "/api/handoffs/{id}/{id}/{id}/{id}")]
    public void RouteTemplate_Path_IdsReplacedSoSpanNamesStayFew(string path, string expected) =>
        Assert.Equal(expected, WorkApi.RouteTemplate(path));

    [Fact]
    public void AllInstruments_Names_UniqueLowercaseAndUnderTheProductPrefix()
    {
        Assert.Equal(SocialHandoffTelemetry.AllInstruments.Count, SocialHandoffTelemetry.AllInstruments.Distinct(StringComparer.Ordinal).Count());
        Assert.All(SocialHandoffTelemetry.AllInstruments, n => Assert.Matches("^socialhandoff\\.[a-z_.]+$", n));
    }

    private static ServiceProvider Build(string? exporter, string? endpoint)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:Exporter"] = exporter,
            ["Telemetry:OtlpEndpoint"] = endpoint,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddLocalTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
