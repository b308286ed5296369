using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

public sealed class CommandParserTests
{
    private static Command Ok(string text)
    {
        var result = CommandParser.Parse(text);
        Assert.True(result.IsSuccess, result.Error);
        return result.Command!;
    }

    [Fact]
    public void Every_filter_key_lands_in_the_filter()
    {
        var c = Ok("/pg sessions user=app db=shop app=metabase* client=10.0.0.* state=idle-in-transaction wait=Lock longer=1h30m query~\"from orders\" target=prod limit=50 sort=user");

        Assert.Equal(Verb.Sessions, c.Verb);
        Assert.Equal("app", c.Filter.User);
        Assert.Equal("shop", c.Filter.Database);
        Assert.Equal("metabase*", c.Filter.Application);
        Assert.Equal("10.0.0.*", c.Filter.Client);
        Assert.Equal(SessionState.IdleInTransaction, c.Filter.State);
        Assert.Equal("Lock", c.Filter.Wait);
        Assert.Equal(TimeSpan.FromMinutes(90), c.Filter.Longer);
        Assert.Equal("from orders", c.Filter.QueryContains);
        Assert.Equal("prod", c.Target);
        Assert.Equal(50, c.Limit);
        Assert.Equal(SessionSort.User, c.Sort);
    }

    [Theory]
    [InlineData("active", SessionState.Active)]
    [InlineData("idle", SessionState.Idle)]
    [InlineData("idle-in-transaction", SessionState.IdleInTransaction)]
    [InlineData("idle-in-transaction-aborted", SessionState.IdleInTransactionAborted)]
    [InlineData("fastpath", SessionState.Fastpath)]
    [InlineData("disabled", SessionState.Disabled)]
    [InlineData("IDLE", SessionState.Idle)]
    [InlineData("\"idle in transaction\"", SessionState.IdleInTransaction)]
    [InlineData("\"idle in transaction (aborted)\"", SessionState.IdleInTransactionAborted)]
    public void Every_state_parses(string word, SessionState expected)
    {
        Assert.Equal(expected, Ok("sessions state=" + word).Filter.State);
    }

    [Theory]
    [InlineData(SessionState.Active, "active")]
    [InlineData(SessionState.Idle, "idle")]
    [InlineData(SessionState.IdleInTransaction, "idle in transaction")]
    [InlineData(SessionState.IdleInTransactionAborted, "idle in transaction (aborted)")]
    [InlineData(SessionState.Fastpath, "fastpath function call")]
    [InlineData(SessionState.Disabled, "disabled")]
    public void Every_state_has_its_postgres_spelling(SessionState state, string expected)
    {
        Assert.Equal(expected, SessionFilter.StateText(state));
    }

    [Theory]
    [InlineData("duration", SessionSort.Duration)]
    [InlineData("pid", SessionSort.Pid)]
    [InlineData("user", SessionSort.User)]
    [InlineData("db", SessionSort.Db)]
    [InlineData("app", SessionSort.App)]
    [InlineData("state", SessionSort.State)]
    [InlineData("started", SessionSort.Started)]
    public void Every_sort_parses(string word, SessionSort expected)
    {
        Assert.Equal(expected, Ok("sessions sort=" + word).Sort);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1h30m", 5400)]
    [InlineData("1H30M", 5400)]
    [InlineData("0s", 0)]
    [InlineData("366d", 366 * 86400)]
    public void Durations_parse(string text, int seconds)
    {
        Assert.True(CommandParser.TryParseDuration(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("show 12345", Verb.Show, 12345)]
    [InlineData("show pid=12345", Verb.Show, 12345)]
    [InlineData("kill 7", Verb.Kill, 7)]
    [InlineData("cancel 2147483647", Verb.Cancel, int.MaxValue)]
    [InlineData("/PG SHOW 42", Verb.Show, 42)]
    public void A_bare_number_is_the_pid(string text, Verb verb, int pid)
    {
        var c = Ok(text);

        Assert.Equal(verb, c.Verb);
        Assert.Equal(pid, c.Pid);
    }

    [Fact]
    public void Help_takes_a_verb_as_topic()
    {
        Assert.Equal(Verb.Kill, Ok("help kill").HelpTopic);
        Assert.Null(Ok("help").HelpTopic);
    }

    [Fact]
    public void The_text_is_kept_on_one_line_for_the_audit_log()
    {
        var c = Ok("  /pg  sessions\n user=app \t\r\n  state=idle ");

        Assert.Equal("sessions user=app state=idle", c.Text);
    }

    [Fact]
    public void Discord_options_bind_through_the_same_rules()
    {
        var ok = CommandParser.Parse("sessions", [new("user", "=", "app", "user=app"), new("limit", "=", "5", "limit=5")]);
        var bad = CommandParser.Parse("show", [new("pid", "=", "0", "pid=0")]);

        Assert.Equal("app", ok.Command!.Filter.User);
        Assert.Equal(5, ok.Command.Limit);
        Assert.Equal("sessions user=app limit=5", ok.Command.Text);
        Assert.Equal("'0' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg show 12345`.", bad.Error);
    }

    [Theory]
    [InlineData("r_ab*", @"r\_ab%")]
    [InlineData("*", "%")]
    [InlineData("metabase*", "metabase%")]
    [InlineData("*report*", "%report%")]
    [InlineData("50%", @"50\%")]
    [InlineData("50%*", @"50\%%")]
    [InlineData("a_b", @"a\_b")]
    [InlineData(@"C:\temp", @"C:\\temp")]
    [InlineData("plain", "plain")]
    [InlineData("10.0.0.*", "10.0.0.%")]
    public void A_glob_becomes_a_like_pattern_with_percent_and_escapes(string glob, string pattern)
    {
        Assert.Equal(pattern, SessionFilter.ToLikePattern(glob));
    }

    [Fact]
    public void A_name_glob_is_passed_through_to_the_filter_unchanged()
    {
        var c = Ok("sessions user=r_ab* app=*report*");

        Assert.Equal("r_ab*", c.Filter.User);
        Assert.Equal(@"r\_ab%", SessionFilter.ToLikePattern(c.Filter.User!));
        Assert.Equal("%report%", SessionFilter.ToLikePattern(c.Filter.Application!));
    }

    [Fact]
    public void Every_verb_in_the_grammar_parses_its_own_examples()
    {
        foreach (var verb in CommandGrammar.Verbs)
        {
            foreach (var example in verb.Examples)
            {
                var result = CommandParser.Parse(example);
                Assert.True(result.IsSuccess, $"{example}: {result.Error}");
                Assert.Equal(verb.Verb, result.Command!.Verb);
            }
        }
    }

    [Fact]
    public void Every_key_example_parses_with_a_verb_that_takes_it()
    {
        foreach (var key in CommandGrammar.Keys)
        {
            var verb = CommandGrammar.Verbs.First(v => v.Keys.Contains(key.Name));
            var result = CommandParser.Parse($"{verb.Name} {key.Example}");
            Assert.True(result.IsSuccess, $"{verb.Name} {key.Example}: {result.Error}");
        }
    }
}
