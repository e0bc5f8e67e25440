using System.Buffers;
using System.Text;
using System.Text.Json;
using SocialHandoff.Local.Scoring;

namespace SocialHandoff.Core.Tests.Scoring;

public sealed class RoundedNumberTests
{
    // What `score` wrote before: the writer's own formatting of the rounded value.
    private static string ByTheWriter(double value, int decimals) => Json(w => w.WriteNumber("n"u8, Math.Round(value, decimals)));

    private static string ByRoundedNumber(double value, int decimals) => Json(w => RoundedNumber.Write(w, "n"u8, value, decimals));

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("before"u8, 1);
            write(writer);
            writer.WriteBoolean("after"u8, true);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(0.0, 4)]
    [InlineData(-0.00001, 4)]
    [InlineData(0.00005, 4)]
    [InlineData(0.00015, 4)]
    [InlineData(1.0, 3)]
    [InlineData(-1.0, 4)]
    [InlineData(0.9999999, 3)]
    [InlineData(-0.68, 4)]
    [InlineData(0.1 + 0.2, 4)]
    [InlineData(0.0001, 4)]
    [InlineData(0.00005, 5)]
    [InlineData(-0.00012, 6)]
    [InlineData(0.5, 0)]
    [InlineData(1.5, 0)]
    [InlineData(123456.1234565, 6)]
    [InlineData(999_999_999.5, 0)]
    [InlineData(1e12, 2)]
    public void Write_EdgeValues_SameBytesAsTheWriter(double value, int decimals) =>
        Assert.Equal(ByTheWriter(value, decimals), ByRoundedNumber(value, decimals));

    [Fact]
    public void Write_RandomValuesAtEachPrecision_SameBytesAsTheWriter()
    {
        var random = new Random(16);
        for (var i = 0; i < 200_000; i++)
        {
            var decimals = i % 7;
            var value = (random.NextDouble() * 2 - 1) * (i % 4 == 0 ? 1 : i % 4 == 1 ? 1000 : i % 4 == 2 ? 1e8 : 1e-3);
            Assert.Equal(ByTheWriter(value, decimals), ByRoundedNumber(value, decimals));
        }
    }

    [Fact]
    public void Write_EveryScoreOfFourDecimals_SameBytesAsTheWriter()
    {
        // Every value a compound in [-1, 1] can be written as, and the midpoints between them.
        for (var k = -20_000; k <= 20_000; k++)
        {
            Assert.Equal(ByTheWriter(k / 20_000.0, 4), ByRoundedNumber(k / 20_000.0, 4));
        }
    }

    [Fact]
    public void Write_NegativeZero_MinusZeroAsTheWriterWritesIt()
    {
        Assert.Equal(ByTheWriter(-0.0, 4), ByRoundedNumber(-0.0, 4));
        Assert.Contains("\"n\":-0,", ByRoundedNumber(-0.0, 4), StringComparison.Ordinal);
    }

    [Fact]
    public void TryFormat_NotFinite_LeftToTheWriter()
    {
        Span<byte> destination = stackalloc byte[32];
        Assert.False(RoundedNumber.TryFormat(double.NaN, 4, destination, out _));
        Assert.False(RoundedNumber.TryFormat(double.PositiveInfinity, 4, destination, out _));
    }
}
