using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Access;

/// <summary>
/// Reads the <c>X-MS-CLIENT-PRINCIPAL</c> header that App Service Authentication puts on every
/// request it signed in (and strips from requests that come from outside): base64 of
/// <c>{"auth_typ","name_typ","role_typ","claims":[{"typ","val"}]}</c>.
/// </summary>
public static class ClientPrincipal
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    private static readonly string[] NameClaims = ["preferred_username", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "email"];
    private static readonly string[] RoleClaims = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"];

    /// <summary>The caller, or null when the header is missing, not base64, not the documented JSON, or has no name.</summary>
    public static Caller? TryRead(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(header.Trim()));
            var principal = JsonSerializer.Deserialize(json, ClientPrincipalJsonContext.Default.ClientPrincipalJson);
            if (principal?.Claims is not { } claims)
            {
                return null;
            }

            string[] nameTypes = principal.NameType is { Length: > 0 } nt ? [nt, .. NameClaims] : NameClaims;
            string[] roleTypes = principal.RoleType is { Length: > 0 } rt ? [rt, .. RoleClaims] : RoleClaims;
            var name = nameTypes
                .Select(t => claims.FirstOrDefault(c => string.Equals(c.Type, t, StringComparison.OrdinalIgnoreCase))?.Value)
                .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
            if (name is null)
            {
                return null;
            }

            var roles = claims
                .Where(c => roleTypes.Contains(c.Type, StringComparer.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(c.Value))
                .Select(c => c.Value!.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            return new Caller(name.Trim(), roles);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The header value App Service would send for this caller (for tests and the local runner's clients).</summary>
    public static string Encode(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var claims = new List<ClaimJson> { new("name", caller.Name) };
        claims.AddRange(caller.Roles.Select(r => new ClaimJson("roles", r)));
        var json = JsonSerializer.Serialize(new ClientPrincipalJson("aad", "name", "roles", claims), ClientPrincipalJsonContext.Default.ClientPrincipalJson);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }
}

internal sealed record ClaimJson([property: JsonPropertyName("typ")] string? Type, [property: JsonPropertyName("val")] string? Value);

internal sealed record ClientPrincipalJson(
    [property: JsonPropertyName("auth_typ")] string? AuthType,
    [property: JsonPropertyName("name_typ")] string? NameType,
    [property: JsonPropertyName("role_typ")] string? RoleType,
    [property: JsonPropertyName("claims")] List<ClaimJson>? Claims);

[JsonSerializable(typeof(ClientPrincipalJson))]
internal sealed partial class ClientPrincipalJsonContext : JsonSerializerContext
{
}
