using SocialHandoff.Core.Spikes;

namespace SocialHandoff.Core.Tests.Spikes;

public sealed class SpikeDetectorTests
{
    private static readonly SpikeOptions Options = new() { K = 3, Floor = 10, MinWeeks = 3, ColdStartFloor = 50 };

    [Fact]
    public void Threshold_FewerWeeksThanMinWeeks_ColdStartFloor()
    {
        var threshold = SpikeDetector.Threshold(new HourBaseline(2, 1, 2), Options);

        Assert.Equal((50, true), (threshold.Count, threshold.ColdStart));
        Assert.Contains("2 of 3 weeks", threshold.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, 0, 10)]
    [InlineData(40, 16, 52)]
    [InlineData(100, 100, 130)]
    public void Threshold_EnoughHistory_MaxOfFloorAndMeanPlusKSd(double mean, double variance, int expected) =>
        Assert.Equal(expected, SpikeDetector.Threshold(new HourBaseline(mean, variance, 3), Options).Count);

    [Fact]
    public void Fold_FirstWeek_SetsTheMeanWithNoVariance() =>
        Assert.Equal(new HourBaseline(7, 0, 1), SpikeDetector.Fold(HourBaseline.Empty, 7, 0.3));

    [Fact]
    public void Fold_SteadyCounts_MeanStaysAndVarianceStaysZero()
    {
        var baseline = HourBaseline.Empty;
        for (var week = 0; week < 10; week++)
        {
            baseline = SpikeDetector.Fold(baseline, 5, 0.3);
        }

        Assert.Equal((5.0, 0.0, 10), (baseline.Mean, baseline.Variance, baseline.Weeks));
    }

    [Fact]
    public void Fold_VaryingCounts_MeanMovesTowardTheNewCountAndVarianceGrows()
    {
        var baseline = SpikeDetector.Fold(SpikeDetector.Fold(HourBaseline.Empty, 10, 0.5), 20, 0.5);

        Assert.Equal(15, baseline.Mean, 6);
        Assert.Equal(25, baseline.Variance, 6);
    }

    [Theory]
    [InlineData("2026-11-02T00:30:00Z", 0)]
    [InlineData("2026-11-02T10:00:00Z", 10)]
    [InlineData("2026-11-08T23:59:00Z", 167)]
    [InlineData("2026-11-08T23:59:00-01:00", 0)]
    public void HourOfWeek_MondayMidnightUtcIsZero(string at, int bucket) =>
        Assert.Equal(bucket, SpikeDetector.HourOfWeek(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.Utc));

    [Theory]
    [InlineData("America/New_York", "2026-10-26T13:30:00Z", 9)] // Monday 09:30 EDT
    [InlineData("America/New_York", "2026-11-02T14:30:00Z", 9)] // Monday 09:30 EST, after the clocks went back
    [InlineData("Europe/Amsterdam", "2027-03-28T00:30:00Z", 145)] // Sunday 01:30 CET, before the spring change
    [InlineData("Europe/Amsterdam", "2027-03-28T01:30:00Z", 147)] // Sunday 03:30 CEST: 02:00-03:00 did not happen
    [InlineData("Europe/Amsterdam", "2026-10-25T00:30:00Z", 146)] // Sunday 02:30 CEST, the first of the repeated hour
    [InlineData("Europe/Amsterdam", "2026-10-25T01:30:00Z", 146)] // Sunday 02:30 CET, the second
    [InlineData("Asia/Kolkata", "2026-11-02T03:35:00Z", 9)] // Monday 09:05 IST
    [InlineData("Asia/Kolkata", "2026-11-02T04:25:00Z", 9)] // Monday 09:55 IST
    public void HourOfWeek_ConfiguredZone_FollowsItsClockAcrossDst(string zone, string at, int bucket) =>
        Assert.Equal(bucket, SpikeDetector.HourOfWeek(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone)));

    [Theory]
    [InlineData("UTC", "2026-11-02T10:59:59Z", "2026-11-02T10:00:00Z")]
    [InlineData("Asia/Kolkata", "2026-11-02T04:25:00Z", "2026-11-02T03:30:00Z")]
    [InlineData("Asia/Kathmandu", "2026-11-02T04:00:00Z", "2026-11-02T03:15:00Z")]
    [InlineData("Europe/Amsterdam", "2027-03-28T01:30:00Z", "2027-03-28T01:00:00Z")]
    [InlineData("Europe/Amsterdam", "2026-10-25T01:30:00Z", "2026-10-25T01:00:00Z")]
    public void HourStart_ConfiguredZone_InstantItsLocalHourBegan(string zone, string at, string start) =>
        Assert.Equal(
            DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            SpikeDetector.HourStart(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone)));

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    [InlineData("+02:00")]
    public void Validate_UnknownTimeZone_FailsNamingTheSettingAndTheValue(string zone)
    {
        var result = new SpikeOptionsValidator().Validate(null, new SpikeOptions { TimeZone = zone });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Spikes:TimeZone must be an IANA time zone id", StringComparison.Ordinal) && f.Contains($"'{zone}'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Amsterdam")]
    [InlineData("America/Sao_Paulo")]
    public void Validate_IanaTimeZone_Passes(string zone) =>
        Assert.True(new SpikeOptionsValidator().Validate(null, new SpikeOptions { TimeZone = zone }).Succeeded);

    [Fact]
    public void TopWords_CommonWordsLinksAndHandlesLeftOut_MostFrequentFirst() =>
        Assert.Equal(
            ["outage", "login", "app"],
            SpikeDetector.TopWords(["@contoso app outage, login broken https://x.example/a", "the outage again, login fails", "outage is still on"], 3));

    [Theory]
    [InlineData(0, 0.3, 10, 50, "Spikes:K must be above 0")]
    [InlineData(3, 0, 10, 50, "Spikes:Alpha must be above 0")]
    [InlineData(3, 0.3, 0, 50, "Spikes:Floor must be 1-1000000")]
    [InlineData(3, 0.3, 60, 50, "Spikes:ColdStartFloor must be at least Spikes:Floor")]
    public void Validate_BadSetting_FailsNamingIt(double k, double alpha, int floor, int coldStart, string message)
    {
        var result = new SpikeOptionsValidator().Validate(null, new SpikeOptions { K = k, Alpha = alpha, Floor = floor, ColdStartFloor = coldStart });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(message, StringComparison.Ordinal));
    }
}
