using Npgsql;

namespace PgChatOps.IntegrationTests.Infrastructure;

/// <summary>
/// Real backends owned by one test: its own login role and application names (both unique), so
/// assertions never depend on other tests' sessions. Disposing closes every connection.
/// </summary>
public sealed class TestSessions : IAsyncDisposable
{
    private static readonly SemaphoreSlim GrantLock = new(1, 1);
    private readonly List<TestSession> _sessions = [];

    private TestSessions(string role) => Role = role;

    /// <summary>A unique, non-superuser login role created for this test.</summary>
    public string Role { get; }

    /// <summary>A unique prefix for application names: <c>Role</c> itself.</summary>
    public string App(string suffix = "app") => $"{Role}_{suffix}";

    public static async Task<TestSessions> CreateAsync(string prefix = "r")
    {
        var role = TestDatabase.Unique(prefix);
        var pg = await TestDatabase.GetAsync();
        // Concurrent GRANTs on one schema fail with "tuple concurrently updated": one at a time.
        await GrantLock.WaitAsync();
        try
        {
            await pg.ExecuteAsync($"CREATE ROLE {role} LOGIN; GRANT CREATE ON SCHEMA public TO {role};");
        }
        finally
        {
            GrantLock.Release();
        }
        return new TestSessions(role);
    }

    /// <summary>An idle connection as this test's role (or <paramref name="user"/>).</summary>
    public async Task<TestSession> OpenAsync(string? app = null, string database = "postgres", string? user = null)
    {
        var pg = await TestDatabase.GetAsync();
        var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionStringFor(database, user ?? Role))
        {
            ApplicationName = app ?? App(),
            Pooling = false,
        };
        var conn = new NpgsqlConnection(cs.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        var session = new TestSession(conn, r.GetInt32(0), r.GetDateTime(1), cs.ApplicationName!);
        _sessions.Add(session);
        return session;
    }

    /// <summary>A session running <c>pg_sleep</c>: state active, wait Timeout:PgSleep.</summary>
    public async Task<TestSession> OpenActiveAsync(string? app = null, int seconds = 600, string database = "postgres", string? user = null)
    {
        var s = await OpenAsync(app, database, user);
        s.RunInBackground($"SELECT pg_sleep({seconds}) /* {s.Application} */");
        await WaitForStateAsync(s.Pid, "active");
        return s;
    }

    /// <summary>A session idle in a transaction.</summary>
    public async Task<TestSession> OpenIdleInTransactionAsync(string? app = null, string database = "postgres", string? user = null)
    {
        var s = await OpenAsync(app, database, user);
        await s.ExecuteAsync("BEGIN; SELECT 1");
        await WaitForStateAsync(s.Pid, "idle in transaction");
        return s;
    }

    /// <summary>
    /// A lock chain A → B → C on a table of its own: A holds row 1 (idle in transaction), B holds row 2 and
    /// waits for row 1, C waits for row 2.
    /// </summary>
    public async Task<(TestSession A, TestSession B, TestSession C)> OpenLockChainAsync()
    {
        var table = $"{Role}_t";
        var pg = await TestDatabase.GetAsync();
        await pg.ExecuteAsync($"CREATE TABLE {table} (id int PRIMARY KEY, v int); INSERT INTO {table} VALUES (1, 0), (2, 0); GRANT ALL ON {table} TO {Role};");
        var a = await OpenAsync(App("a"));
        var b = await OpenAsync(App("b"));
        var c = await OpenAsync(App("c"));
        await a.ExecuteAsync($"BEGIN; UPDATE {table} SET v = 1 WHERE id = 1");
        await b.ExecuteAsync($"BEGIN; UPDATE {table} SET v = 1 WHERE id = 2");
        b.RunInBackground($"UPDATE {table} SET v = 2 WHERE id = 1");
        await WaitForStateAsync(b.Pid, "active", waitType: "Lock");
        c.RunInBackground($"UPDATE {table} SET v = 3 WHERE id = 2");
        await WaitForStateAsync(c.Pid, "active", waitType: "Lock");
        return (a, b, c);
    }

    /// <summary>Waits (bounded) until a backend shows the given state in pg_stat_activity.</summary>
    public static async Task WaitForStateAsync(int pid, string state, string? waitType = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            var ok = await TestDatabase.ScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = @pid AND state = @state AND (@wait = '' OR wait_event_type = @wait))",
                parameters: [("pid", pid), ("state", state), ("wait", waitType ?? "")]);
            if (ok)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Backend {pid} did not reach state '{state}' {waitType}.");
    }

    /// <summary>Whether a backend with this pid and start time still exists.</summary>
    public static Task<bool> IsAliveAsync(TestSession s) =>
        TestDatabase.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = @pid AND backend_start = @start)",
            parameters: [("pid", s.Pid), ("start", s.BackendStart)]);

    /// <summary>
    /// Closes a session's connection and waits (bounded) until its backend is gone from pg_stat_activity: the server
    /// ends the backend just after the client's goodbye, so a sample taken at once may still see it.
    /// </summary>
    public static async Task CloseAndWaitGoneAsync(TestSession s)
    {
        await s.Connection.CloseAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await IsAliveAsync(s))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Backend {s.Pid} was still in pg_stat_activity 10 s after its client closed.");
            }
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sessions)
        {
            await s.DisposeAsync();
        }
    }
}

/// <summary>One real backend.</summary>
public sealed class TestSession(NpgsqlConnection connection, int pid, DateTime backendStart, string application) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public NpgsqlConnection Connection { get; } = connection;
    public int Pid { get; } = pid;
    public DateTime BackendStart { get; } = backendStart;
    public string Application { get; } = application;

    /// <summary>The statement started by <see cref="RunInBackground"/>; faults when the backend is cancelled or killed.</summary>
    public Task? Background { get; private set; }

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, Connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public void RunInBackground(string sql)
    {
        Background = Task.Run(async () =>
        {
            await using var cmd = new NpgsqlCommand(sql, Connection) { CommandTimeout = 0 };
            await cmd.ExecuteNonQueryAsync(_stop.Token);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Background is not null)
        {
            try
            {
                await Background.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception)
            {
                // Cancelled or killed: the point of it.
            }
        }
        try
        {
            await Connection.DisposeAsync();
        }
        catch (Exception)
        {
            // Terminated by the test.
        }
        _stop.Dispose();
    }
}
