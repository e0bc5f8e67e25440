using System.Text.Json;
using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Core.Tests.Ingestion;

public sealed class JsonTextTests
{
    [Theory]
    [InlineData("""{"t":"a\ud800b"}""", "a\uFFFDb")]
    [InlineData("""{"t":"a\udc00b"}""", "a\uFFFDb")]
    [InlineData("""{"t":"\ud800\ud800\udc00"}""", "\uFFFD𐀀")]
    [InlineData("""{"t":"end \uD83D"}""", "end \uFFFD")]
    [InlineData("""{"t":"\ud83d\ude00 ok"}""", "😀 ok")]
    [InlineData("""{"t":"literal \\ud800 stays"}""", "literal \\ud800 stays")]
    [InlineData("""{"t":"\\\ud800"}""", "\\\uFFFD")]
    public void ReplaceLoneSurrogateEscapes_Document_ReadableWithPairsAndLiteralsKept(string json, string expected)
    {
        var repaired = JsonText.ReplaceLoneSurrogateEscapes(json);

        Assert.Equal(expected, JsonDocument.Parse(repaired).RootElement.GetProperty("t").GetString());
    }

    [Fact]
    public void ReplaceLoneSurrogateEscapes_NothingToRepair_ReturnsTheSameString()
    {
        const string json = """{"t":"caf\u00e9 \n"}""";

        Assert.Same(json, JsonText.ReplaceLoneSurrogateEscapes(json));
    }
}
