using System.Text;
using System.Text.RegularExpressions;

namespace SocialHandoff.Core.Storage;

/// <summary>The names of every queue and table the pipeline uses, and the key escaping they need.</summary>
public static partial class StorageNames
{
    public const string MentionsIncomingQueue = "mentions-incoming";
    public const string PoisonSuffix = "-poison";
    public const string MentionsPoisonQueue = MentionsIncomingQueue + PoisonSuffix;
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

    public static IReadOnlyList<string> Tables { get; } =
        [SourceStateTable, MentionsTable, HandoffsTable, HandoffEventsTable, DeadLettersTable, ConfigurationTable, SlaDueTable, NotificationsTable, DailyStatsTable];

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
    /// Escapes a value for use as a PartitionKey or RowKey: the characters tables forbid (/ \ # ? and
    /// control characters) and % become %XX, so distinct values stay distinct.
    /// </summary>
    public static string EscapeKey(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
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

        return builder?.ToString() ?? value;
    }

    [GeneratedRegex("^(?=.{1,58}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TeamName();
}
