namespace SocialHandoff.Core.Access;

/// <summary>
/// What App Service says about the app through the settings it sets itself: <c>WEBSITE_SITE_NAME</c>
/// (running on App Service) and <c>WEBSITE_AUTH_ENABLED</c> (<c>True</c> when App Service
/// Authentication is on, the only case in which it strips a client's own <c>X-MS-CLIENT-PRINCIPAL</c>
/// and sets its own). Read once at start-up; tests construct their own.
/// </summary>
public sealed record AppServicePlatform(bool OnAppService, bool AuthenticationEnabled)
{
    public const string SiteNameVariable = "WEBSITE_SITE_NAME";
    public const string AuthEnabledVariable = "WEBSITE_AUTH_ENABLED";

    public static AppServicePlatform FromEnvironment() => new(
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SiteNameVariable)),
        string.Equals(Environment.GetEnvironmentVariable(AuthEnabledVariable), "True", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// On App Service the principal header is trusted only with App Service Authentication on: without
    /// it the header is whatever the client sent. Elsewhere (the local runner on loopback, tests) it is read as given.
    /// </summary>
    public bool TrustsPrincipalHeader => !OnAppService || AuthenticationEnabled;
}
