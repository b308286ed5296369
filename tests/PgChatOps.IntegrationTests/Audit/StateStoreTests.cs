using Microsoft.Extensions.Options;
using PgChatOps.Audit;
using PgChatOps.Hosting;
using PgChatOps.IntegrationTests.Infrastructure;

namespace PgChatOps.IntegrationTests.Audit;

public sealed class StateStoreTests
{
    private static async Task<StateStore> StoreAsync(string database) =>
        new(Options.Create(new PgChatOpsOptions { StateConnectionString = await TestDatabase.ConnectionStringAsync(database) }));

    [Fact]
    public async Task Replicas_starting_together_migrate_the_schema_once()
    {
        var db = await TestDatabase.CreateDatabaseAsync("state");
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => StoreAsync(db)));

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(CancellationToken.None))));

        Assert.Equal(StateStore.LatestVersion, await stores[0].CurrentVersionAsync(CancellationToken.None));
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>("SELECT count(*) FROM pgchatops.schema_migrations WHERE version = 1", db));
        foreach (var s in stores)
        {
            await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task Migrating_again_changes_nothing_and_keeps_the_audit_log()
    {
        var db = await TestDatabase.CreateDatabaseAsync("state");
        await using var store = await StoreAsync(db);
        await store.MigrateAsync(CancellationToken.None);
        await new AuditLog(store).WriteAsync(new AuditEntry("request", Commands.Platform.Console, "ws", "ops", "alice", "alice") { Command = "sessions" }, CancellationToken.None);

        await store.MigrateAsync(CancellationToken.None);

        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>("SELECT count(*) FROM pgchatops.audit_log WHERE command = 'sessions'", db));
    }
}
