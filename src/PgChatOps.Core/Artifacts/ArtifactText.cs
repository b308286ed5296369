using System.Globalization;

namespace PgChatOps.Artifacts;

/// <summary>How files and their one-line summaries print times and durations: UTC, invariant, compact.</summary>
internal static class ArtifactText
{
    public static string Utc(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string UtcSeconds(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>For file names: <c>20261125T1322Z</c>, or with seconds <c>20261125T132207Z</c>.</summary>
    public static string FileStamp(DateTimeOffset at, bool seconds = false) =>
        at.UtcDateTime.ToString(seconds ? "yyyyMMdd'T'HHmmss'Z'" : "yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture);

    /// <summary>A target name as it may appear in a file name: letters, digits, - and _ only.</summary>
    public static string FileSafe(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    public static string Duration(TimeSpan d) => d switch
    {
        { TotalDays: >= 1 } => $"{(int)d.TotalDays}d {d.Hours:00}h",
        { TotalHours: >= 1 } => $"{(int)d.TotalHours}h {d.Minutes:00}m",
        { TotalMinutes: >= 1 } => $"{(int)d.TotalMinutes}m {d.Seconds:00}s",
        _ => $"{Math.Max(0, (int)d.TotalSeconds)}s",
    };
}
