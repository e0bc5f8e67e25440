using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SocialHandoff.Core.Sla;

/// <summary>
/// SLA targets as managers write and read them: "1 h 30 min", "90 min", "1h30", "2 days",
/// "1 hour and 30 minutes", ISO 8601 "PT1H30M", and the stored form "01:30:00" / "1.00:00:00". Pure. The dashboard's
/// durations.js reads the same forms, so what the form accepts the API accepts.
/// </summary>
public static partial class SlaDuration
{
    private static readonly (string[] Names, TimeSpan Unit)[] Units =
    [
        (["w", "wk", "wks", "week", "weeks"], TimeSpan.FromDays(7)),
        (["d", "day", "days"], TimeSpan.FromDays(1)),
        (["h", "hr", "hrs", "hour", "hours"], TimeSpan.FromHours(1)),
        (["m", "min", "mins", "minute", "minutes"], TimeSpan.FromMinutes(1)),
        (["s", "sec", "secs", "second", "seconds"], TimeSpan.FromSeconds(1)),
    ];

    /// <summary>"2 d", "1 h 30 min", "45 min", "30 s"; "0 min" for zero; a leading "-" when negative.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0 min";
        }

        if (value == TimeSpan.MinValue)
        {
            return "-" + Format(TimeSpan.MaxValue);
        }

        var sign = value < TimeSpan.Zero ? "-" : "";
        var rest = value.Duration();
        var parts = new List<string>();
        if (rest.Days > 0)
        {
            parts.Add(F($"{rest.Days} d"));
        }

        if (rest.Hours > 0)
        {
            parts.Add(F($"{rest.Hours} h"));
        }

        if (rest.Minutes > 0)
        {
            parts.Add(F($"{rest.Minutes} min"));
        }

        var seconds = rest.Seconds + (rest.Milliseconds / 1000.0) + (rest.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerSecond);
        if (seconds > 0)
        {
            parts.Add(F($"{seconds:0.###} s"));
        }

        return sign + string.Join(' ', parts);
    }

    /// <summary>Reads a duration in any of the forms above; on failure <paramref name="error"/> says plainly what is wrong.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = "is empty: write a duration like 1 h 30 min, 90 min or 2 d.";
            return false;
        }

        if (trimmed.Length > 100)
        {
            error = "is too long for a duration: write it like 1 h 30 min, 90 min or 2 d.";
            return false;
        }

        // ISO 8601, as other tools export targets: PT1H30M, P2D.
        if (trimmed[0] is 'P' or 'p')
        {
            var iso = IsoDuration().Match(trimmed);
            if (!iso.Success || trimmed.Length < 2 || trimmed.EndsWith('T') || trimmed.EndsWith('t'))
            {
                error = $"'{trimmed}' is not an ISO 8601 duration like PT1H30M; or write it like 1 h 30 min.";
                return false;
            }

            double Part(int group) => iso.Groups[group].Success ? double.Parse(iso.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
            var ticks = (Part(1) * TimeSpan.TicksPerDay * 7) + (Part(2) * TimeSpan.TicksPerDay) + (Part(3) * TimeSpan.TicksPerHour) + (Part(4) * TimeSpan.TicksPerMinute) + (Part(5) * TimeSpan.TicksPerSecond);
            if (ticks >= TimeSpan.MaxValue.Ticks)
            {
                error = $"'{trimmed}' is far too long for a target.";
                return false;
            }

            value = TimeSpan.FromTicks((long)Math.Round(ticks));
            return true;
        }

        // The stored form (and what the Advanced JSON shows): [-][d.]hh:mm[:ss[.fffffff]].
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParseExact(trimmed, ["c", @"h\:mm", @"hh\:mm"], CultureInfo.InvariantCulture, out value))
            {
                return true;
            }

            error = $"'{trimmed}' is not a duration: a time of day like 9:30 or 01:30:00 must have minutes 00-59; or write it like 1 h 30 min.";
            return false;
        }

        var total = TimeSpan.Zero;
        TimeSpan? previous = null;
        var i = 0;
        var any = false;
        var s = trimmed.ToLowerInvariant();
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i]) || s[i] == ',')
            {
                i++;
                continue;
            }

            if (s.AsSpan(i).StartsWith("and") && (i + 3 == s.Length || !char.IsAsciiLetter(s[i + 3])) && any)
            {
                i += 3;
                continue;
            }

            if (s[i] == '-')
            {
                error = $"'{trimmed}' is negative: a target is a length of time, like 30 min.";
                return false;
            }

            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i)
            {
                error = $"'{trimmed}' is not a duration: expected a number at '{Cut(s[start..])}'. Write it like 1 h 30 min, 90 min or 2 d.";
                return false;
            }

            if (!double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{trimmed}' is not a duration: '{s[start..i]}' is not a number.";
                return false;
            }

            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unitName = s[unitStart..i];
            TimeSpan unit;
            if (unitName.Length == 0)
            {
                // "1h30": a bare number right after hours is minutes (after days, hours); anywhere else the unit is missing.
                if (previous == TimeSpan.FromHours(1) && i == s.Length)
                {
                    unit = TimeSpan.FromMinutes(1);
                }
                else if (previous == TimeSpan.FromDays(1) && i == s.Length)
                {
                    unit = TimeSpan.FromHours(1);
                }
                else
                {
                    error = $"'{trimmed}' has a number without a unit: say whether {s[start..unitStart].Trim()} is minutes, hours or days (like 90 min, 2 h, 2 d).";
                    return false;
                }
            }
            else if (Units.FirstOrDefault(u => u.Names.Contains(unitName)) is { Names: not null } found)
            {
                unit = found.Unit;
            }
            else
            {
                error = $"'{trimmed}': '{unitName}' is not a unit; use min, h or d (or weeks, seconds).";
                return false;
            }

            if (previous is { } before && unit >= before)
            {
                error = $"'{trimmed}' lists its parts out of order: write the larger unit first, each once (like 1 d 4 h 30 min).";
                return false;
            }

            var ticks = number * unit.Ticks;
            if (ticks > TimeSpan.MaxValue.Ticks - total.Ticks)
            {
                error = $"'{trimmed}' is far too long for a target.";
                return false;
            }

            total += TimeSpan.FromTicks((long)Math.Round(ticks));
            previous = unit;
            any = true;
        }

        if (!any)
        {
            error = $"'{trimmed}' is not a duration: write it like 1 h 30 min, 90 min or 2 d.";
            return false;
        }

        value = total;
        return true;
    }

    [GeneratedRegex(@"^P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,7})?)S)?)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IsoDuration();

    private static string Cut(string text) => text.Length > 20 ? text[..20] + "…" : text;

    private static string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A duration a JSON body gives in a form <see cref="SlaDuration"/> cannot read; its message is for the manager, as is.</summary>
public sealed class SlaDurationJsonException(string message) : JsonException(message);

/// <summary>
/// Reads an SLA target from JSON in any form <see cref="SlaDuration"/> reads ("1 h 30 min" as well as
/// "01:30:00"); writes the stored form ("c"), so a document read and written back is unchanged.
/// </summary>
public sealed class SlaDurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new SlaDurationJsonException("must be a duration in quotes, like \"1 h 30 min\", \"90 min\" or \"2 d\".");
        }

        var text = reader.GetString();
        return SlaDuration.TryParse(text, out var value, out var error) ? value : throw new SlaDurationJsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
    }
}
