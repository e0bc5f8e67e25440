using System.Text.Json;
using SocialHandoff.Local.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class ScoreCommandTests
{
    private static async Task<JsonElement[]> RunAsync(string input)
    {
        var output = new StringWriter();
        var exit = await ScoreCommand.RunAsync([], new StringReader(input), output, CancellationToken.None);
        Assert.Equal(0, exit);
        return [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public async Task RunAsync_PlainAndJsonLines_OneResultEach()
    {
        var results = await RunAsync("""
            terrible service
            {"text":"got food poisoning","lang":"en","followers":120000,"verified":true,"likes":3,"reposts":1}
            """);
        Assert.Equal(2, results.Length);
        Assert.Equal("negative", results[0].GetProperty("label").GetString());
        Assert.True(results[0].GetProperty("compound").GetDouble() < -0.4);
        var reasons = results[1].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToArray();
        Assert.Contains("safety term: 'food poisoning'", reasons);
        Assert.Contains("reach: 120k followers", reasons);
        Assert.InRange(results[1].GetProperty("urgency").GetInt32(), 80, 100);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"lang\":\"en\"}", "no string field 'text'")]
    [InlineData("{\"text\":\"hi\",\"followers\":-5}", "field 'followers' must be a whole number")]
    [InlineData("{\"text\":\"hi\",\"verified\":\"yes\"}", "field 'verified' must be true or false")]
    public async Task RunAsync_BadLine_ReportsItAndGoesOn(string bad, string message)
    {
        var results = await RunAsync(bad + "\nawful\n");
        Assert.Equal(2, results.Length);
        Assert.Equal(1, results[0].GetProperty("line").GetInt64());
        Assert.Contains(message, results[0].GetProperty("error").GetString());
        Assert.Equal("negative", results[1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task RunAsync_TextItCannotJudge_SaysWhy()
    {
        var results = await RunAsync("{\"text\":\"muy malo\",\"lang\":\"es\"}\n");
        Assert.Equal("unknown", results[0].GetProperty("label").GetString());
        Assert.Equal("not English", results[0].GetProperty("notJudged").GetString());
    }
}
