using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Access;

/// <summary>
/// Reads the <c>X-MS-CLIENT-PRINCIPAL</c> header that App Service Authentication puts on every
/// request it signed in (and strips from requests that come from outside): base64 of
/// <c>{"auth_typ","name_typ","role_typ","claims":[{"typ","val"}]}</c>. The person is keyed by the
/// Entra object id claim (a name can change or repeat); the name is kept for showing.
/// </summary>
public static class ClientPrincipal
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>The object id claim as Entra ID issues it through App Service, and its short JWT name.</summary>
    public static readonly IReadOnlyList<string> ObjectIdClaims = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];

    private const int MaxHeaderChars = 64 * 1024;
    private const int MaxValueChars = 256;
    private static readonly string[] NameClaims = ["name", "preferred_username", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "email"];
    private static readonly string[] RoleClaims = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"];

    /// <summary>
    /// The caller, or null when the header is missing, not base64, not the documented JSON, or has no
    /// object id. Never throws on what a client sends.
    /// </summary>
    public static Caller? TryRead(string? header) => TryRead(header, out _);

    /// <summary>As <see cref="TryRead(string?)"/>, saying why there is no caller.</summary>
    public static Caller? TryRead(string? header, out string why)
    {
        why = "";
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderChars)
        {
            why = string.IsNullOrWhiteSpace(header) ? "the header is missing" : "the header is too long";
            return null;
        }

        try
        {
            var json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header.Trim()));
            var principal = JsonSerializer.Deserialize(json, ClientPrincipalJsonContext.Default.ClientPrincipalJson);
            var claims = principal?.Claims?.OfType<ClaimJson>()
                .Where(c => c is { Type.Length: > 0, Value.Length: > 0 } && !HasControl(c.Type) && !HasControl(c.Value))
                .Select(c => (Type: c.Type!, Value: c.Value!))
                .ToList();
            if (claims is null)
            {
                why = "it has no claims";
                return null;
            }

            string? First(IEnumerable<string> types) => types
                .Select(t => claims.FirstOrDefault(c => string.Equals(c.Type, t, StringComparison.OrdinalIgnoreCase)).Value?.Trim())
                .FirstOrDefault(v => !string.IsNullOrEmpty(v) && v.Length <= MaxValueChars);

            var id = First(ObjectIdClaims);
            if (id is null)
            {
                why = "it has no object id claim (oid)";
                return null;
            }

            var name = First(principal!.NameType is { Length: > 0 } nt ? [nt, .. NameClaims] : NameClaims) ?? id;
            string[] roleTypes = principal.RoleType is { Length: > 0 } rt ? [rt, .. RoleClaims] : RoleClaims;
            var roles = claims
                .Where(c => roleTypes.Contains(c.Type, StringComparer.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(c.Value) && c.Value.Length <= MaxValueChars)
                .Select(c => c.Value.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            return new Caller(name, roles) { Id = id };
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException or ArgumentException or InvalidOperationException)
        {
            // InvalidOperationException: an escaped lone surrogate; ArgumentException: bytes the decoder refuses.
            why = "it is not base64 of the documented JSON";
            return null;
        }
    }

    /// <summary>The header value App Service would send for this caller (for tests and the local runner's clients).</summary>
    public static string Encode(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var claims = new List<ClaimJson?> { new(ObjectIdClaims[0], caller.Id), new("name", caller.Name) };
        claims.AddRange(caller.Roles.Select(r => new ClaimJson("roles", r)));
        var json = JsonSerializer.Serialize(new ClientPrincipalJson("aad", "name", "roles", claims), ClientPrincipalJsonContext.Default.ClientPrincipalJson);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static bool HasControl(string? value) => value is not null && value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0;
}

internal sealed record ClaimJson([property: JsonPropertyName("typ")] string? Type, [property: JsonPropertyName("val")] string? Value);

internal sealed record ClientPrincipalJson(
    [property: JsonPropertyName("auth_typ")] string? AuthType,
    [property: JsonPropertyName("name_typ")] string? NameType,
    [property: JsonPropertyName("role_typ")] string? RoleType,
    [property: JsonPropertyName("claims")] List<ClaimJson?>? Claims);

[JsonSerializable(typeof(ClientPrincipalJson))]
internal sealed partial class ClientPrincipalJsonContext : JsonSerializerContext
{
}
