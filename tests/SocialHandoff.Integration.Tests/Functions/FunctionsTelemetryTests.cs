using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SocialHandoff.Functions;

namespace SocialHandoff.Integration.Tests.Functions;

/// <summary>The Functions app's exporter: Application Insights by Entra ID with the app's managed identity, as the Bicep configures it.</summary>
public sealed class FunctionsTelemetryTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/";

    [Theory]
    [InlineData("Authorization=AAD")]
    [InlineData("authorization=aad")]
    [InlineData(" Authorization = AAD ; ")]
    public void Credential_AadWithoutClientId_SystemAssignedManagedIdentity(string authentication) =>
        Assert.IsType<ManagedIdentityCredential>(FunctionsTelemetry.Credential(authentication));

    [Fact]
    public void Credential_AadWithClientId_UserAssignedManagedIdentity() =>
        Assert.IsType<ManagedIdentityCredential>(FunctionsTelemetry.Credential("Authorization=AAD;ClientId=5b2a4a8e-0000-4000-8000-000000000001"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Credential_NoAuthenticationString_NoCredential(string? authentication) =>
        Assert.Null(FunctionsTelemetry.Credential(authentication));

    [Theory]
    [InlineData("Authorization=Key")]
    [InlineData("AAD")]
    [InlineData("Authorization=AAD;Secret=x")]
    [InlineData("ClientId=abc")]
    public void Credential_AnythingElse_FailsAtStartUpNamingTheSetting(string authentication)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionsTelemetry.Credential(authentication));
        Assert.Contains(FunctionsTelemetry.AuthenticationStringSetting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSocialHandoffTelemetry_ConnectionStringAndAad_ExporterSendsWithTheManagedIdentity()
    {
        using var provider = Build(new()
        {
            [FunctionsTelemetry.ConnectionStringSetting] = ConnectionString,
            [FunctionsTelemetry.AuthenticationStringSetting] = "Authorization=AAD",
        });

        var exporter = provider.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;
        Assert.Equal(ConnectionString, exporter.ConnectionString);
        Assert.IsType<ManagedIdentityCredential>(exporter.Credential);
        Assert.NotNull(provider.GetService<TracerProvider>());
        Assert.NotNull(provider.GetService<MeterProvider>());
    }

    [Fact]
    public void AddSocialHandoffTelemetry_NoConnectionString_NoExporterAndStillStarts()
    {
        using var provider = Build([]);

        Assert.Null(provider.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue.ConnectionString);
        Assert.NotNull(provider.GetService<TracerProvider>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSocialHandoffTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
