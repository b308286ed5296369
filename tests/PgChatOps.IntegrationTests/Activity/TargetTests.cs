using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using static PgChatOps.IntegrationTests.Activity.ReplyRows;

namespace PgChatOps.IntegrationTests.Activity;

public sealed class TargetTests
{
    [Fact]
    public async Task Target_chooses_the_configured_cluster_and_its_connection()
    {
        var otherDb = await TestDatabase.CreateDatabaseAsync("other");
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Targets:other:ConnectionString"] = await TestDatabase.ConnectionStringAsync(otherDb),
        });
        await using var mine = await TestSessions.CreateAsync();
        var idle = await mine.OpenAsync();

        var viaOther = await core.SendAsync($"sessions target=other user={mine.Role}");
        var viaDefault = await core.SendAsync($"sessions user={mine.Role}");
        var canonical = await core.SendAsync($"sessions target=OTHER user={mine.Role}");

        Assert.Equal("1 session on other: 1 idle", viaOther.Title);
        Assert.StartsWith("target other ·", viaOther.Context, StringComparison.Ordinal);
        Assert.Equal([idle.Pid], Pids(viaOther));
        Assert.Equal("1 session on test: 1 idle", viaDefault.Title);
        Assert.Equal("1 session on other: 1 idle", canonical.Title);
        // The bot's pool for "other" is connected to that target's database, and only that pool is.
        var botBackendsThere = await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @app AND datname = @db",
            parameters: [("db", otherDb), ("app", PgChatOps.Activity.OwnBackends.ApplicationName)]);
        Assert.True(botBackendsThere >= 1);
    }

    [Fact]
    public async Task An_unknown_target_is_refused_listing_the_allowed_targets()
    {
        var otherDb = await TestDatabase.CreateDatabaseAsync("other");
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Targets:other:ConnectionString"] = await TestDatabase.ConnectionStringAsync(otherDb),
        });

        foreach (var command in new[] { "sessions target=nope", "summary target=nope", "blocking target=nope", "show 1 target=nope" })
        {
            var reply = await core.SendAsync(command);

            Assert.Equal(ReplyKind.Error, reply.Kind);
            Assert.Equal(Visibility.Requester, reply.Visibility);
            Assert.Equal("Unknown target 'nope'.", reply.Title);
            Assert.Equal(["Targets here: other, test (e.g. target=other)."], reply.Notes);
        }
    }

    [Fact]
    public async Task Targets_lists_both_and_says_each_is_reachable()
    {
        var otherDb = await TestDatabase.CreateDatabaseAsync("other");
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?>
        {
            ["Targets:other:ConnectionString"] = await TestDatabase.ConnectionStringAsync(otherDb),
        });

        var reply = await core.SendAsync("targets");

        Assert.Equal("2 targets available here", reply.Title);
        Assert.Equal(["other", "test (default)"], reply.Table!.Rows.Select(r => r[0]));
        Assert.All(reply.Table.Rows, r => Assert.StartsWith("reachable, PostgreSQL ", r[1], StringComparison.Ordinal));
    }
}
