using PgChatOps.Actions;
using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

/// <summary>Issue 13 item 1: the audit filters in the usual grammar, and item 3's <c>csv</c>.</summary>
public sealed class AuditFilterParserTests
{
    private static Command Parsed(string text)
    {
        var parsed = CommandParser.Parse(text);
        Assert.True(parsed.IsSuccess, parsed.Error);
        return parsed.Command!;
    }

    [Theory]
    [InlineData("audit pid=18139")]
    [InlineData("/pg audit 18139")]
    public void A_pid_alone_asks_who_acted_on_it(string text)
    {
        var command = Parsed(text);

        Assert.Equal(Verb.Audit, command.Verb);
        Assert.Equal(18139, command.Pid);
        Assert.True(command.Audit.IsEmpty);
    }

    [Fact]
    public void Every_filter_lands_in_its_place()
    {
        var command = Parsed("audit user=app_* by=alice action=kill status=Outcome-Unknown since=90m target=prod last=20");

        Assert.Equal(new AuditFilter { User = "app_*", By = "alice", Kind = VerbClass.Terminate, Status = "outcome_unknown", SinceAgo = TimeSpan.FromMinutes(90) }, command.Audit);
        Assert.True(command.Filter.IsEmpty);
        Assert.Equal(("prod", 20), (command.Target, command.Last));
    }

    [Theory]
    [InlineData("by=alice", "alice")]
    [InlineData("by=@alice", "alice")]
    [InlineData("by=<@U024BE7LH|alice>", "U024BE7LH")]
    [InlineData("by=<@U024BE7LH>", "U024BE7LH")]
    [InlineData("by=<@!80351110224678912>", "80351110224678912")]
    [InlineData("by=\"Alice Smith\"", "Alice Smith")]
    public void By_takes_a_name_an_at_name_or_a_mention(string arg, string by) =>
        Assert.Equal(by, Parsed("audit " + arg).Audit.By);

    [Theory]
    [InlineData("since=2026-11-25", "2026-11-25T00:00:00Z")]
    [InlineData("since=2026-11-25T13:05", "2026-11-25T13:05:00Z")]
    [InlineData("since=2026-11-25T13:05:30Z", "2026-11-25T13:05:30Z")]
    [InlineData("since=2026-11-25T14:05+01:00", "2026-11-25T13:05:00Z")]
    [InlineData("since=\"2026-11-25 13:05\"", "2026-11-25T13:05:00Z")]
    public void Since_takes_a_utc_date_or_moment(string arg, string utc)
    {
        var audit = Parsed("audit " + arg).Audit;

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), audit.SinceDate);
        Assert.Null(audit.SinceAgo);
    }

    [Theory]
    [InlineData("audit since=yesterday", "Bad since 'yesterday' in 'since=yesterday': use a duration (30m, 2h, 1d) or a UTC date (2026-11-25 or 2026-11-25T13:00), e.g. since=2h.")]
    [InlineData("audit since=2026-13-01", "Bad since '2026-13-01'")]
    [InlineData("audit action=drop", "Unknown action 'drop' in 'action=drop'. Use cancel or terminate (kill is terminate), e.g. action=terminate.")]
    [InlineData("audit status=done", "Unknown status 'done' in 'status=done'. Use one of: pending, confirmed, executed, failed, aborted, expired, outcome_unknown.")]
    [InlineData("audit db=shop", "'db=shop': audit takes no db. Form: `/pg audit [pid=N]")]
    [InlineData("audit verify pid=5", "audit verify walks the whole chain and takes no filters")]
    [InlineData("sessions by=alice", "sessions takes no by")]
    [InlineData("sessions csv csv", "'csv' is not understood")]
    [InlineData("summary csv", "'csv' is not understood")]
    public void A_bad_value_names_the_word_and_the_right_form(string text, string error)
    {
        var parsed = CommandParser.Parse(text);

        Assert.False(parsed.IsSuccess);
        Assert.Contains(error, parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_takes_exactly_the_statuses_an_action_can_have() =>
        Assert.Equal(Enum.GetValues<ActionStatus>().Select(s => s.Name()), CommandGrammar.AuditStatuses);

    [Theory]
    [InlineData("sessions csv")]
    [InlineData("sessions user=app CSV limit=5")]
    public void Csv_asks_for_the_whole_list_as_a_file(string text)
    {
        var command = Parsed(text);

        Assert.True(command.Csv);
        Assert.Equal(Verb.Sessions, command.Verb);
    }

    [Fact]
    public void Snapshot_needs_view_and_takes_a_target()
    {
        var command = Parsed("snapshot target=prod");

        Assert.Equal((Verb.Snapshot, VerbClass.View, "prod"), (command.Verb, command.Class, command.Target));
    }
}
