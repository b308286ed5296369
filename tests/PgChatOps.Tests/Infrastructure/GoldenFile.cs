using System.Runtime.CompilerServices;

namespace PgChatOps.Tests.Infrastructure;

/// <summary>
/// Golden files: what a platform receives for a representative reply, kept in <c>golden/</c> beside the test file.
/// After a deliberate change, regenerate them with <c>PGCHATOPS_UPDATE_GOLDEN=1</c> and review the diff;
/// <c>PGCHATOPS_WRITE_GOLDEN=1</c> writes only the files that do not exist yet.
/// </summary>
internal static class GoldenFile
{
    public static void AssertMatches(string name, string actual, [CallerFilePath] string testFile = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(testFile)!, "golden", name);
        if (Environment.GetEnvironmentVariable("PGCHATOPS_UPDATE_GOLDEN") == "1"
            || (!File.Exists(path) && Environment.GetEnvironmentVariable("PGCHATOPS_WRITE_GOLDEN") == "1"))
        {
            File.WriteAllText(path, actual);
        }
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
