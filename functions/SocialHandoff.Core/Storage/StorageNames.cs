using System.Text;
using System.Text.RegularExpressions;

namespace SocialHandoff.Core.Storage;

/// <summary>The names of every queue and table the pipeline uses, and the key escaping they need.</summary>
public static partial class StorageNames
{
    public const string MentionsIncomingQueue = "mentions-incoming";
    public const string PoisonSuffix = "-poison";
    public const string MentionsPoisonQueue = MentionsIncomingQueue + PoisonSuffix;

    /// <summary>Where the poison queue's own failures go (RecordDeadLetter failed five times: storage trouble, never the body).</summary>
    public const string PoisonOfPoisonQueue = MentionsPoisonQueue + PoisonSuffix;
    public const string TeamQueuePrefix = "team-";

    public const string SourceStateTable = "SourceState";
    public const string MentionsTable = "Mentions";
    public const string HandoffsTable = "Handoffs";
    public const string HandoffEventsTable = "HandoffEvents";
    public const string DeadLettersTable = "DeadLetters";
    public const string ConfigurationTable = "Configuration";
    public const string SlaDueTable = "SlaDue";
    public const string NotificationsTable = "Notifications";
    public const string DailyStatsTable = "DailyStats";
    public const string DirectoryTable = "Directory";

    public const string IncidentsTable = "Incidents";

    /// <summary>Mentions held out of the team queues as spam, with their reasons: the "filtered" view (Spam/).</summary>
    public const string FilteredMentionsTable = "FilteredMentions";

    /// <summary>One row per post of a watched author and text, to count identical posts (Spam/).</summary>
    public const string SpamRepeatsTable = "SpamRepeats";

    /// <summary>One row per mention and volume series per hour, and the hourly baselines and spike states (Spikes/).</summary>
    public const string MentionVolumeTable = "MentionVolume";
    public const string VolumeBaselinesTable = "VolumeBaselines";

    /// <summary>Each team's queue per status in priority then due order (HandoffIndex).</summary>
    public const string HandoffIndexTable = "HandoffIndex";

    public static IReadOnlyList<string> Tables { get; } =
        [SourceStateTable, MentionsTable, HandoffsTable, HandoffEventsTable, DeadLettersTable, ConfigurationTable, SlaDueTable, NotificationsTable, DailyStatsTable, DirectoryTable, IncidentsTable,
         FilteredMentionsTable, SpamRepeatsTable, MentionVolumeTable, VolumeBaselinesTable, HandoffIndexTable];

    /// <summary>A team name is lowercase letters, digits and single hyphens, 1 to 58 characters, so that team-&lt;name&gt; is a valid queue name.</summary>
    public static bool IsValidTeamName(string? team) => team is not null && TeamName().IsMatch(team);

    public static string TeamQueue(string team)
    {
        if (!IsValidTeamName(team))
        {
            throw new ArgumentException(
                $"'{team}' is not a valid team name: use lowercase letters, digits and single hyphens, at most 58 characters.", nameof(team));
        }

        return TeamQueuePrefix + team;
    }

    /// <summary>
    /// The longest key <see cref="EscapeKey"/> returns. Tables allow 1 KiB (512 UTF-16 characters) per
    /// key; a key part of a longer key ("mention|" + this) still fits.
    /// </summary>
    public const int MaxKeyChars = 400;

    /// <summary>
    /// Makes any value a safe PartitionKey or RowKey: the characters tables forbid (/ \ # ? and
    /// control characters) and % become %XX, a lone UTF-16 surrogate %uXXXX, so distinct values stay
    /// distinct. A value whose escaped form is over <see cref="MaxKeyChars"/> keeps its first 300
    /// characters and ends with "~" and the SHA-256 of the whole value: the same value always gives
    /// the same key (retries stay idempotent), and a hostile id cannot exceed the key limit.
    /// </summary>
    public static string EscapeKey(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    builder?.Append(c).Append(value[i + 1]);
                    i++;
                    continue;
                }

                builder ??= new StringBuilder(value.Length + 8).Append(value, 0, i);
                builder.Append("%u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }

            var forbidden = c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
            if (forbidden)
            {
                builder ??= new StringBuilder(value.Length + 8).Append(value, 0, i);
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder?.Append(c);
            }
        }

        var escaped = builder?.ToString() ?? value;
        if (escaped.Length <= MaxKeyChars)
        {
            return escaped;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(value.AsSpan())));
        var keep = 300;
        if (char.IsHighSurrogate(escaped[keep - 1]))
        {
            keep--;
        }

        return string.Concat(escaped.AsSpan(0, keep), "~", hash);
    }

    [GeneratedRegex("^(?=.{1,58}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TeamName();
}
