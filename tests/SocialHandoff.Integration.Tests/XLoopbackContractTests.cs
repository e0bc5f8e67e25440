using System.Net.Http.Headers;
using SocialHandoff.Core.Ingestion.X;

namespace SocialHandoff.Integration.Tests;

/// <summary>The loopback X server answers in the shapes of X's published OpenAPI spec (see <see cref="XApiContract"/>).</summary>
public sealed class XLoopbackContractTests
{
    [Fact]
    public async Task Responses_EveryKindTheServerSends_FitTheSpecSchemas()
    {
        var recent = XSnowflake.ForTime(DateTimeOffset.UtcNow.AddHours(-1));
        var page = $$$"""
            {"data":[{"id":"{{{recent}}}","text":"@contoso refund?","author_id":"9","created_at":"2026-11-02T09:05:00.000Z","lang":"en","note_tweet":{"text":"@contoso refund? (long)"}}],
             "includes":{"users":[{"id":"8","name":"A","username":"a"}]},
             "errors":[{{{XLoopbackServer.AuthorNotFound("9")}}}],
             "meta":{"newest_id":"{{{recent}}}","oldest_id":"{{{recent}}}","result_count":1,"next_token":"b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy2nooal5ll"}}
            """;
        await using var server = await XLoopbackServer.StartAsync((context, n) => n switch
        {
            0 => XLoopbackServer.JsonAsync(context, 200, page),
            1 => XLoopbackServer.JsonAsync(context, 200, """{"meta":{"result_count":0}}"""),
            2 => XLoopbackServer.RateLimitedAsync(context, DateTimeOffset.UtcNow.AddMinutes(5)),
            3 => XLoopbackServer.UsageCappedAsync(context),
            _ => XLoopbackServer.JsonAsync(context, 503, XLoopbackServer.Problem("Service Unavailable", "Service Unavailable", 503)),
        });
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var old = XSnowflake.ForTime(DateTimeOffset.UtcNow.AddDays(-8));
        string[] queries =
        [
            "query=contoso", "query=contoso", "query=contoso", "query=contoso", "query=contoso",
            "query=" + new string('q', 513),
            "query=contoso&max_results=500",
            "query=contoso&since_id=" + old,
            "query=contoso&start_time=2020-01-01T00:00:00Z",
            "query=contoso&since_id=" + recent + "&start_time=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
        ];
        foreach (var query in queries)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "2/tweets/search/recent?" + query);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t");
            using var _ = await http.SendAsync(request);
        }

        using (var _ = await http.GetAsync(new Uri("2/tweets/search/recent?query=contoso", UriKind.Relative)))
        {
        }

        var responses = server.Responses.ToArray();
        Assert.Equal(queries.Length + 1, responses.Length);
        Assert.Equal([200, 200, 429, 429, 503, 400, 400, 400, 400, 400, 401], responses.Select(r => r.Status));
        Assert.All(responses, r => Assert.Empty(XApiContract.Check(r.Status, r.ContentType, r.Body)));
    }

    [Theory]
    [InlineData(200, "application/json", """{"data":[],"meta":{}}""", "data is an array with minItems 1")]
    [InlineData(200, "application/json", """{"data":[{"id":"12a","text":"x"}],"meta":{}}""", "data[].id matches")]
    [InlineData(200, "application/json", """{"data":[{"id":"1","text":"x"}]}""", "meta is an object")]
    [InlineData(400, "application/problem+json", """{"title":"Invalid Request","type":"https://api.twitter.com/2/problems/invalid-request"}""", "errors has at least one entry")]
    [InlineData(400, "application/problem+json", """{"title":"Invalid Request"}""", "type is a required string")]
    [InlineData(429, "application/json", """{"title":"Too Many Requests","type":"about:blank"}""", "429 is application/problem+json")]
    [InlineData(429, "application/problem+json", """{"title":"UsageCapExceeded","type":"https://api.twitter.com/2/problems/usage-capped","period":"Weekly","scope":"Product"}""", "period is Daily or Monthly")]
    public void Check_BodyOutsideTheSpec_NamesTheRuleItBreaks(int status, string contentType, string body, string rule)
    {
        Assert.Contains(XApiContract.Check(status, contentType, body), e => e.Contains(rule, StringComparison.Ordinal));
    }
}
