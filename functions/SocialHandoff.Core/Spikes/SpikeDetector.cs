using System.Globalization;
using System.Text.RegularExpressions;

namespace SocialHandoff.Core.Spikes;

/// <summary>The usual level of one series in one hour of the week: exponentially weighted mean and variance over the weeks seen.</summary>
public sealed record HourBaseline(double Mean, double Variance, int Weeks)
{
    public static readonly HourBaseline Empty = new(0, 0, 0);

    public double StandardDeviation => Math.Sqrt(Math.Max(0, Variance));
}

/// <summary>The rule for one series and hour: how many mentions make a spike, and why.</summary>
public sealed record SpikeThreshold(int Count, bool ColdStart, string Why);

/// <summary>
/// Pure spike arithmetic: the threshold from an hour-of-week baseline (max(Floor, mean + K sd), or the
/// cold-start floor until MinWeeks weeks were seen), folding a finished hour into its baseline, the
/// hour-of-week bucket, and the top words of a spike's mentions.
/// </summary>
public static partial class SpikeDetector
{
    private static readonly HashSet<string> StopWords = new(
        ["the", "and", "for", "you", "your", "are", "was", "this", "that", "with", "have", "has", "not", "but", "all", "any", "can", "our", "out",
         "just", "from", "they", "what", "why", "how", "when", "who", "get", "got", "its", "it's", "i'm", "me", "my", "is", "it", "to", "of", "in",
         "on", "at", "a", "an", "be", "so", "do", "no", "or", "we", "us", "again", "still", "now", "today", "there", "been", "about", "one", "more"],
        StringComparer.Ordinal);

    /// <summary>
    /// The hour of the week on the clocks of <paramref name="zone"/>: Monday 00:00 is bucket 0, Sunday
    /// 23:00 is 167. Across a DST change the buckets keep their local meaning (Monday 9-10 stays the
    /// brand's Monday morning); the autumn's repeated hour counts in its bucket twice that week and the
    /// spring's skipped one not at all.
    /// </summary>
    public static int HourOfWeek(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return ((((int)local.DayOfWeek + 6) % 7) * 24) + local.Hour;
    }

    /// <summary>
    /// The instant (UTC) the local hour of <paramref name="at"/> began in <paramref name="zone"/>: a
    /// whole UTC hour for zones a whole number of hours off, :30 or :45 for the others.
    /// </summary>
    public static DateTimeOffset HourStart(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return new DateTimeOffset(at.UtcTicks - (local.Ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    public static SpikeThreshold Threshold(HourBaseline baseline, SpikeOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(options);
        if (baseline.Weeks < options.MinWeeks)
        {
            return new SpikeThreshold(options.ColdStartFloor, true,
                string.Create(CultureInfo.InvariantCulture, $"cold start: {baseline.Weeks} of {options.MinWeeks} weeks of history for this hour, so at least {options.ColdStartFloor}"));
        }

        var statistical = (int)Math.Ceiling(baseline.Mean + (options.K * baseline.StandardDeviation));
        var count = Math.Max(options.Floor, statistical);
        return new SpikeThreshold(count, false, string.Create(CultureInfo.InvariantCulture,
            $"usual {baseline.Mean:0.0} (sd {baseline.StandardDeviation:0.0}) over {baseline.Weeks} weeks; spike at max({options.Floor}, mean + {options.K:0.#} sd) = {count}"));
    }

    /// <summary>The baseline with one more week's count for its hour (West's exponentially weighted update; the first week sets the mean).</summary>
    public static HourBaseline Fold(HourBaseline baseline, int count, double alpha)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (baseline.Weeks == 0)
        {
            return new HourBaseline(count, 0, 1);
        }

        var diff = count - baseline.Mean;
        var increment = alpha * diff;
        return new HourBaseline(baseline.Mean + increment, (1 - alpha) * (baseline.Variance + (diff * increment)), baseline.Weeks + 1);
    }

    /// <summary>The most frequent words of the texts (three letters or more, no links, handles or common words), most frequent first.</summary>
    public static IReadOnlyList<string> TopWords(IEnumerable<string> texts, int count)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var word in Words().Matches(Links().Replace(text.ToLowerInvariant(), " ")).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                if (word.Length >= 3 && !StopWords.Contains(word))
                {
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
            }
        }

        return [.. counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(count).Select(kv => kv.Key)];
    }

    [GeneratedRegex(@"https?://\S+|www\.\S+|[@#]\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Links();

    [GeneratedRegex(@"\p{L}[\p{L}']*", RegexOptions.CultureInvariant)]
    private static partial Regex Words();
}
