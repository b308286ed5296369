using System.Text.RegularExpressions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Activity;

/// <summary>
/// "One query per read command", counted on the server: the target is a database of its own with
/// <c>log_statement = 'all'</c>, and the server's log is read back for the bot's backends in that database.
/// (pg_stat_database.xact_commit would also count autovacuum workers visiting the database.)
/// </summary>
public sealed partial class RoundTripTests
{
    [GeneratedRegex(@"^\S+ \S+ UTC \[(?<pid>\d+)\] LOG:  (statement|execute [^:]*): ", RegexOptions.Multiline)]
    private static partial Regex StatementLine();

    private static async Task<List<string>> StatementsAsync(string database, int lifeline)
    {
        var pg = await TestDatabase.GetAsync();
        var pids = await BotPidsAsync(database);
        // The lifeline's periodic check is not a read command's statement.
        pids.Remove(lifeline);
        string log;
        await using (var file = new FileStream(Path.Combine(pg.Directory, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(file))
        {
            log = await reader.ReadToEndAsync();
        }
        return StatementLine().Matches(log)
            .Where(m => pids.Contains(int.Parse(m.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .Select(m => log.Substring(m.Index, Math.Min(160, log.Length - m.Index)).Split('\n')[0])
            .ToList();
    }

    private static readonly HashSet<int> SeenPids = [];

    private static async Task<HashSet<int>> BotPidsAsync(string database)
    {
        var pg = await TestDatabase.GetAsync();
        await using var conn = new Npgsql.NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = @db AND application_name = @app", conn);
        cmd.Parameters.AddWithValue("db", database);
        cmd.Parameters.AddWithValue("app", PgChatOps.Activity.OwnBackends.ApplicationName);
        await using var r = await cmd.ExecuteReaderAsync();
        lock (SeenPids)
        {
            while (r.Read())
            {
                SeenPids.Add(r.GetInt32(0));
            }
            return [.. SeenPids];
        }
    }

    [Fact]
    public async Task Every_read_command_is_one_statement_on_the_target()
    {
        var targetDb = await TestDatabase.CreateDatabaseAsync("rt");
        await (await TestDatabase.GetAsync()).ExecuteAsync($"ALTER DATABASE {targetDb} SET log_statement = 'all'");
        await using var core = await CoreHost.StartAsync(targetConnectionString: await TestDatabase.ConnectionStringAsync(targetDb));
        await using var mine = await TestSessions.CreateAsync();
        var session = await mine.OpenIdleInTransactionAsync();
        var lifeline = await core.LifelinePidAsync();

        // The first use of a pool opens a connection and loads types: warm up, then count.
        Assert.Equal(ReplyKind.Info, (await core.SendAsync("sessions")).Kind);
        var before = await StatementsAsync(targetDb, lifeline);
        Assert.NotEmpty(before);

        foreach (var command in new[] { $"sessions user={mine.Role}", "summary", "blocking", $"show {session.Pid}", "targets", "sessions state=idle limit=1 sort=user" })
        {
            var reply = await core.SendAsync(command);
            Assert.True(reply.Kind == ReplyKind.Info, $"{command}: {reply.Title}");

            var after = await StatementsAsync(targetDb, lifeline);

            var these = after.Skip(before.Count).ToList();
            Assert.True(these.Count == 1, $"{command}: {these.Count} statements:\n{string.Join("\n", these)}");
            before = after;
        }
    }
}
