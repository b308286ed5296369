using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

/// <summary>Every error names the offending word and shows the right form.</summary>
public sealed class CommandParserErrorTests
{
    [Theory]
    [InlineData("frobnicate", "Unknown verb 'frobnicate'. Verbs: help, targets, sessions, summary, blocking, snapshot, show, cancel, kill, audit, watch, history.")]
    [InlineData("/pg sesions user=x", "Unknown verb 'sesions'. Verbs: help, targets, sessions, summary, blocking, snapshot, show, cancel, kill, audit, watch, history.")]
    [InlineData("user=postgres", "A command starts with a verb, not with 'user=postgres': e.g. `/pg sessions user=postgres`.")]
    public void An_unknown_verb_is_named_and_the_verbs_are_listed(string text, string expected)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.Error);
        Assert.True(result.ShowHelp);
    }

    [Theory]
    [InlineData("sessions usr=postgres", "Unknown filter 'usr' in 'usr=postgres'. Did you mean user? sessions takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, limit=, sort=.")]
    [InlineData("sessions stat=idle", "Unknown filter 'stat' in 'stat=idle'. Did you mean state? sessions takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, limit=, sort=.")]
    [InlineData("sessions longr=5m", "Unknown filter 'longr' in 'longr=5m'. Did you mean longer? sessions takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, limit=, sort=.")]
    [InlineData("sessions querry~foo", "Unknown filter 'querry' in 'querry~foo'. Did you mean query? sessions takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, limit=, sort=.")]
    [InlineData("sessions colour=blue", "Unknown filter 'colour' in 'colour=blue'. sessions takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, limit=, sort=.")]
    [InlineData("blocking targt=prod", "Unknown filter 'targt' in 'targt=prod'. Did you mean target? blocking takes: target=.")]
    [InlineData("kill usr=app", "Unknown filter 'usr' in 'usr=app'. Did you mean user? kill takes: user=, db=, app=, client=, state=, wait=, longer=, query~, target=, pid=.")]
    public void An_unknown_key_is_named_with_the_nearest_key_and_the_keys_the_verb_takes(string text, string expected)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("sessions longer=5x", "5x")]
    [InlineData("sessions longer=5", "5")]
    [InlineData("sessions longer=m5", "m5")]
    [InlineData("sessions longer=-5m", "-5m")]
    [InlineData("sessions longer=1.5h", "1.5h")]
    [InlineData("sessions longer=400d", "400d")]
    [InlineData("kill user=app longer=soon", "soon")]
    public void A_bad_duration_is_named_and_the_right_form_is_shown(string text, string word)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        var key = text[(text.LastIndexOf(' ') + 1)..];
        Assert.Equal(
            $"Bad duration '{word}' in '{key}': use a whole number and a unit (s, m, h, d), e.g. longer=30s, longer=5m, longer=1h30m.",
            result.Error);
    }

    [Theory]
    [InlineData("show 0", "0")]
    [InlineData("show -5", "-5")]
    [InlineData("show 2147483648", "2147483648")]
    [InlineData("show 12abc", "12abc")]
    [InlineData("show +7", "+7")]
    [InlineData("show pid=0", "0")]
    [InlineData("show pid=-5", "-5")]
    [InlineData("show pid=99999999999", "99999999999")]
    [InlineData("show pid=12abc", "12abc")]
    public void A_pid_must_be_a_positive_32_bit_integer(string text, string word)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal($"'{word}' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg show 12345`.", result.Error);
    }

    [Theory]
    [InlineData("kill 0", "'0' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg kill 12345`.")]
    [InlineData("cancel -5", "'-5' is not a pid: a pid is a whole number from 1 to 2147483647, e.g. `/pg cancel 12345`.")]
    [InlineData("show 2147483647", null)]
    [InlineData("show 1", null)]
    public void The_pid_error_shows_the_verb_that_was_typed(string text, string? expected)
    {
        var result = CommandParser.Parse(text);

        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("sessions user=a user=b", "user is given twice ('user=a' and 'user=b'): give it once.")]
    [InlineData("sessions USER=a user=b", "user is given twice ('USER=a' and 'user=b'): give it once.")]
    [InlineData("sessions limit=5 limit=6", "limit is given twice ('limit=5' and 'limit=6'): give it once.")]
    [InlineData("sessions query~a query~b", "query is given twice ('query~a' and 'query~b'): give it once.")]
    [InlineData("show 1 2", "pid is given twice ('1' and '2'): give it once.")]
    [InlineData("show 1 pid=2", "pid is given twice ('1' and 'pid=2'): give it once.")]
    [InlineData("show pid=1 2", "pid is given twice ('pid=1' and '2'): give it once.")]
    public void The_same_key_twice_is_refused_naming_both_words(string text, string expected)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/pg")]
    [InlineData("  /pg   ")]
    [InlineData("\n\t")]
    [InlineData(null)]
    public void Empty_input_asks_for_a_verb(string? text)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal("Nothing to do: give a verb, e.g. `/pg sessions`.", result.Error);
        Assert.True(result.ShowHelp);
    }

    [Theory]
    [InlineData("sessions query~\"from orders\"", "from orders")]
    [InlineData("sessions query~'from orders'", "from orders")]
    [InlineData("sessions query~\u201Cfrom orders\u201D", "from orders")]
    [InlineData("sessions query~\u2018from orders\u2019", "from orders")]
    [InlineData("sessions query~\"from orders\u201D", "from orders")]
    [InlineData("sessions query~\u201Dfrom orders\u201D", "from orders")]
    [InlineData("sessions query~\u201Efrom orders\u201C", "from orders")]
    [InlineData("sessions query~\u201Efrom orders\u201D", "from orders")]
    [InlineData("sessions query~\"it's here\"", "it's here")]
    [InlineData("sessions query~'say \"hi\"'", "say \"hi\"")]
    [InlineData("sessions query~\"\"", null)]
    [InlineData("sessions query~orders", "orders")]
    public void Quotes_group_words_into_one_value(string text, string? expected)
    {
        var result = CommandParser.Parse(text);

        if (expected is null)
        {
            Assert.Equal("'query~\"\"' has no value. Form: query~\"from orders\".", result.Error);
            return;
        }
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(expected, result.Command!.Filter.QueryContains);
    }

    [Theory]
    [InlineData("sessions query~\"from orders", "query~\"from orders")]
    [InlineData("sessions query~'from orders", "query~'from orders")]
    [InlineData("sessions query~\u201Cfrom orders", "query~\u201Cfrom orders")]
    [InlineData("sessions app=\"metabase", "app=\"metabase")]
    public void An_unclosed_quote_is_named(string text, string word)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal($"Unclosed quote in '{word}': close it, e.g. query~\"select 1\".", result.Error);
    }

    [Fact]
    public void Input_over_2000_characters_is_refused_with_its_length()
    {
        var text = "sessions query~" + new string('x', 1986);
        Assert.Equal(2001, text.Length);

        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(
            "The command is 2,001 characters long; the limit is 2,000. Shorten the filters, e.g. query~ a shorter fragment.",
            result.Error);
    }

    [Fact]
    public void Input_of_exactly_2000_characters_is_parsed()
    {
        var text = "sessions query~" + new string('x', 1985);

        var result = CommandParser.Parse(text);

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(1985, result.Command!.Filter.QueryContains!.Length);
    }

    [Theory]
    [InlineData("sessions state=sleeping", "Unknown state 'sleeping' in 'state=sleeping'. Use one of: active, idle, idle-in-transaction, idle-in-transaction-aborted, fastpath, disabled.")]
    [InlineData("sessions sort=size", "Unknown sort 'size' in 'sort=size'. Use one of: duration, pid, user, db, app, state, started.")]
    [InlineData("sessions limit=0", "Bad limit '0' in 'limit=0': use a whole number from 1 to 500, e.g. limit=50.")]
    [InlineData("sessions limit=501", "Bad limit '501' in 'limit=501': use a whole number from 1 to 500, e.g. limit=50.")]
    [InlineData("sessions limit=ten", "Bad limit 'ten' in 'limit=ten': use a whole number from 1 to 500, e.g. limit=50.")]
    [InlineData("audit last=101", "Bad count '101' in 'last=101': use a whole number from 1 to 100, e.g. last=20.")]
    [InlineData("sessions user=", "'user=' has no value. Form: user=postgres.")]
    [InlineData("sessions user~app", "'user~app': only query takes ~. Use user=…, e.g. user=postgres.")]
    [InlineData("summary user=app", "'user=app': summary takes no user. Form: `/pg summary [target=NAME|PATTERN]`.")]
    [InlineData("sessions 1234", "sessions takes no pid ('1234'). For one session use `/pg show 1234`.")]
    [InlineData("sessions postgres", "'postgres' is not understood: filters are key=value, e.g. user=postgres. Form: `/pg sessions [filters] [limit=N] [sort=KEY] [target=NAME] [csv]`.")]
    [InlineData("targets now", "'now' is not understood: targets takes nothing more. Form: `/pg targets`.")]
    [InlineData("show", "show needs a pid. Form: `/pg show <pid> [target=NAME]`, e.g. /pg show 12345.")]
    [InlineData("kill", "kill needs a pid or at least one filter. Form: `/pg kill <pid> | kill <filters> [target=NAME]`, e.g. /pg kill 12345 or /pg kill user=reporting state=idle-in-transaction longer=10m.")]
    [InlineData("kill target=prod", "kill needs a pid or at least one filter. Form: `/pg kill <pid> | kill <filters> [target=NAME]`, e.g. /pg kill 12345 or /pg kill user=reporting state=idle-in-transaction longer=10m.")]
    [InlineData("cancel 123 user=app", "cancel takes a pid or filters, not both: e.g. `/pg cancel 123`, or the filters alone.")]
    [InlineData("help frob", "No help for 'frob': it is not a verb. Try `/pg help`.")]
    public void Other_mistakes_name_the_word_and_the_form(string text, string expected)
    {
        var result = CommandParser.Parse(text);

        Assert.False(result.IsSuccess);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void A_long_offending_word_is_clipped_so_the_message_stays_short()
    {
        var word = new string('z', 500);

        var result = CommandParser.Parse("sessions state=" + word);

        Assert.False(result.IsSuccess);
        Assert.True(result.Error!.Length < 300, result.Error);
        Assert.Contains(new string('z', 57) + "…", result.Error, StringComparison.Ordinal);
    }
}
