using System.Globalization;
using PgChatOps.Actions;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

public sealed class ProtectionTests
{
    [Fact]
    public async Task The_bots_own_connections_are_protected()
    {
        await using var core = await CoreHost.StartAsync();
        // The bot's connections carry its per-process application name, pgchatops-<random hex>.
        await core.SendAsync("sessions");

        var reply = await core.SendAsync($"kill app={PgChatOps.Activity.OwnBackends.ApplicationName}");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains("every matched session is protected", reply.Title, StringComparison.Ordinal);
        Assert.Contains("the bot's own connection", reply.Notes[0], StringComparison.Ordinal);
        Assert.Empty(reply.Buttons);
    }

    [Fact]
    public async Task A_superuser_session_is_protected_and_survives()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var admin = await sessions.OpenAsync(sessions.App("admin"), user: "postgres");
        await using var core = await CoreHost.StartAsync();

        var reply = await core.SendAsync($"kill {admin.Pid}");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains("superuser session (postgres)", reply.Notes[0], StringComparison.Ordinal);
        Assert.True(await TestSessions.IsAliveAsync(admin));
    }

    [Fact]
    public async Task The_autovacuum_launcher_is_protected()
    {
        await using var core = await CoreHost.StartAsync();
        var launcher = await TestDatabase.ScalarAsync<int>("SELECT pid FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher'");

        var reply = await core.SendAsync($"kill {launcher.ToString(CultureInfo.InvariantCulture)}");

        Assert.Equal(ReplyKind.Error, reply.Kind);
        Assert.Contains("not a client connection (autovacuum launcher)", reply.Notes[0], StringComparison.Ordinal);
        Assert.Equal(launcher, await TestDatabase.ScalarAsync<int>("SELECT pid FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher'"));
    }

    [Fact]
    public async Task Protected_sessions_in_a_bulk_preview_are_listed_with_their_reason_and_left_alone()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var ordinary = await sessions.OpenAsync(sessions.App("mix"));
        var admin = await sessions.OpenAsync(sessions.App("mix"), user: "postgres");
        var vip = await sessions.OpenAsync(sessions.App("vip"));
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Protection:Applications:0"] = sessions.App("vip") });

        var preview = await core.SendAsync($"kill app={sessions.Role}_*");

        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.StartsWith("Terminate 1 session", preview.Title, StringComparison.Ordinal);
        Assert.Equal(3, preview.Table!.Rows.Count);
        Assert.Contains(preview.Table.Rows, r => r[0] == P(admin) && r[^1].Contains("superuser", StringComparison.Ordinal));
        Assert.Contains(preview.Table.Rows, r => r[0] == P(vip) && r[^1].Contains("protected application", StringComparison.Ordinal));
        Assert.Contains(preview.Table.Rows, r => r[0] == P(ordinary) && r[^1] == "");

        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.False(await TestSessions.IsAliveAsync(ordinary));
        Assert.True(await TestSessions.IsAliveAsync(admin));
        Assert.True(await TestSessions.IsAliveAsync(vip));
        Assert.Contains(outcome.Table!.Rows, r => r[0] == P(admin) && r[^1].StartsWith("protected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_executor_refuses_a_superuser_session_even_if_the_preview_missed_it()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var admin = await sessions.OpenAsync(sessions.App("admin"), user: "postgres");
        await using var core = await CoreHost.StartAsync();
        var signaller = (BackendSignaller)core.Services.GetService(typeof(BackendSignaller))!;

        var outcomes = await signaller.SignalAsync(core.Target, ActionKind.Terminate,
            [new PlannedSession(admin.Pid, admin.BackendStart, "postgres", "postgres", admin.Application, "idle", null, null)],
            TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(Outcomes.Protected, Assert.Single(outcomes).Outcome);
        Assert.True(await TestSessions.IsAliveAsync(admin));
    }

    [Fact]
    public async Task Superusers_can_be_acted_on_when_configuration_allows_it()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var admin = await sessions.OpenAsync(sessions.App("admin"), user: "postgres");
        await using var core = await CoreHost.StartAsync(new Dictionary<string, string?> { ["Protection:AllowSuperusers"] = "true" });

        var preview = await core.SendAsync($"kill {admin.Pid}");
        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 1", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(admin));
    }

    [Fact]
    public async Task A_session_whose_identity_the_bots_role_cannot_see_is_never_signalled()
    {
        // A bot role that may signal (pg_signal_backend) but not read other sessions' details: PostgreSQL
        // hides their backend_start, so (pid, backend_start) cannot be checked and nothing may be done.
        await using var sessions = await TestSessions.CreateAsync();
        var victim = await sessions.OpenAsync();
        var botRole = TestDatabase.Unique("blind");
        var pg = await TestDatabase.GetAsync();
        await pg.ExecuteAsync($"CREATE ROLE {botRole} LOGIN; GRANT pg_signal_backend TO {botRole};");
        await using var core = await CoreHost.StartAsync(targetConnectionString: pg.ConnectionStringFor("postgres", botRole));

        var preview = await core.SendAsync($"kill {victim.Pid}");

        Assert.Equal(ReplyKind.Error, preview.Kind);
        Assert.Contains("every matched session is protected", preview.Title, StringComparison.Ordinal);
        Assert.Contains("start time is hidden", preview.Notes[0], StringComparison.Ordinal);

        var signaller = (BackendSignaller)core.Services.GetService(typeof(BackendSignaller))!;
        var outcomes = await signaller.SignalAsync(core.Target, ActionKind.Terminate,
            [new PlannedSession(victim.Pid, victim.BackendStart, sessions.Role, "postgres", victim.Application, "idle", null, null)],
            TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(Outcomes.Unverified, Assert.Single(outcomes).Outcome);
        Assert.True(await TestSessions.IsAliveAsync(victim));
    }

    private static string P(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);
}
