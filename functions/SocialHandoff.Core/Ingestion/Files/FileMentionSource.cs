using System.Globalization;
using System.Text.Json;

namespace SocialHandoff.Core.Ingestion.Files;

/// <summary>
/// Reads a JSONL or CSV export. The watermark is the number of records already enqueued, so an
/// export that grows by appending is picked up where it left off. A record that cannot be read
/// fails the whole fetch with its line number (and the watermark stays): a bad export is fixed,
/// not half-imported.
/// </summary>
public sealed class FileMentionSource : IMentionSource
{
    private readonly FileSourceSettings _settings;

    public FileMentionSource(FileSourceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    public string Name => "file:" + _settings.Name;

    public async Task<SourceBatch> FetchAsync(string? watermark, CancellationToken cancellationToken)
    {
        var consumed = 0;
        if (watermark is not null && (!int.TryParse(watermark, NumberStyles.None, CultureInfo.InvariantCulture, out consumed) || consumed < 0))
        {
            throw new FormatException($"The watermark of {Name} is '{watermark}', not a record count.");
        }

        var path = System.IO.Path.GetFullPath(_settings.Path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The export of file source '{_settings.Name}' (Sources:Files:Exports) was not found at {path}.", path);
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var records = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(text, path) : ReadJsonLines(text, path);
        var mentions = new List<MentionMessage>(Math.Max(0, records.Count - consumed));
        for (var i = consumed; i < records.Count; i++)
        {
            mentions.Add(ToMessage(records[i].Record, records[i].Line, path));
        }

        mentions.Sort((a, b) => a.PostedAt.CompareTo(b.PostedAt));
        return new SourceBatch(mentions, records.Count.ToString(CultureInfo.InvariantCulture));
    }

    private MentionMessage ToMessage(ExportedMention record, int line, string path)
    {
        if (string.IsNullOrWhiteSpace(record.Id) || record.Text is null || record.PostedAt is null)
        {
            throw new FormatException($"{path}, line {line}: a mention needs 'id', 'text' and 'postedAt'.");
        }

        return new MentionMessage(
            MentionMessage.CurrentSchemaVersion,
            Guid.NewGuid().ToString("N"),
            string.IsNullOrWhiteSpace(record.Source) ? Name : record.Source,
            record.Id,
            new MentionAuthor(record.AuthorId, record.Handle, record.Name, record.Followers, record.Verified),
            record.Text,
            string.IsNullOrWhiteSpace(record.Lang) ? null : record.Lang,
            new MentionMetrics(record.Likes, record.Reposts, record.Replies, record.Quotes),
            string.IsNullOrWhiteSpace(record.Url) ? null : record.Url,
            record.PostedAt.Value,
            string.IsNullOrWhiteSpace(record.Brand) ? null : record.Brand);
    }

    internal static List<(ExportedMention Record, int Line)> ReadJsonLines(string text, string path)
    {
        var records = new List<(ExportedMention, int)>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var record = JsonSerializer.Deserialize(line, MentionJsonContext.Default.ExportedMention)
                    ?? throw new FormatException($"{path}, line {lineNumber}: null is not a mention.");
                records.Add((record, lineNumber));
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{path}, line {lineNumber}: not a JSON mention ({ex.Message})", ex);
            }
        }

        return records;
    }

    internal static List<(ExportedMention Record, int Line)> ReadCsv(string text, string path)
    {
        var rows = Csv.Parse(text);
        var records = new List<(ExportedMention, int)>();
        if (rows.Count == 0)
        {
            return records;
        }

        var header = rows[0].Fields.Select(h => h.Trim()).ToArray();
        int Column(string name) => Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        var columns = new
        {
            Id = Column("id"), Text = Column("text"), PostedAt = Column("postedAt"), Source = Column("source"), Lang = Column("lang"),
            AuthorId = Column("authorId"), Handle = Column("handle"), Name = Column("name"), Followers = Column("followers"),
            Verified = Column("verified"), Likes = Column("likes"), Reposts = Column("reposts"), Replies = Column("replies"),
            Quotes = Column("quotes"), Url = Column("url"), Brand = Column("brand"),
        };
        if (columns.Id < 0 || columns.Text < 0 || columns.PostedAt < 0)
        {
            throw new FormatException($"{path}: the CSV header needs the columns id, text and postedAt.");
        }

        foreach (var (fields, line) in rows.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != header.Length)
            {
                throw new FormatException($"{path}, line {line}: {fields.Count} fields where the header has {header.Length}.");
            }

            string? Get(int index) => index < 0 || fields[index].Length == 0 ? null : fields[index];
            long? GetLong(int index, string column) => Get(index) is { } v
                ? long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{path}, line {line}: {column} '{v}' is not a whole number.")
                : null;
            bool? GetBool(int index, string column) => Get(index) is { } v
                ? bool.TryParse(v, out var b) ? b : throw new FormatException($"{path}, line {line}: {column} '{v}' is not true or false.")
                : null;
            DateTimeOffset? postedAt = Get(columns.PostedAt) is { } p
                ? DateTimeOffset.TryParse(p, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : throw new FormatException($"{path}, line {line}: postedAt '{p}' is not a date.")
                : null;

            records.Add((new ExportedMention(
                Get(columns.Id), Get(columns.Text), postedAt, Get(columns.Source), Get(columns.Lang), Get(columns.AuthorId),
                Get(columns.Handle), Get(columns.Name), GetLong(columns.Followers, "followers"), GetBool(columns.Verified, "verified"),
                GetLong(columns.Likes, "likes"), GetLong(columns.Reposts, "reposts"), GetLong(columns.Replies, "replies"),
                GetLong(columns.Quotes, "quotes"), Get(columns.Url), Get(columns.Brand)), line));
        }

        return records;
    }
}

/// <summary>RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.</summary>
internal static class Csv
{
    /// <returns>Each row's fields and the line it starts on.</returns>
    public static List<(List<string> Fields, int Line)> Parse(string text)
    {
        var rows = new List<(List<string>, int)>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var inQuotes = false;
        var line = 1;
        var rowStart = 1;
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
        }

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                rows.Add((fields, rowStart));
                fields = [];
                line++;
                rowStart = line;
            }
            else
            {
                field.Append(c);
            }
        }

        if (inQuotes)
        {
            throw new FormatException($"CSV line {rowStart}: a quoted field is not closed.");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add((fields, rowStart));
        }

        return rows;
    }
}
