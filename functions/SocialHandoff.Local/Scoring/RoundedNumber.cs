using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SocialHandoff.Local.Scoring;

/// <summary>
/// Writes a number rounded to a few decimals (<c>Math.Round(value, decimals)</c>) byte for byte as
/// <see cref="Utf8JsonWriter.WriteNumber(ReadOnlySpan{byte}, double)"/> would, without its general
/// shortest-round-trip search: that search (and the fallback it sometimes takes) was a few percent
/// of every `score` line and a few dozen framework methods compiled a second time in a short run.
/// </summary>
/// <remarks>
/// Why the digits are simply the decimal ones: Math.Round scales, rounds to a whole number m and
/// divides by 10^decimals, so the double is the one nearest m / 10^decimals. Its shortest round-trip
/// form is that decimal without trailing zeros, because any other decimal as short differs from it
/// by at least 10^-decimals, far more than the gap between two doubles near it.
/// </remarks>
internal static class RoundedNumber
{
    private static readonly long[] Powers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    /// <summary>True when <paramref name="value"/> (already rounded to <paramref name="decimals"/>) is written here; false leaves it to the writer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryFormat(double value, int decimals, Span<byte> destination, out int written)
    {
        written = 0;
        // Below 10^-4 (other than zero), past 10^9 or not finite, the writer's own formatting is used:
        // it writes an exponent below 10^-4 ("5E-05") and past 10^15.
        var magnitude = Math.Abs(value);
        if ((uint)decimals >= Powers.Length || !(magnitude < 1e9) || (magnitude < 1e-4 && magnitude != 0) || destination.Length < 32)
        {
            return false;
        }

        var power = Powers[decimals];
        var scaled = (long)Math.Round(magnitude * power);
        if (double.IsNegative(value))
        {
            destination[written++] = (byte)'-';
        }

        var whole = scaled / power;
        var fraction = scaled % power;
        written += WriteDigits(whole, destination[written..]);
        if (fraction != 0)
        {
            destination[written++] = (byte)'.';
            var digits = decimals;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            for (var d = digits - 1; d >= 0; d--)
            {
                destination[written + d] = (byte)('0' + (fraction % 10));
                fraction /= 10;
            }

            written += digits;
        }

        return true;
    }

    /// <summary>Writes <paramref name="name"/> and <paramref name="value"/> rounded to <paramref name="decimals"/>, as <c>writer.WriteNumber(name, Math.Round(value, decimals))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double value, int decimals)
    {
        var rounded = Math.Round(value, decimals);
        Span<byte> digits = stackalloc byte[32];
        if (TryFormat(rounded, decimals, digits, out var written))
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(digits[..written], skipInputValidation: true);
        }
        else
        {
            writer.WriteNumber(name, rounded);
        }
    }

    private static int WriteDigits(long value, Span<byte> destination)
    {
        var length = 1;
        for (var rest = value / 10; rest > 0; rest /= 10)
        {
            length++;
        }

        for (var d = length - 1; d >= 0; d--)
        {
            destination[d] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return length;
    }
}
