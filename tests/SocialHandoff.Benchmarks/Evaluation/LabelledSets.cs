using System.Globalization;
using System.Text;

namespace SocialHandoff.Benchmarks.Evaluation;

internal sealed record RatedText(string Text, double MeanRating);

internal sealed record ComplaintText(string Text, bool IsComplaint, string Domain);

/// <summary>Readers for the labelled files in ../shared/data (see its README for formats and licences).</summary>
internal static class LabelledSets
{
    public static string DataRoot { get; } = FindDataRoot();

    /// <summary>tweets_GroundTruth.txt: id TAB mean rating (-4..+4) TAB text, no header, CRLF.</summary>
    public static IReadOnlyList<RatedText> ReadTweetsGroundTruth()
    {
        var path = Path.Combine(DataRoot, "vader", "tweets_GroundTruth.txt");
        var rows = new List<RatedText>();
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.TrimEnd('\r').Split('\t', 3);
            if (parts.Length == 3)
            {
                rows.Add(new RatedText(parts[2], double.Parse(parts[1], CultureInfo.InvariantCulture)));
            }
        }

        return rows;
    }

    /// <summary>complaints-dev.csv: tweet_id, text (quoted when it holds commas), label 0/1, domain; no header.</summary>
    public static IReadOnlyList<ComplaintText> ReadComplaints()
    {
        var path = Path.Combine(DataRoot, "complaints", "complaints-dev.csv");
        var rows = new List<ComplaintText>();
        foreach (var fields in ReadCsv(File.ReadAllText(path)))
        {
            if (fields.Count >= 4)
            {
                rows.Add(new ComplaintText(fields[1], fields[2] == "1", fields[3]));
            }
        }

        return rows;
    }

    private static IEnumerable<List<string>> ReadCsv(string content)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < content.Length && content[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                yield return fields;
                fields = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }

    // The shared folder sits beside the project root: walk up from the working directory and from
    // the binaries until a folder holds shared/data. SOCIALHANDOFF_DATA overrides.
    private static string FindDataRoot()
    {
        var overridden = Environment.GetEnvironmentVariable("SOCIALHANDOFF_DATA");
        if (!string.IsNullOrEmpty(overridden))
        {
            return overridden;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/data was not found beside the project; set SOCIALHANDOFF_DATA to its path.");
    }
}
