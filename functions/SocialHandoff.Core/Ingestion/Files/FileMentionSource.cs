using System.Globalization;
using System.Text.Json;

namespace SocialHandoff.Core.Ingestion.Files;

/// <summary>
/// Reads a JSONL or CSV export. The watermark is the number of records already taken (enqueued or
/// dead-lettered), so an export that grows by appending is picked up where it left off. A record that
/// cannot be read (bad JSON, a missing field, a lone surrogate, a row of the wrong shape) or that is too
/// large for the queue is returned as rejected with its line number: ingest dead-letters it and moves
/// on, so one bad record never stops the rest of the export.
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
        var records = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(text, path) : ReadJsonLines(text);
        var mentions = new List<MentionMessage>(Math.Max(0, records.Count - consumed));
        var rejected = new List<RejectedRecord>();
        for (var i = consumed; i < records.Count; i++)
        {
            var (record, line, raw, error) = records[i];
            var locator = "line " + line.ToString(CultureInfo.InvariantCulture);
            if (error is not null || record is null)
            {
                rejected.Add(new RejectedRecord(locator, raw, error ?? "not a mention"));
                continue;
            }

            if (Validate(record) is { } missing)
            {
                rejected.Add(new RejectedRecord(locator, raw, missing));
                continue;
            }

            var mention = ToMessage(record);
            MentionQueueLimit.Serialize(mention, out var refusal);
            if (refusal is not null)
            {
                rejected.Add(new RejectedRecord(locator, raw, refusal));
                continue;
            }

            mentions.Add(mention);
        }

        mentions.Sort((a, b) => a.PostedAt.CompareTo(b.PostedAt));
        return new SourceBatch(mentions, records.Count.ToString(CultureInfo.InvariantCulture), rejected);
    }

    private static string? Validate(ExportedMention record)
    {
        var missing = new List<string>(3);
        if (string.IsNullOrWhiteSpace(record.Id))
        {
            missing.Add("'id'");
        }

        if (record.Text is null)
        {
            missing.Add("'text'");
        }

        if (record.PostedAt is null)
        {
            missing.Add("'postedAt'");
        }

        return missing.Count == 0 ? null : $"a mention needs 'id', 'text' and 'postedAt'; this record has no {string.Join(" or ", missing)}.";
    }

    private MentionMessage ToMessage(ExportedMention record) =>
        new(
            MentionMessage.CurrentSchemaVersion,
            Guid.NewGuid().ToString("N"),
            string.IsNullOrWhiteSpace(record.Source) ? Name : record.Source,
            record.Id!,
            new MentionAuthor(record.AuthorId, record.Handle, record.Name, record.Followers, record.Verified, record.AuthorCreatedAt),
            record.Text!,
            string.IsNullOrWhiteSpace(record.Lang) ? null : record.Lang,
            new MentionMetrics(record.Likes, record.Reposts, record.Replies, record.Quotes),
            string.IsNullOrWhiteSpace(record.Url) ? null : record.Url,
            record.PostedAt!.Value,
            string.IsNullOrWhiteSpace(record.Brand) ? null : record.Brand);

    /// <summary>One record of an export: what was read, or why it could not be (then <c>Record</c> is null).</summary>
    internal readonly record struct ExportRecord(ExportedMention? Record, int Line, string Raw, string? Error);

    /// <summary>Every non-blank line is a record, read or not, so the watermark counts the same records whatever they hold.</summary>
    internal static List<ExportRecord> ReadJsonLines(string text)
    {
        var records = new List<ExportRecord>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var record = JsonSerializer.Deserialize(line, MentionJsonContext.Default.ExportedMention);
                records.Add(record is null
                    ? new ExportRecord(null, lineNumber, line, "null is not a mention.")
                    : new ExportRecord(record, lineNumber, line, null));
            }
            catch (JsonException ex)
            {
                records.Add(new ExportRecord(null, lineNumber, line, $"not a JSON mention ({ex.Message})"));
            }
        }

        return records;
    }

    internal static List<ExportRecord> ReadCsv(string text, string path)
    {
        var rows = Csv.Parse(text);
        var records = new List<ExportRecord>();
        if (rows.Count == 0)
        {
            return records;
        }

        var header = rows[0].Fields.Select(h => h.Trim()).ToArray();
        var columns = CsvColumns.From(header);
        if (columns.Id < 0 || columns.Text < 0 || columns.PostedAt < 0)
        {
            // Without these columns no row can be read: the export itself needs fixing, so the source fails (and says why).
            throw new FormatException($"{path}: the CSV header needs the columns id, text and postedAt.");
        }

        foreach (var row in rows.Skip(1))
        {
            var fields = row.Fields;
            if (row.Error is null && fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (row.Error is not null)
            {
                records.Add(new ExportRecord(null, row.Line, row.Raw, row.Error));
                continue;
            }

            if (fields.Count != header.Length)
            {
                records.Add(new ExportRecord(null, row.Line, row.Raw, $"{fields.Count} fields where the header has {header.Length}."));
                continue;
            }

            try
            {
                records.Add(new ExportRecord(columns.Read(fields), row.Line, row.Raw, null));
            }
            catch (FormatException ex)
            {
                records.Add(new ExportRecord(null, row.Line, row.Raw, ex.Message));
            }
        }

        return records;
    }

    /// <summary>Where each field of an export's CSV header is (-1 when absent).</summary>
    private sealed record CsvColumns(
        int Id, int Text, int PostedAt, int Source, int Lang, int AuthorId, int Handle, int Name, int Followers,
        int Verified, int Likes, int Reposts, int Replies, int Quotes, int Url, int Brand, int AuthorCreatedAt)
    {
        public static CsvColumns From(string[] header)
        {
            int Column(string name) => Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            return new CsvColumns(
                Column("id"), Column("text"), Column("postedAt"), Column("source"), Column("lang"), Column("authorId"), Column("handle"),
                Column("name"), Column("followers"), Column("verified"), Column("likes"), Column("reposts"), Column("replies"), Column("quotes"),
                Column("url"), Column("brand"), Column("authorCreatedAt"));
        }

        /// <summary>The row as a record; throws <see cref="FormatException"/> naming the column of a value that cannot be read.</summary>
        public ExportedMention Read(List<string> fields)
        {
            string? Get(int index) => index < 0 || fields[index].Length == 0 ? null : fields[index];
            long? GetLong(int index, string column) => Get(index) is { } v
                ? long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{column} '{Quote(v)}' is not a whole number.")
                : null;
            bool? GetBool(int index, string column) => Get(index) is { } v
                ? bool.TryParse(v, out var b) ? b : throw new FormatException($"{column} '{Quote(v)}' is not true or false.")
                : null;
            DateTimeOffset? postedAt = Get(PostedAt) is { } p
                ? DateTimeOffset.TryParse(p, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : throw new FormatException($"postedAt '{Quote(p)}' is not a date.")
                : null;
            DateTimeOffset? authorCreatedAt = Get(AuthorCreatedAt) is { } a
                ? DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var c) ? c : throw new FormatException($"authorCreatedAt '{Quote(a)}' is not a date.")
                : null;
            return new ExportedMention(
                Get(Id), Get(Text), postedAt, Get(Source), Get(Lang), Get(AuthorId), Get(Handle), Get(Name), GetLong(Followers, "followers"),
                GetBool(Verified, "verified"), GetLong(Likes, "likes"), GetLong(Reposts, "reposts"), GetLong(Replies, "replies"), GetLong(Quotes, "quotes"),
                Get(Url), Get(Brand), authorCreatedAt);
        }

        private static string Quote(string value) => Storage.StoredText.Cap(value, 100);
    }
}

/// <summary>RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.</summary>
internal static class Csv
{
    /// <summary>A row: its fields, the line it starts on, its text as written, and why it cannot be read (null when it can).</summary>
    internal sealed record Row(List<string> Fields, int Line, string Raw, string? Error = null);

    /// <returns>Each row; a quoted field left open runs to the end of the text, which becomes one row with an error.</returns>
    public static List<Row> Parse(string text)
    {
        var rows = new List<Row>();
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

        var rowStartIndex = i;
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
                var rowEnd = i;
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                rows.Add(new Row(fields, rowStart, text[rowStartIndex..rowEnd]));
                fields = [];
                line++;
                rowStart = line;
                rowStartIndex = i + 1;
            }
            else
            {
                field.Append(c);
            }
        }

        if (inQuotes)
        {
            rows.Add(new Row([], rowStart, text[rowStartIndex..], $"a quoted field opened on line {rowStart} is not closed before the end of the file."));
        }
        else if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add(new Row(fields, rowStart, text[rowStartIndex..]));
        }

        return rows;
    }
}
