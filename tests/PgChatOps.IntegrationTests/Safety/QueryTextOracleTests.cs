using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using static PgChatOps.IntegrationTests.Activity.ReplyRows;

namespace PgChatOps.IntegrationTests.Safety;

/// <summary>Issue #10 item 5: with query text hidden, query~ must not become a character-by-character oracle.</summary>
public sealed class QueryTextOracleTests
{
    [Fact]
    public async Task Item5_query_filter_is_refused_where_query_text_is_hidden()
    {
        await using var sessions = await TestSessions.CreateAsync("qo");
        var secret = await sessions.OpenActiveAsync();
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Targets:test:ShowQueryText"] = "false" });

        // The attacker's probes: each would say whether the hidden text contains a guessed fragment.
        foreach (var probe in new[] { $"sessions query~pg_sleep user={sessions.Role}", $"sessions query~{secret.Application}", $"kill query~pg_sleep user={sessions.Role}" })
        {
            var reply = await core.SendAsync(probe);
            Assert.Equal(ReplyKind.Error, reply.Kind);
            Assert.Contains("query~ cannot be used on test", reply.Title, StringComparison.Ordinal);
            Assert.Contains("ShowQueryText is false", reply.Title, StringComparison.Ordinal);
            Assert.Null(reply.Table);
            Assert.Null(reply.ActionId);
        }

        // The refusal is audited, and the same filters without query~ still work.
        Assert.Equal(3, await AuditRows.CountAsync(core.StateConnectionString, "event = 'denied' AND outcome = 'query_text_hidden' AND actor_id = 'alice'"));
        Assert.Equal([secret.Pid], Pids(await core.SendAsync($"sessions user={sessions.Role}")));
        Assert.True(await TestSessions.IsAliveAsync(secret));
    }
}
