using SocialHandoff.Core.Ingestion.Files;

namespace SocialHandoff.Core.Tests.Ingestion;

public sealed class FileMentionSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("file-source-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task FetchAsync_BadLinesBetweenGoodOnes_GoodOnesReturnedBadOnesRejectedWithLines()
    {
        var path = Write("export.jsonl",
            """{"id":"1","text":"fine","postedAt":"2026-11-01T10:00:00Z"}""",
            "",
            """{"id":"2","text":"lone \ud800","postedAt":"2026-11-01T10:00:00Z"}""",
            """{"id":"3","postedAt":"2026-11-01T10:00:00Z"}""",
            """{"id":"4","text":"fine too","postedAt":"2026-11-01T10:01:00Z"}""",
            """{"id":"5","text":""" + "\"" + new string('x', 60_000) + "\"" + ""","postedAt":"2026-11-01T10:01:00Z"}""");
        var source = new FileMentionSource(new FileSourceSettings { Name = "t", Path = path });

        var batch = await source.FetchAsync(null, CancellationToken.None);

        Assert.Equal(["1", "4"], batch.Mentions.Select(m => m.Id));
        Assert.Equal(["line 3", "line 4", "line 6"], batch.RejectedRecords.Select(r => r.Locator));
        Assert.Contains("no 'text'", batch.RejectedRecords[1].Reason, StringComparison.Ordinal);
        Assert.Contains("over the 49,152 bytes", batch.RejectedRecords[2].Reason, StringComparison.Ordinal);
        Assert.Equal("5", batch.NextWatermark);

        var rest = await source.FetchAsync(batch.NextWatermark, CancellationToken.None);
        Assert.Empty(rest.Mentions);
        Assert.Empty(rest.RejectedRecords);
    }

    [Fact]
    public async Task FetchAsync_CsvWithoutRequiredColumns_FailsNamingThem()
    {
        var path = Write("export.csv", "id,body", "1,hello");
        var source = new FileMentionSource(new FileSourceSettings { Name = "t", Path = path });

        var error = await Assert.ThrowsAsync<FormatException>(() => source.FetchAsync(null, CancellationToken.None));

        Assert.Contains("id, text and postedAt", error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join('\n', lines));
        return path;
    }
}
