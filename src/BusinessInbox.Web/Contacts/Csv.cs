using System.Text;

namespace BusinessInbox.Contacts;

public sealed class CsvFormatException(string message) : Exception(message);

/// <summary>RFC 4180 CSV, read strictly (a file that is not valid UTF-8 is refused, not guessed at) and written safely.</summary>
public static class Csv
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file as text; throws <see cref="CsvFormatException"/> when it is not UTF-8.</summary>
    public static string Decode(byte[] bytes)
    {
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw new CsvFormatException("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again.");
        }
    }

    /// <summary>The rows of a CSV text; every row must have as many cells as the header.</summary>
    public static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        var separator = Separator(text);
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(ch);
                }
            }
            else if (ch == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (ch == separator)
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (ch is '\r' or '\n')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                row.Add(cell.ToString());
                cell.Clear();
                AddRow(rows, row);
                row = [];
            }
            else
            {
                cell.Append(ch);
            }
        }
        if (quoted)
        {
            throw new CsvFormatException("A quoted cell is never closed: the file is cut off or not a CSV file.");
        }
        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            AddRow(rows, row);
        }
        if (rows.Count == 0)
        {
            throw new CsvFormatException("The file is empty.");
        }
        var width = rows[0].Length;
        for (var r = 1; r < rows.Count; r++)
        {
            if (rows[r].Length != width)
            {
                throw new CsvFormatException($"Row {r + 1} has {rows[r].Length} columns but the header has {width}. Nothing was imported.");
            }
        }
        return rows;
    }

    private static void AddRow(List<string[]> rows, List<string> row)
    {
        // Blank lines (often at the end) are not rows.
        if (row.Count > 1 || row[0].Length > 0)
        {
            rows.Add([.. row]);
        }
    }

    /// <summary>Comma, or semicolon for files from spreadsheets set to a European locale: whichever the header line has more of.</summary>
    private static char Separator(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var header = end < 0 ? text : text[..end];
        return header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';
    }

    /// <summary>
    /// One CSV line. A cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a
    /// leading single quote, so that opening an export can never execute what a customer typed.
    /// </summary>
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    /// <summary>Undoes <see cref="Line"/>'s neutralising quote, so that an exported file imports as it was.</summary>
    public static string Unneutralise(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? cell[1..] : cell;

    private static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }
        return text.IndexOfAny([',', '"', '\r', '\n', ';']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }
}
