using System.Text.Json;
using SocialHandoff.Core.Policies;
using SocialHandoff.Core.Sla;

namespace SocialHandoff.Core.Tests.Sla;

public sealed class SlaDurationTests
{
    [Theory]
    [InlineData("90 min", 90)]
    [InlineData("90min", 90)]
    [InlineData("1h30", 90)]
    [InlineData("1h 30m", 90)]
    [InlineData("1 h 30 min", 90)]
    [InlineData("1 hour and 30 minutes", 90)]
    [InlineData("1 Hour, 30 Minutes", 90)]
    [InlineData("1.5 h", 90)]
    [InlineData("01:30:00", 90)]
    [InlineData("1:30", 90)]
    [InlineData("2 days", 2880)]
    [InlineData("2 d", 2880)]
    [InlineData("2d", 2880)]
    [InlineData("1d4", 1680)]
    [InlineData("1.00:00:00", 1440)]
    [InlineData("1 week", 10080)]
    [InlineData("  45 mins  ", 45)]
    [InlineData("PT1H30M", 90)]
    [InlineData("P2D", 2880)]
    public void TryParse_ForgivingForms_ReadsTheDuration(string text, int minutes)
    {
        Assert.True(SlaDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMinutes(minutes), value);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("soon", "expected a number")]
    [InlineData("90", "without a unit")]
    [InlineData("2 fortnights", "'fortnights' is not a unit")]
    [InlineData("-1 h", "negative")]
    [InlineData("30 min 1 h", "out of order")]
    [InlineData("1 h 1 h", "out of order")]
    [InlineData("1..5 h", "is not a number")]
    [InlineData("25:00", "minutes 00-59")]
    [InlineData("1:75", "minutes 00-59")]
    [InlineData("99999999999999999999 weeks", "far too long")]
    [InlineData("P1X", "ISO 8601")]
    [InlineData("pending", "ISO 8601")]
    public void TryParse_NotADuration_SaysPlainlyWhatIsWrong(string text, string expected)
    {
        Assert.False(SlaDuration.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(90, "1 h 30 min")]
    [InlineData(2880, "2 d")]
    [InlineData(45, "45 min")]
    [InlineData(0, "0 min")]
    [InlineData(1441, "1 d 1 min")]
    [InlineData(-30, "-30 min")]
    public void Format_Minutes_ReadsAsManagersWriteIt(int minutes, string expected)
    {
        Assert.Equal(expected, SlaDuration.Format(TimeSpan.FromMinutes(minutes)));
    }

    [Fact]
    public void Format_ThenTryParse_EveryWholeMinuteUpToAYearRoundTrips()
    {
        var random = new Random(13);
        for (var i = 0; i < 2000; i++)
        {
            var value = TimeSpan.FromMinutes(random.Next(1, 366 * 24 * 60));
            Assert.True(SlaDuration.TryParse(SlaDuration.Format(value), out var back, out var error), error);
            Assert.Equal(value, back);
        }
    }

    [Fact]
    public void PolicyJson_HumanDurations_ReadAndWrittenInTheStoredForm()
    {
        const string json = """{"calendars":[],"policies":[{"name":"p","firstResponse":"1 h 30 min","resolution":"2 days","warnBefore":"00:15:00"}]}""";

        var set = JsonSerializer.Deserialize(json, PolicyJsonContext.Default.SlaPolicySet)!;
        var written = JsonSerializer.Serialize(set, PolicyJsonContext.Default.SlaPolicySet);

        Assert.Equal(TimeSpan.FromMinutes(90), set.Policies[0].FirstResponse);
        Assert.Equal(TimeSpan.FromDays(2), set.Policies[0].Resolution);
        Assert.Contains("\"firstResponse\":\"01:30:00\"", written, StringComparison.Ordinal);
        Assert.Contains("\"resolution\":\"2.00:00:00\"", written, StringComparison.Ordinal);
        Assert.Contains("\"warnBefore\":\"00:15:00\"", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"soon\"", "expected a number")]
    [InlineData("90", "in quotes")]
    [InlineData("null", "in quotes")]
    public void PolicyJson_BadDuration_PlainErrorWithThePath(string value, string expected)
    {
        var json = $$"""{"policies":[{"name":"p","firstResponse":{{value}}}]}""";

        var error = Assert.Throws<SlaDurationJsonException>(() => JsonSerializer.Deserialize(json, PolicyJsonContext.Default.SlaPolicySet));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("$.policies[0].firstResponse", error.Path);
    }
}
