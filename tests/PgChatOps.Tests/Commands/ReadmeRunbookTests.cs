using System.Text.RegularExpressions;
using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

/// <summary>The README's on-call runbook uses real commands: each one parses as written.</summary>
public sealed partial class ReadmeRunbookTests
{
    [GeneratedRegex(@"`/pg ([^`]+)`")]
    private static partial Regex Command();

    private static string Runbook()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgChatOps.sln")))
        {
            dir = dir.Parent;
        }
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
        var start = readme.IndexOf("\n## On-call runbook", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no On-call runbook section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)];
    }

    [Fact]
    public void Every_command_in_the_runbook_parses_and_it_covers_triage_action_and_record()
    {
        var commands = Command().Matches(Runbook()).Select(m => m.Groups[1].Value).ToList();

        Assert.All(commands, c => Assert.True(CommandParser.Parse(c).IsSuccess, $"/pg {c}: {CommandParser.Parse(c).Error}"));
        var verbs = commands.Select(c => CommandParser.Parse(c).Command!.Verb).ToHashSet();
        Assert.Superset(new HashSet<Verb> { Verb.Summary, Verb.Blocking, Verb.Kill, Verb.Cancel, Verb.Snapshot, Verb.Audit }, verbs);
    }
}
