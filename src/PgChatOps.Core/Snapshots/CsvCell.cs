using System.Text;

namespace PgChatOps.Snapshots;

/// <summary>
/// Makes text from the database safe to open in a spreadsheet. Formula starts (= + - @ tab CR LF) are escaped by
/// the writer (<see cref="SnapshotCsv.Options"/>, OWASP's quote prefix); this removes what it does not: control
/// characters and the bidirectional overrides that make a cell read differently from what it holds.
/// </summary>
internal static class CsvCell
{
    public const char Replacement = '\uFFFD';

    public static string? Clean(string? text)
    {
        if (text is null || !text.Any(NeedsReplacing))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(NeedsReplacing(c) ? Replacement : c);
        }
        return sb.ToString();
    }

    // Tab, CR and LF are kept: queries are multi-line, and the writer quotes such cells.
    private static bool NeedsReplacing(char c) =>
        (char.IsControl(c) && c is not ('\t' or '\r' or '\n'))
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069';
}
