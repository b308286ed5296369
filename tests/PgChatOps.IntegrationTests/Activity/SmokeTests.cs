using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Activity;

public sealed class SmokeTests
{
    [Fact]
    public async Task Sessions_lists_an_idle_session_of_its_own_role()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var idle = await sessions.OpenAsync();
        await using var core = await CoreHost.StartAsync();

        var reply = await core.SendAsync($"sessions user={sessions.Role}");

        Assert.Equal(ReplyKind.Info, reply.Kind);
        var row = Assert.Single(reply.Table!.Rows);
        Assert.Equal(idle.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), row[0]);
        Assert.Equal("idle", row[5]);
    }
}
