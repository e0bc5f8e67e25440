using System.Text;
using SocialHandoff.Core.Access;
using SocialHandoff.Core.Reports;

namespace SocialHandoff.Core.Tests.Access;

public sealed class AccessTests
{
    [Fact]
    public void TryRead_AppServicePrincipal_NameAndRolesFromTheNamedClaimTypes()
    {
        // The shape App Service Authentication sends for Entra ID (claim types as it names them).
        const string json = """
            {"auth_typ":"aad","name_typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress","role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
             "claims":[{"typ":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress","val":"dana@contoso.com"},
                       {"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"6f1c9a2e-0000-4000-8000-00000000d4a4"},
                       {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"agent.care"},
                       {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"agent.pr"},
                       {"typ":"name","val":"Dana"}]}
            """;

        var caller = ClientPrincipal.TryRead(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)))!;

        Assert.Equal("dana@contoso.com", caller.Name);
        Assert.Equal("6f1c9a2e-0000-4000-8000-00000000d4a4", caller.Id);
        Assert.Equal(["care", "pr"], caller.Teams);
        Assert.True(caller.CanWork("pr"));
        Assert.False(caller.CanWork("legal"));
        Assert.False(caller.IsManager);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("%%%")]
    [InlineData("bnVsbA==")]
    [InlineData("eyJjbGFpbXMiOltdfQ==")]
    public void TryRead_MissingOrUnreadable_NoCaller(string? header)
    {
        Assert.Null(ClientPrincipal.TryRead(header));
    }

    [Theory]
    [InlineData("""{"claims":[null]}""")]
    [InlineData("""{"claims":null}""")]
    [InlineData("""{"claims":[{}]}""")]
    [InlineData("""{"claims":[{"typ":null,"val":null}]}""")]
    [InlineData("""{"claims":[{"typ":"oid","val":null},{"typ":"name","val":"x"}]}""")]
    [InlineData("""{"claims":[{"typ":"oid","val":"\ud800"}]}""")]
    [InlineData("""{"claims":[{"typ":1,"val":2}]}""")]
    [InlineData("""{"claims":{"typ":"oid","val":"x"}}""")]
    [InlineData("""{"claims":[{"typ":"oid","val":"a\u0000b"}]}""")]
    [InlineData("null")]
    [InlineData("[]")]
    public void TryRead_NullClaimsFieldsOrBadJson_NoCallerNeverThrows(string json)
    {
        Assert.Null(ClientPrincipal.TryRead(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), out var why));
        Assert.NotEmpty(why);
    }

    [Fact]
    public void TryRead_InvalidUtf8_NoCaller()
    {
        Assert.Null(ClientPrincipal.TryRead(Convert.ToBase64String([0x7b, 0xff, 0xfe, 0x7d])));
    }

    [Fact]
    public void TryRead_NameButNoObjectId_NoCallerBecauseANameIsNotAKey()
    {
        const string json = """{"claims":[{"typ":"name","val":"Dana"},{"typ":"roles","val":"manager"}]}""";

        Assert.Null(ClientPrincipal.TryRead(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), out var why));
        Assert.Contains("object id", why, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_TwoPeopleWithTheSameName_DifferentKeysSameDisplayName()
    {
        static string Principal(string oid) => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            "{\"claims\":[{\"typ\":\"oid\",\"val\":\"" + oid + "\"},{\"typ\":\"name\",\"val\":\"Sam Lee\"}]}"));

        var first = ClientPrincipal.TryRead(Principal("11111111-1111-1111-1111-111111111111"))!;
        var second = ClientPrincipal.TryRead(Principal("22222222-2222-2222-2222-222222222222"))!;

        Assert.Equal(first.Name, second.Name);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("11111111-1111-1111-1111-111111111111", first.Id);
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    public void TrustsPrincipalHeader_OnAppServiceOnlyWithAuthenticationOn(bool onAppService, bool authEnabled, bool trusted)
    {
        Assert.Equal(trusted, new AppServicePlatform(onAppService, authEnabled).TrustsPrincipalHeader);
    }

    [Fact]
    public void Caller_Manager_WorksEveryTeamAdminIsManager()
    {
        Assert.True(new Caller("mia", ["manager"]).CanWork("legal"));
        Assert.True(new Caller("root", ["admin"]).IsManager);
        var roundTrip = ClientPrincipal.TryRead(ClientPrincipal.Encode(new Caller("x", ["agent.care", "manager"])))!;
        Assert.Equal("x", roundTrip.Name);
        Assert.Equal(["agent.care", "manager"], roundTrip.Roles);
    }

    [Fact]
    public void Validate_DevIdentitiesMalformedOrUnknownRole_FailsNamingTheEntry()
    {
        var result = new ApiOptionsValidator().Validate(null, new ApiOptions { DevIdentities = "ana=agent.care;bob;cy=owner;ana=manager" });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("'bob'", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("owner", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("ana is listed twice", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("  =1+2", "'  =1+2")]
    [InlineData("\t=1+2", "'\t=1+2")]
    [InlineData("\r\n@SUM(A1)", "\"'\r\n@SUM(A1)\"")]
    [InlineData("\u3000+1", "'\u3000+1")]
    [InlineData("＝HYPERLINK(\"x\")", "\"'＝HYPERLINK(\"\"x\"\")\"")]
    [InlineData("＋1", "'＋1")]
    [InlineData("－1", "'－1")]
    [InlineData("＠SUM(A1)", "'＠SUM(A1)")]
    [InlineData("  plain words", "  plain words")]
    public void Cell_HostileOrSpecialText_QuotedAndNeverAFormula(string value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }
}
