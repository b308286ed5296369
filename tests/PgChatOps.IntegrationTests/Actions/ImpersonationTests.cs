using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Actions;

/// <summary>
/// Issue #10 item 2: a session cannot hide from the bot or claim its protection by calling itself pgchatops.
/// The bot's own backends are the pids it holds, under its per-process name; a stranger using either name is
/// listed, marked and killable.
/// </summary>
public sealed class ImpersonationTests
{
    private static string P(TestSession s) => s.Pid.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Item2_a_stranger_named_pgchatops_is_listed_marked_and_killable()
    {
        await using var sessions = await TestSessions.CreateAsync();
        var stranger = await sessions.OpenAsync("pgchatops");
        await using var core = await CoreHost.StartAsync();

        var listed = await core.SendAsync($"sessions user={sessions.Role}");
        var preview = await core.SendAsync($"kill {P(stranger)}");

        Assert.Equal($"1 session on test: 1 idle", listed.Title);
        var row = Assert.Single(listed.Table!.Rows);
        Assert.Equal(P(stranger), row[0]);
        Assert.Equal("pgchatops (impersonating the bot)", row[3]);
        Assert.Equal(ReplyKind.Confirmation, preview.Kind);
        Assert.DoesNotContain("the bot's own connection", string.Join("\n", preview.Notes), StringComparison.Ordinal);

        var outcome = await core.ClickAsync(preview.ActionId!.Value, ButtonRole.Confirm);

        Assert.StartsWith("Terminated 1 of 1 session", outcome.Title, StringComparison.Ordinal);
        Assert.False(await TestSessions.IsAliveAsync(stranger));
    }

    [Fact]
    public async Task Item2_a_stranger_copying_the_bots_exact_application_name_is_impersonating_not_protected()
    {
        await using var sessions = await TestSessions.CreateAsync();
        // The per-process name is visible in pg_stat_activity to every role, so a stranger can copy it.
        var stranger = await sessions.OpenAsync(OwnBackends.ApplicationName);
        await using var core = await CoreHost.StartAsync();

        var shown = await core.SendAsync($"show {P(stranger)}");
        var bulk = await core.SendAsync($"kill user={sessions.Role}");

        Assert.Contains(shown.Fields, f => f.Name == "application" && f.Value == $"{OwnBackends.ApplicationName} (impersonating the bot)");
        Assert.Contains(shown.Fields, f => f.Name == "protected" && f.Value == "no");
        Assert.Equal(ReplyKind.Confirmation, bulk.Kind);
        Assert.StartsWith("Terminate 1 session", bulk.Title, StringComparison.Ordinal);

        await core.ClickAsync(bulk.ActionId!.Value, ButtonRole.Confirm);

        Assert.False(await TestSessions.IsAliveAsync(stranger));
    }

    [Fact]
    public async Task Item2_the_bots_lifeline_is_its_own_by_pid_and_name_and_is_refused()
    {
        await using var core = await CoreHost.StartAsync();
        var lifeline = await core.LifelinePidAsync();
        var lifelinePid = lifeline.ToString(CultureInfo.InvariantCulture);

        var shown = await core.SendAsync($"show {lifelinePid}");
        var kill = await core.SendAsync($"kill {lifelinePid}");

        Assert.Contains(shown.Fields, f => f.Name == "protected" && f.Value == "the bot's own connection");
        Assert.Contains(shown.Fields, f => f.Name == "application" && f.Value == OwnBackends.ApplicationName);
        Assert.Equal(ReplyKind.Error, kill.Kind);
        Assert.Contains("the bot's own connection", kill.Notes[0], StringComparison.Ordinal);
        Assert.Equal(lifeline, core.Services.GetRequiredService<TargetRegistry>().Lifeline("test").Pid);
    }

    [Fact]
    public async Task Item2_another_replicas_connection_under_the_bots_role_is_its_own_not_an_impersonator()
    {
        // Another replica names its connections with a secret of its own; it logs in as the bot's role (here postgres).
        await using var replica = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync()
            + ";Pooling=false;Application Name=pgchatops-0123456789abcdef");
        await replica.OpenAsync();
        var pid = replica.ProcessID.ToString(CultureInfo.InvariantCulture);
        await using var core = await CoreHost.StartAsync();

        var shown = await core.SendAsync($"show {pid}");
        var kill = await core.SendAsync($"kill {pid}");

        Assert.Contains(shown.Fields, f => f.Name == "protected" && f.Value == "the bot's own connection");
        Assert.Contains(shown.Fields, f => f.Name == "application" && f.Value == "pgchatops-0123456789abcdef");
        Assert.Equal(ReplyKind.Error, kill.Kind);
        Assert.Equal(System.Data.ConnectionState.Open, replica.State);
    }
}
