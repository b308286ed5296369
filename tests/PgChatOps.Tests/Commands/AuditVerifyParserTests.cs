using PgChatOps.Commands;

namespace PgChatOps.Tests.Commands;

public sealed class AuditVerifyParserTests
{
    [Theory]
    [InlineData("/pg audit verify")]
    [InlineData("audit VERIFY")]
    public void Item3_audit_verify_asks_for_the_chain_walk_with_the_view_permission(string text)
    {
        var parsed = CommandParser.Parse(text);

        Assert.True(parsed.IsSuccess, parsed.Error);
        Assert.Equal(Verb.Audit, parsed.Command!.Verb);
        Assert.True(parsed.Command.Verify);
        Assert.Equal(VerbClass.View, parsed.Command.Class);
    }

    [Fact]
    public void Item3_plain_audit_still_lists_actions()
    {
        var parsed = CommandParser.Parse("audit last=5");

        Assert.True(parsed.IsSuccess, parsed.Error);
        Assert.False(parsed.Command!.Verify);
        Assert.Equal(5, parsed.Command.Last);
    }

    [Theory]
    [InlineData("audit verify last=5", "audit verify walks the whole chain and takes no last")]
    [InlineData("audit verify verify", "'verify' is not understood")]
    [InlineData("audit check", "'check' is not understood")]
    public void Item3_audit_verify_takes_nothing_more(string text, string error)
    {
        var parsed = CommandParser.Parse(text);

        Assert.False(parsed.IsSuccess);
        Assert.Contains(error, parsed.Error, StringComparison.Ordinal);
    }
}
