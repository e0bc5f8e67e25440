using System.Text.Json;
using SocialHandoff.Core.Api;

namespace SocialHandoff.Core.Tests.Api;

public sealed class JsonBodyCheckTests
{
    [Theory]
    [InlineData("""{"team":"a","team":"b"}""", "team")]
    [InlineData("""{"team":"a","Team":"b"}""", "Team")]
    [InlineData("""{"rules":[{"name":"x","when":{"anyWords":[],"anyWords":[]}}]}""", "rules[0].when.anyWords")]
    [InlineData("""{"rules":[null]}""", "rules[0]")]
    [InlineData("""{"week":{"mon":["09:00-17:00",null]}}""", "week.mon[1]")]
    [InlineData("""{"reply":"\ud800"}""", "reply")]
    [InlineData("""{"a":{"b":"x\udc00"}}""", "a.b")]
    [InlineData("""{"\ud800":1}""", "?")]
    [InlineData("\"\\ud83d\"", "body")]
    public void Find_DuplicateKeyNullInListOrLoneSurrogate_NamesTheField(string body, string field)
    {
        var problem = JsonBodyCheck.Find(body);

        Assert.NotNull(problem);
        Assert.Equal(field, problem.Value.Field);
    }

    [Theory]
    [InlineData("""{"reply":"fine 😀","note":null,"list":[1,"a",{"b":[]}]}""")]
    [InlineData("[]")]
    [InlineData("{}")]
    public void Find_WellFormedBody_NoProblem(string body)
    {
        Assert.Null(JsonBodyCheck.Find(body));
    }

    [Fact]
    public void Find_NestedDeeperThanAnyDocument_RefusedAsUnreadable()
    {
        var deep = new string('[', JsonBodyCheck.MaxDepth + 1) + new string(']', JsonBodyCheck.MaxDepth + 1);

        Assert.ThrowsAny<JsonException>(() => JsonBodyCheck.Find(deep));
    }
}
