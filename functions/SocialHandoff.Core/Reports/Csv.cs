using System.Text;

namespace SocialHandoff.Core.Reports;

/// <summary>
/// RFC 4180 CSV. A cell whose first visible character is a formula sign (= + - @, their full-width
/// and small forms, the minus sign), or that starts with a tab or line break, is prefixed with a
/// quote mark: mention text is hostile, and spreadsheets skip leading blanks and fold full-width
/// signs before deciding that a cell is a formula.
/// </summary>
public static class Csv
{
    private static readonly System.Buffers.SearchValues<char> FormulaSigns = System.Buffers.SearchValues.Create("=+-@＝＋－＠﹦﹢﹣﹫−");
    private static readonly System.Buffers.SearchValues<char> Blanks = System.Buffers.SearchValues.Create(" \t\r\n\u00a0\u3000");

    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var builder = new StringBuilder();
        AppendRow(builder, header);
        foreach (var row in rows)
        {
            AppendRow(builder, row);
        }

        return builder.ToString();
    }

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (NeedsNeutralising(value))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny("\",\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static bool NeedsNeutralising(string value)
    {
        if (value[0] is '\t' or '\r' or '\n')
        {
            return true;
        }

        var first = value.AsSpan().IndexOfAnyExcept(Blanks);
        return first >= 0 && FormulaSigns.Contains(value[first]);
    }

    private static void AppendRow(StringBuilder builder, IReadOnlyList<string?> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(Cell(cells[i]));
        }

        builder.Append("\r\n");
    }
}
