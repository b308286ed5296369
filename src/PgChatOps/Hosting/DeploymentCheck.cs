using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using PgChatOps.Activity;
using PgChatOps.Audit;

namespace PgChatOps.Hosting;

/// <summary>
/// The <c>check</c> verb: validates the settings and probes every dependency the way <c>serve</c> would use it,
/// printing one line per finding (<c>ok</c>, <c>warn</c>, <c>FAIL</c>, <c>skip</c>). Any FAIL means exit 1.
/// </summary>
public sealed class DeploymentCheck(PgChatOpsOptions options, TextWriter output, HttpClient http)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private int _failures;

    /// <summary>Reads the settings as <c>serve</c> does (appsettings.json, environment, command line) and checks them.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddPgChatOps();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        PgChatOpsOptions options;
        try
        {
            options = SettingsBinding.Bind(builder.Configuration);
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                await output.WriteLineAsync($"FAIL settings: {failure}");
            }
            return 1;
        }
        return await new DeploymentCheck(options, output, http).RunAsync(builder.Configuration, CancellationToken.None);
    }

    public async Task<int> RunAsync(IConfiguration? configuration, CancellationToken ct)
    {
        var problems = SettingsValidator.Check(options, configuration);
        foreach (var problem in problems)
        {
            await FailAsync($"settings: {problem}");
        }
        if (problems.Count == 0)
        {
            await OkAsync($"settings: valid ({options.Targets.Count} target(s), {options.Access.Rules.Count} access rule(s))");
        }
        await CheckRuleWorkspacesAsync(configuration);
        foreach (var (name, target) in options.Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!string.IsNullOrWhiteSpace(target.ConnectionString))
            {
                await CheckTargetAsync(name, target.ConnectionString, ct);
            }
        }
        await CheckStateStoreAsync(ct);
        await CheckSlackAsync(ct);
        await CheckDiscordAsync(ct);
        return _failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// A rule that lets someone cancel or terminate but names no workspace applies in every Slack workspace and
    /// Discord guild that can reach the bot. Console-only rules are left alone: the console is local.
    /// </summary>
    private async Task CheckRuleWorkspacesAsync(IConfiguration? configuration)
    {
        var keys = AccessOptionsValidator.RuleKeys(options.Access, configuration);
        for (var i = 0; i < options.Access.Rules.Count; i++)
        {
            var rule = options.Access.Rules[i];
            var grants = rule.Allow.Select(a => a.Trim().ToLowerInvariant()).Where(a => a is "cancel" or "terminate").Distinct().ToList();
            if (grants.Count == 0 || rule.Workspaces.Count > 0 || string.Equals(rule.Platform?.Trim(), "console", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            await WarnAsync($"access: {keys[i]} grants {string.Join(" and ", grants)} in any Slack workspace or Discord guild that can reach the bot; " +
                            $"name yours in {keys[i]}:Workspaces (Slack team ids, Discord guild ids)");
        }
    }

    private async Task CheckTargetAsync(string name, string connectionString, CancellationToken ct)
    {
        const string sql = """
            SELECT current_setting('server_version'),
                   current_user::text,
                   coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
                   pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
                   pg_has_role(current_user, 'pg_signal_backend', 'USAGE'),
                   current_setting('max_connections')::int,
                   current_setting('superuser_reserved_connections')::int,
                   (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
                   current_setting('server_version_num')::int,
                   -- PostgreSQL 16+: slots for roles with pg_use_reserved_connections (NULL before 16).
                   current_setting('reserved_connections', true)::int,
                   CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_use_reserved_connections')
                        THEN pg_has_role(current_user, 'pg_use_reserved_connections', 'USAGE') ELSE false END,
                   (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user),
                   (SELECT count(*) FROM pg_stat_activity WHERE usename = current_user)::int,
                   (SELECT count(*) FROM pg_stat_activity
                     WHERE usename = current_user AND application_name LIKE 'pgchatops-%' AND pid <> pg_backend_pid())::int
            """;
        try
        {
            await using var source = TargetRegistry.BuildDataSource(connectionString, ConnectTimeout);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout * 2);
            await using var cmd = source.CreateCommand(sql);
            await using var r = await cmd.ExecuteReaderAsync(timeout.Token);
            await r.ReadAsync(timeout.Token);
            var (version, role, super, readStats, signal) = (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetBoolean(3), r.GetBoolean(4));
            var (max, reserved, used) = (r.GetInt32(5), r.GetInt32(6), r.GetInt32(7));

            await OkAsync($"target {name}: reachable, PostgreSQL {version}, as role {role}");
            if (super)
            {
                await OkAsync($"target {name}: role {role} sees other users' query text (superuser)");
                await OkAsync($"target {name}: role {role} can signal other backends (superuser)");
                await WarnAsync($"target {name}: role {role} is a superuser; a least-privilege role is safer (manifests/postgres/pgchatops-role.sql)");
            }
            else
            {
                await (readStats
                    ? OkAsync($"target {name}: role {role} sees other users' query text (pg_read_all_stats)")
                    : FailAsync($"target {name}: role {role} cannot see other users' query text (needs pg_monitor or pg_read_all_stats)"));
                await (signal
                    ? OkAsync($"target {name}: role {role} can signal other users' backends (pg_signal_backend; never a superuser's)")
                    : FailAsync($"target {name}: role {role} cannot signal other backends (needs pg_signal_backend or superuser)"));
            }
            var usable = max - reserved;
            var line = $"target {name}: max_connections {max}, in use {used}";
            await (used >= usable * 0.9 ? WarnAsync(line + $" (over 90% of the {usable} non-reserved)") : OkAsync(line));
            await CheckStormAsync(name, role, super, r, max, reserved, used);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
        {
            await FailAsync($"target {name}: unreachable: {Describe(ex)} (a running serve gets in only through the lifeline "
                + "it already holds; on PostgreSQL 16+ reserved_connections with pg_use_reserved_connections is a second way in)");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            await FailAsync($"target {name}: unreachable: {Describe(ex)}");
        }
    }

    /// <summary>Whether the bot will get in when every ordinary connection slot is taken (issue #9).</summary>
    private async Task CheckStormAsync(string name, string role, bool super, NpgsqlDataReader r, int max, int superReserved, int used)
    {
        var versionNum = r.GetInt32(8);
        int? reservedForRoles = r.IsDBNull(9) ? null : r.GetInt32(9);
        var mayUseReserved = r.GetBoolean(10);
        var connLimit = r.GetInt32(11);
        var roleConnections = r.GetInt32(12);
        var runningBot = r.GetInt32(13);
        var problems = new List<string>();

        var ordinary = max - superReserved - (reservedForRoles ?? 0);
        var free = Math.Max(0, ordinary - used);
        var slots = $"target {name}: connection slots: max_connections {max}, superuser_reserved_connections {superReserved}, "
            + $"reserved_connections {(reservedForRoles is { } rc ? rc.ToString(System.Globalization.CultureInfo.InvariantCulture) : "n/a (PostgreSQL 16+)")}, "
            + $"free now for ordinary roles {free} of {ordinary}";
        await (free <= Math.Max(1, ordinary / 10) ? WarnAsync(slots + " (nearly full)") : OkAsync(slots));

        if (connLimit < 0)
        {
            await OkAsync($"target {name}: role {role} has no connection limit ({roleConnections} connection(s) now)");
        }
        else if (connLimit < BotConnectionsPerTarget)
        {
            problems.Add($"role {role}'s connection limit is {connLimit}");
            await WarnAsync($"target {name}: role {role} has a connection limit of {connLimit} ({roleConnections} now), below the "
                + $"{BotConnectionsPerTarget} the bot may hold on one target (pool 5 + lifeline 1): the lifeline may not be re-opened when it is lost "
                + $"(ALTER ROLE {role} CONNECTION LIMIT -1)");
        }
        else
        {
            await OkAsync($"target {name}: role {role} has a connection limit of {connLimit} ({roleConnections} now)");
        }

        string? reservedWay = null;
        if (super)
        {
            reservedWay = $"the {superReserved} superuser_reserved_connections";
            await OkAsync($"target {name}: role {role} is a superuser: it may use the {superReserved} superuser_reserved_connections");
        }
        else if (reservedForRoles is null)
        {
            await OkAsync($"target {name}: no reserved slot for role {role} (reserved_connections needs PostgreSQL 16; "
                + $"this is {versionNum / 10000}): in a storm the bot gets in through its lifeline only");
        }
        else if (reservedForRoles == 0)
        {
            await OkAsync($"target {name}: reserved_connections is 0: in a storm the bot gets in through its lifeline only "
                + $"(set reserved_connections and GRANT pg_use_reserved_connections TO {role} for a second way in)");
        }
        else if (mayUseReserved)
        {
            reservedWay = $"the {reservedForRoles} reserved_connections";
            await OkAsync($"target {name}: role {role} may use the {reservedForRoles} reserved_connections (pg_use_reserved_connections)");
        }
        else
        {
            await WarnAsync($"target {name}: reserved_connections is {reservedForRoles} but role {role} may not use it "
                + $"(GRANT pg_use_reserved_connections TO {role}); in a storm the bot gets in through its lifeline only");
        }

        await OkAsync(runningBot > 0
            ? $"target {name}: lifeline: a running PgChatOps holds {runningBot} connection(s) here as role {role}"
            : $"target {name}: lifeline: no running PgChatOps holds a connection here now (serve opens its lifeline at start-up and keeps it)");

        var ways = "its lifeline" + (reservedWay is null ? "" : $" and {reservedWay}");
        await (problems.Count == 0
            ? OkAsync($"target {name}: in a connection storm the bot still gets in, through {ways}")
            : WarnAsync($"target {name}: in a connection storm the bot may not get in: {string.Join("; ", problems)}"));
    }

    /// <summary>The most connections serve holds on one target: its pool and its lifeline.</summary>
    private const int BotConnectionsPerTarget = 6;

    private async Task CheckStateStoreAsync(CancellationToken ct)
    {
        await using var store = new StateStore(Options.Create(options));
        if (store.DataSource is null)
        {
            await FailAsync("state store: not configured (PgChatOps:StateConnectionString, or a default target)");
            return;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout * 2);
            await using var conn = await store.DataSource.OpenConnectionAsync(timeout.Token);
            await using (var exists = new NpgsqlCommand("SELECT to_regclass('pgchatops.schema_migrations') IS NOT NULL", conn))
            {
                if (!(bool)(await exists.ExecuteScalarAsync(timeout.Token))!)
                {
                    await CheckMigrationRoleAsync(conn, timeout.Token);
                    return;
                }
            }
            int version;
            await using (var v = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM pgchatops.schema_migrations", conn))
            {
                version = Convert.ToInt32(await v.ExecuteScalarAsync(timeout.Token), System.Globalization.CultureInfo.InvariantCulture);
            }
            await using (var tx = await conn.BeginTransactionAsync(timeout.Token))
            {
                await using var write = new NpgsqlCommand($"""
                    INSERT INTO pgchatops.audit_log (event, platform, workspace, channel, actor_id, actor_name)
                    VALUES ('{AuditEvents.Check}', 'console', 'check', 'check', 'pgchatops', 'PgChatOps check');
                    UPDATE pgchatops.pending_actions SET message_ref = message_ref WHERE false;
                    """, conn, tx);
                await write.ExecuteNonQueryAsync(timeout.Token);
                await tx.RollbackAsync(timeout.Token);
            }
            await OkAsync(version >= StateStore.LatestVersion
                ? $"state store: writable (schema version {version}, database {conn.Database})"
                : $"state store: writable (schema version {version}; serve migrates it to {StateStore.LatestVersion})");
            await CheckAuditProtectionAsync(conn, timeout.Token);
            if (version >= StateStore.AuditChainVersion)
            {
                using var walk = CancellationTokenSource.CreateLinkedTokenSource(ct);
                walk.CancelAfter(TimeSpan.FromSeconds(75));
                var chain = await new AuditLog(store).VerifyChainAsync(walk.Token);
                await (chain.IsIntact ? OkAsync($"audit chain: {chain.Summary}") : FailAsync($"audit chain: {chain.Summary}"));
            }
            else
            {
                await SkipAsync($"audit chain: not chained yet (schema version {version}; migrating to {StateStore.LatestVersion} chains every row)");
            }
        }
        catch (StateStoreUnavailableException ex)
        {
            await FailAsync($"audit chain: could not be walked: {ex.Message}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            await FailAsync(ex is PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege }
                ? $"state store: not writable: {Describe(ex)} (the role needs the grants of manifests/postgres/pgchatops-role.sql and a migration by the schema's owner: PgChatOps:MigrationConnectionString)"
                : $"state store: unreachable: {Describe(ex)}");
        }
    }

    /// <summary>
    /// Proves, then rolls back, that serve can create the schema: as the migration role when one is configured, else as the
    /// state role. Nothing is left behind; serve creates it for real.
    /// </summary>
    private async Task CheckMigrationRoleAsync(NpgsqlConnection state, CancellationToken ct)
    {
        await using var migration = string.IsNullOrWhiteSpace(options.MigrationConnectionString)
            ? null
            : TargetRegistry.BuildDataSource(options.MigrationConnectionString, ConnectTimeout);
        await using var conn = migration is null ? null : await migration.OpenConnectionAsync(ct);
        var probe = conn ?? state;
        var who = conn is null ? "the role" : "the migration role (PgChatOps:MigrationConnectionString)";
        await using var tx = await probe.BeginTransactionAsync(ct);
        await using var create = new NpgsqlCommand("""
            DO $probe$ BEGIN
                IF to_regnamespace('pgchatops') IS NULL THEN CREATE SCHEMA pgchatops; END IF;
            END $probe$;
            CREATE TABLE pgchatops.check_probe (x int);
            """, probe, tx);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            await FailAsync($"state store: empty, and {who} may not create schema pgchatops' tables ({ex.MessageText}): " +
                "set PgChatOps:MigrationConnectionString to the schema's owner (manifests/postgres/pgchatops-role.sql)");
            return;
        }
        await tx.RollbackAsync(ct);
        await OkAsync($"state store: empty; {who} may create schema pgchatops, which serve does at start-up ({probe.Database})");
    }

    /// <summary>
    /// The audit log is only as safe as the role that writes it: an owner (or a member of the owner, or a superuser) can
    /// ALTER TABLE … DISABLE TRIGGER and then change or delete rows.
    /// </summary>
    private async Task CheckAuditProtectionAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        const string sql = """
            SELECT current_user::text,
                   c.relowner::regrole::text,
                   pg_has_role(current_user, c.relowner, 'MEMBER'),
                   coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
                   (SELECT string_agg(t.tgname, ', ' ORDER BY t.tgname) FROM pg_trigger t
                    WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled = 'D')
            FROM pg_class c
            WHERE c.oid = 'pgchatops.audit_log'::regclass
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (role, owner, mayAlter, super, disabled) = (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4));
        const string fix = "create an owner role and migrate as it: manifests/postgres/pgchatops-role.sql, PgChatOps:MigrationConnectionString";
        if (super)
        {
            await WarnAsync($"audit log: role {role} is a superuser, so the bot's credentials can disable the log's triggers and erase it; {fix}");
        }
        else if (mayAlter)
        {
            await WarnAsync(role == owner
                ? $"audit log: role {role} owns pgchatops.audit_log, so the bot's credentials can disable its triggers and erase it; {fix}"
                : $"audit log: role {role} is a member of {owner}, which owns pgchatops.audit_log, so the bot's credentials can disable its triggers and erase it; {fix}");
        }
        else
        {
            await OkAsync($"audit log: owned by {owner}; role {role} cannot disable its triggers, change or delete rows");
        }
        if (disabled is not null)
        {
            await FailAsync($"audit log: trigger(s) {disabled} disabled, so rows can be changed, deleted or written unchained");
        }
    }

    private async Task CheckSlackAsync(CancellationToken ct)
    {
        var slack = options.Slack;
        if (string.IsNullOrWhiteSpace(slack.BotToken))
        {
            await SkipAsync("slack: not configured (PgChatOps:Slack:BotToken is empty)");
            return;
        }
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(slack.ApiBaseUrl), "auth.test"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", slack.BotToken);
            request.Content = new FormUrlEncodedContent([]);
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (response.IsSuccessStatusCode && root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
            {
                await OkAsync($"slack: bot token accepted by auth.test (team {Text(root, "team")}, bot user {Text(root, "user")})");
            }
            else
            {
                await FailAsync($"slack: auth.test refused the bot token: {(root.TryGetProperty("error", out var e) ? e.GetString() : $"HTTP {(int)response.StatusCode}")} (PgChatOps:Slack:BotToken)");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or UriFormatException)
        {
            await FailAsync($"slack: auth.test failed: {ex.Message}");
        }
    }

    private async Task CheckDiscordAsync(CancellationToken ct)
    {
        var discord = options.Discord;
        if (string.IsNullOrWhiteSpace(discord.BotToken))
        {
            await SkipAsync("discord: not configured (PgChatOps:Discord:BotToken is empty)");
            return;
        }
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(discord.ApiBaseUrl), "users/@me"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", discord.BotToken);
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(body);
                await OkAsync($"discord: bot token accepted by users/@me (bot {Text(json.RootElement, "username")}, id {Text(json.RootElement, "id")})");
            }
            else
            {
                await FailAsync($"discord: users/@me refused the bot token: HTTP {(int)response.StatusCode} (PgChatOps:Discord:BotToken)");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or UriFormatException)
        {
            await FailAsync($"discord: users/@me failed: {ex.Message}");
        }
        if (discord.IsGateway)
        {
            await CheckDiscordGatewayAsync(discord, ct);
        }
        else
        {
            await OkAsync("discord: mode http (interactions arrive at POST /discord/interactions, verified with PgChatOps:Discord:PublicKey)");
        }
    }

    /// <summary>Gateway mode connects with the token: <c>gateway/bot</c> must accept it and have session starts left.</summary>
    private async Task CheckDiscordGatewayAsync(DiscordOptions discord, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(discord.ApiBaseUrl), "gateway/bot"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", discord.BotToken);
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                await FailAsync($"discord: mode gateway, but gateway/bot refused the bot token: HTTP {(int)response.StatusCode} (PgChatOps:Discord:BotToken)");
                return;
            }
            using var json = JsonDocument.Parse(body);
            var limit = json.RootElement.GetProperty("session_start_limit");
            var remaining = limit.GetProperty("remaining").GetInt32();
            var line = $"discord: mode gateway, gateway/bot accepts the bot token ({remaining} of {limit.GetProperty("total").GetInt32()} session starts left today)";
            await (remaining > 0 ? OkAsync(line) : FailAsync(line + "; Discord resets the limit in " + TimeSpan.FromMilliseconds(limit.GetProperty("reset_after").GetDouble())));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or UriFormatException or KeyNotFoundException or InvalidOperationException)
        {
            await FailAsync($"discord: mode gateway, but gateway/bot failed: {ex.Message}");
        }
    }

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "?";

    private static string Describe(Exception ex) => ex is OperationCanceledException
        ? $"the server did not answer within {(ConnectTimeout * 2).TotalSeconds:0} seconds [{PostgresErrorCodes.ConnectionFailure}]"
        : DatabaseErrors.Cause(ex);

    private Task OkAsync(string line) => output.WriteLineAsync("ok   " + line);

    private Task WarnAsync(string line) => output.WriteLineAsync("warn " + line);

    private Task SkipAsync(string line) => output.WriteLineAsync("skip " + line);

    private Task FailAsync(string line)
    {
        _failures++;
        return output.WriteLineAsync("FAIL " + line);
    }
}
