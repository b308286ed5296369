using System.Text.Json;
using CsCheck;
using PgChatOps.Commands;
using PgChatOps.Discord;

namespace PgChatOps.Tests.Discord;

public sealed class DiscordCommandTextTests
{
    private static (string? Text, string? Error) FromJson(string data)
    {
        using var doc = JsonDocument.Parse(data);
        return DiscordCommandText.FromCommandData(doc.RootElement);
    }

    [Fact]
    public void A_kill_with_a_pid_becomes_the_same_text_Slack_users_type()
    {
        var (text, error) = FromJson("""{"name":"pg","type":1,"options":[{"name":"kill","type":1,"options":[{"name":"pid","type":4,"value":12345}]}]}""");

        Assert.Null(error);
        Assert.Equal("kill pid=12345", text);
        Assert.Equal(12345, CommandParser.Parse(text).Command!.Pid);
    }

    [Fact]
    public void Sessions_options_are_quoted_where_needed_and_query_uses_the_tilde()
    {
        var (text, error) = FromJson("""
            {"name":"pg","type":1,"options":[{"name":"sessions","type":1,"options":[
              {"name":"user","type":3,"value":"a b"},{"name":"query","type":3,"value":"select 1"},
              {"name":"state","type":3,"value":"idle-in-transaction"},{"name":"limit","type":4,"value":50}]}]}
            """);

        Assert.Null(error);
        Assert.Equal("sessions user=\"a b\" query~\"select 1\" state=idle-in-transaction limit=50", text);
        var command = CommandParser.Parse(text).Command!;
        Assert.Equal("a b", command.Filter.User);
        Assert.Equal("select 1", command.Filter.QueryContains);
        Assert.Equal(SessionState.IdleInTransaction, command.Filter.State);
        Assert.Equal(50, command.Limit);
    }

    [Fact]
    public void A_value_with_a_double_quote_cannot_break_out_of_its_word()
    {
        var (text, error) = DiscordCommandText.Build("kill", [("user", "x\" pid=1 db=\"y")]);

        Assert.Null(error);
        var parsed = CommandParser.Parse(text);
        Assert.True(parsed.IsSuccess, parsed.Error);
        Assert.Null(parsed.Command!.Pid);
        Assert.Null(parsed.Command.Filter.Database);
        Assert.Equal("x\" pid=1 db=\"y", parsed.Command.Filter.User);
    }

    [Fact]
    public void A_value_holding_every_kind_of_quote_is_refused_with_a_clear_message()
    {
        var (text, error) = DiscordCommandText.Build("sessions", [("query", "a\"b'c”d’e pid=1")]);

        Assert.Null(text);
        Assert.Contains("quote", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"other","type":1}""")]
    [InlineData("""{"name":"pg","type":1,"options":[{"name":"sessions","type":3,"value":"x"}]}""")]
    [InlineData("""{"name":"pg","type":1,"options":[{"name":"kill it","type":1}]}""")]
    [InlineData("""{"name":"pg","type":1,"options":[{"name":"kill","type":1,"options":[{"name":"pid=1 user","type":3,"value":"x"}]}]}""")]
    [InlineData("""{"name":"pg","type":1,"options":[{"name":"kill","type":1,"options":[{"name":"pid","type":5,"value":true}]}]}""")]
    public void Unexpected_command_shapes_get_an_error_not_a_command(string data)
    {
        var (text, error) = FromJson(data);
        Assert.Null(text);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData(true, "sessions user=app csv")]
    [InlineData(false, "sessions user=app")]
    public void The_csv_boolean_on_sessions_becomes_the_bare_word(bool csv, string expected)
    {
        var (text, error) = FromJson($$"""{"name":"pg","type":1,"options":[{"name":"sessions","type":1,"options":[{"name":"user","type":3,"value":"app"},{"name":"csv","type":5,"value":{{(csv ? "true" : "false")}}}]}]}""");
        Assert.Null(error);
        Assert.Equal(expected, text);
        Assert.Equal(csv, CommandParser.Parse(text!).Command!.Csv);
    }

    [Fact]
    public void Any_value_either_reads_back_unchanged_or_is_refused()
    {
        var chars = Gen.String["ab =~\"'“”‘’\t\u00a0x*"];
        Gen.Select(chars, chars).Sample((user, query) =>
        {
            var (text, error) = DiscordCommandText.Build("sessions", [("user", "u" + user), ("query", "q" + query)]);
            if (text is null)
            {
                return error is not null;
            }
            var parsed = CommandParser.Parse(text);
            return parsed.IsSuccess && parsed.Command!.Filter.User == "u" + user && parsed.Command.Filter.QueryContains == "q" + query
                && parsed.Command.Pid is null && parsed.Command.Filter.Database is null;
        }, iter: 2000);
    }
}
