using SocialHandoff.Core.Ingestion;

namespace SocialHandoff.Integration.Tests.Incidents;

/// <summary>Copies of one text by different authors, as the incident tests post them.</summary>
internal static class IncidentCopies
{
    /// <summary>Copy <paramref name="i"/> of <paramref name="text"/>: its own id, author and link, posted at <see cref="Harness.Start"/> plus <paramref name="minutesAfterStart"/>.</summary>
    public static MentionMessage Copy(int i, string text, int minutesAfterStart = 0) => new(
        MentionMessage.CurrentSchemaVersion, $"corr-{i}", "test", $"copy{i}", new MentionAuthor($"a{i}", $"user_copy{i}", "User", 1000 + i, false),
        text, "en", new MentionMetrics(0, 0, 0, 0), $"https://x.com/user_copy{i}/status/copy{i}", Harness.Start.AddMinutes(minutesAfterStart), "contoso");
}
