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
                       {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"agent.care"},
                       {"typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role","val":"agent.pr"},
                       {"typ":"name","val":"Dana"}]}
            """;

        var caller = ClientPrincipal.TryRead(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)))!;

        Assert.Equal("dana@contoso.com", caller.Name);
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
    public void Cell_HostileOrSpecialText_QuotedAndNeverAFormula(string value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }
}
