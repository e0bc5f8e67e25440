using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Core.Tests.Ingestion;

/// <summary>The queue body's contract as the trace context joined it: optional, and no reader of an older body breaks.</summary>
public sealed class MentionMessageContractTests
{
    private const string BodyBeforeTraceParent =
        """{"schemaVersion":1,"correlationId":"c1","source":"x:contoso","id":"42","author":{"handle":"ana"},"text":"hello @contoso","metrics":{},"postedAt":"2026-11-02T09:00:00+00:00"}""";

    [Fact]
    public void TryParse_BodyWrittenBeforeTraceParent_ParsesWithNoTraceParent()
    {
        Assert.True(MentionJson.TryParse(BodyBeforeTraceParent, out var mention, out var reason), reason);

        Assert.Null(mention.TraceParent);
        Assert.Equal("x:contoso:42", mention.Key);
    }

    [Fact]
    public void Serialize_WithTraceParent_RoundTripsAsCamelCaseTraceParent()
    {
        Assert.True(MentionJson.TryParse(BodyBeforeTraceParent, out var mention, out _));
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var body = MentionJson.Serialize(mention with { TraceParent = traceParent });

        Assert.Contains($"\"traceParent\":\"{traceParent}\"", body, StringComparison.Ordinal);
        Assert.True(MentionJson.TryParse(body, out var again, out _));
        Assert.Equal(traceParent, again.TraceParent);
    }

    [Fact]
    public void Serialize_WithoutTraceParent_WritesNoTraceParentField()
    {
        Assert.True(MentionJson.TryParse(BodyBeforeTraceParent, out var mention, out _));

        Assert.DoesNotContain("traceParent", MentionJson.Serialize(mention), StringComparison.Ordinal);
    }
}
