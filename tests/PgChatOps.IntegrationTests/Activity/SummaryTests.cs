using PgChatOps.Activity;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;
using Microsoft.Extensions.DependencyInjection;

namespace PgChatOps.IntegrationTests.Activity;

public sealed class SummaryTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private CoreHost Core => fixture.Core;

    private static int CountOf(IReadOnlyList<(string Key, int Count)> counts, string key) =>
        counts.Where(c => c.Key == key).Sum(c => c.Count);

    [Fact]
    public async Task Summary_counts_equal_the_same_counts_taken_with_sql()
    {
        await using var mine = await TestSessions.CreateAsync();
        await mine.OpenAsync(mine.App("one"));
        await mine.OpenAsync(mine.App("one"));
        await mine.OpenIdleInTransactionAsync(mine.App("two"));
        await mine.OpenActiveAsync(mine.App("three"));

        const string idleInTxSql = "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND backend_type = 'client backend'";
        var idleInTxBefore = await TestDatabase.ScalarAsync<long>(idleInTxSql);
        var summary = await Core.Services.GetRequiredService<ActivityReader>().SummarizeAsync("test", CancellationToken.None);
        var idleInTxAfter = await TestDatabase.ScalarAsync<long>(idleInTxSql);

        var byUser = await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = @r AND backend_type = 'client backend'", parameters: [("r", mine.Role)]);
        Assert.Equal(4, byUser);
        Assert.Equal(byUser, CountOf(summary.ByUser, mine.Role));
        foreach (var (app, expected) in new[] { ("one", 2), ("two", 1), ("three", 1) })
        {
            var sql = await TestDatabase.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = @a", parameters: [("a", mine.App(app))]);
            Assert.Equal(expected, sql);
            Assert.Equal(sql, CountOf(summary.ByApplication, mine.App(app)));
        }
        var mineIdleInTx = await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = @r AND state = 'idle in transaction'", parameters: [("r", mine.Role)]);
        Assert.Equal(1, mineIdleInTx);
        Assert.True(summary.IdleInTransaction >= mineIdleInTx);
        // Other tests open and close transactions meanwhile: the summary lies between the counts taken around it.
        Assert.InRange(summary.IdleInTransaction, Math.Min(idleInTxBefore, idleInTxAfter) - 10, Math.Max(idleInTxBefore, idleInTxAfter) + 10);
        Assert.True(CountOf(summary.ByState, "idle in transaction") >= 1);
        Assert.True(CountOf(summary.ByState, "active") >= 1);
        Assert.True(CountOf(summary.ByWaitEventType, "Timeout") >= 1);
        Assert.NotNull(summary.OldestTransaction);

        var maxConnections = int.Parse(await TestDatabase.ScalarAsync<string>("SELECT current_setting('max_connections')"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(maxConnections, summary.MaxConnections);
        var connections = await TestDatabase.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
        // Other tests open and close sessions meanwhile; the two counts are taken a moment apart.
        Assert.InRange(summary.Connections, connections - 25, connections + 25);
        Assert.InRange(summary.Connections, byUser + 1, summary.MaxConnections);
    }

    [Fact]
    public async Task Summary_reply_shows_connections_against_max_connections_and_the_counts()
    {
        await using var mine = await TestSessions.CreateAsync();
        await mine.OpenIdleInTransactionAsync();

        var reply = await Core.SendAsync("summary");

        Assert.Equal(ReplyKind.Info, reply.Kind);
        Assert.Equal("Summary of test", reply.Title);
        var fields = reply.Fields.ToDictionary(f => f.Name, f => f.Value);
        Assert.Matches(@"^\d+ of 300 max_connections \(\d+% of the 297 for ordinary roles\)$", fields["connections"]);
        Assert.Matches(@"^\d+", fields["idle in transaction"]);
        Assert.Contains("idle-in-tx", fields["by state"], StringComparison.Ordinal);
        Assert.Matches(@"^(under a second|\d+ (second|minute|hour|day)s?): pid \d+ ", fields["oldest transaction"]);
        Assert.Contains("by user", fields.Keys);
        Assert.Contains("by database", fields.Keys);
        Assert.Contains("by application", fields.Keys);
        Assert.Contains("by wait type", fields.Keys);
    }
}
