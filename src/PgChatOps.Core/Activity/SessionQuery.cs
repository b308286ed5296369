using Npgsql;
using NpgsqlTypes;
using PgChatOps.Commands;

namespace PgChatOps.Activity;

/// <summary>
/// The SQL shared by every command that selects sessions: the columns and the filter predicate.
/// Every user value is a parameter; only whitelisted ORDER BY fragments are spliced in.
/// </summary>
internal static class SessionQuery
{
    public const int QueryTextLimit = 2000;

    // The bot's own backends: this process's secret name on a pid it holds, or any PgChatOps name (pgchatops-<hex>) under
    // the bot's own role. The role covers a connection this process is opening at this very moment (its pid is recorded
    // only once the open completes) and the other replicas' connections (each has its own secret name). A stranger
    // using the name under another role is listed and marked; one with the bot's credentials can do what the bot does.
    // is_superuser reads pg_roles once per statement (an InitPlan), not once per row: a lock pile-up lists thousands.
    public const string Columns = $"""
        a.pid, a.backend_start, a.usename, a.datname, a.application_name,
        CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr)
             WHEN a.client_port = -1 THEN 'local' END AS client,
        a.state, a.wait_event_type, a.wait_event, a.xact_start, a.query_start, a.state_change,
        now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.state_change END AS in_state,
        CASE WHEN @show_query THEN left(a.query, @query_len) END AS query,
        a.backend_type,
        coalesce(a.usesysid = ANY (ARRAY(SELECT r.oid FROM pg_roles r WHERE r.rolsuper)), false) AS is_superuser,
        (a.pid = pg_backend_pid() OR ((a.application_name = @own_app AND a.pid = ANY (@own_pids)) OR (a.usename = current_user AND a.application_name LIKE 'pgchatops-%'))) AS is_own,
        {ClaimsBotName} AS claims_bot_name,
        a.leader_pid
        """;

    /// <summary>Uses the bot's application name but is not one of the bot's backends (see <see cref="Columns"/>).</summary>
    public const string ClaimsBotName = """
        (a.pid <> pg_backend_pid() AND NOT ((a.application_name = @own_app AND a.pid = ANY (@own_pids)) OR (a.usename = current_user AND a.application_name LIKE 'pgchatops-%'))
         AND (a.application_name = 'pgchatops' OR a.application_name LIKE 'pgchatops-%'))
        """;

    /// <summary>
    /// Client backends other than the bot's own, narrowed by the filter. The bot's other connections (a pid it
    /// holds AND its per-process application name; see <see cref="OwnBackends"/>) appear only when app= asks for
    /// them. A stranger using the bot's name is listed like anyone else.
    /// </summary>
    public const string FilterPredicate = """
        a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
        AND (NOT ((a.application_name = @own_app AND a.pid = ANY (@own_pids)) OR (a.usename = current_user AND a.application_name LIKE 'pgchatops-%')) OR @app::text IS NOT NULL)
        AND (@user::text IS NULL OR a.usename ILIKE @user ESCAPE '\')
        AND (@db::text IS NULL OR a.datname ILIKE @db ESCAPE '\')
        AND (@app::text IS NULL OR a.application_name ILIKE @app ESCAPE '\')
        AND (@client::text IS NULL OR host(a.client_addr) ILIKE @client ESCAPE '\'
             OR a.client_hostname ILIKE @client ESCAPE '\'
             OR (a.client_port = -1 AND 'local' ILIKE @client ESCAPE '\'))
        AND (@state::text IS NULL OR a.state = @state)
        AND (@wait::text IS NULL OR a.wait_event_type ILIKE @wait ESCAPE '\' OR a.wait_event ILIKE @wait ESCAPE '\')
        AND (@longer::interval IS NULL
             OR now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.state_change END >= @longer)
        AND (@query::text IS NULL OR strpos(lower(a.query), lower(@query)) > 0)
        """;

    public static string OrderBy(SessionSort sort) => sort switch
    {
        SessionSort.Pid => "pid",
        SessionSort.User => "usename NULLS LAST, in_state DESC NULLS LAST",
        SessionSort.Db => "datname NULLS LAST, in_state DESC NULLS LAST",
        SessionSort.App => "application_name NULLS LAST, in_state DESC NULLS LAST",
        SessionSort.State => "state NULLS LAST, in_state DESC NULLS LAST",
        SessionSort.Started => "backend_start",
        _ => "in_state DESC NULLS LAST, pid",
    };

    public static void AddFilterParameters(NpgsqlCommand command, SessionFilter filter)
    {
        AddText(command, "user", Like(filter.User));
        AddText(command, "db", Like(filter.Database));
        AddText(command, "app", Like(filter.Application));
        AddText(command, "client", Like(filter.Client));
        AddText(command, "state", filter.State is { } s ? SessionFilter.StateText(s) : null);
        AddText(command, "wait", Like(filter.Wait));
        command.Parameters.Add(new NpgsqlParameter("longer", NpgsqlDbType.Interval) { Value = filter.Longer is { } l ? l : DBNull.Value });
        AddText(command, "query", filter.QueryContains);
    }

    public static void AddQueryTextParameters(NpgsqlCommand command, bool showQuery, int length)
    {
        command.Parameters.Add(new NpgsqlParameter("show_query", NpgsqlDbType.Boolean) { Value = showQuery });
        command.Parameters.Add(new NpgsqlParameter("query_len", NpgsqlDbType.Integer) { Value = length });
    }

    public static SessionInfo Read(NpgsqlDataReader r) => new()
    {
        Pid = r.GetInt32(r.GetOrdinal("pid")),
        BackendStart = r.IsDBNull(r.GetOrdinal("backend_start")) ? DateTime.MinValue : r.GetDateTime(r.GetOrdinal("backend_start")),
        IdentityVisible = !r.IsDBNull(r.GetOrdinal("backend_start")),
        User = NullableString(r, "usename"),
        Database = NullableString(r, "datname"),
        Application = NullableString(r, "application_name"),
        Client = NullableString(r, "client"),
        State = NullableString(r, "state"),
        WaitEventType = NullableString(r, "wait_event_type"),
        WaitEvent = NullableString(r, "wait_event"),
        XactStart = NullableDate(r, "xact_start"),
        QueryStart = NullableDate(r, "query_start"),
        StateChange = NullableDate(r, "state_change"),
        InState = r.IsDBNull(r.GetOrdinal("in_state")) ? null : r.GetFieldValue<TimeSpan>(r.GetOrdinal("in_state")),
        Query = NullableString(r, "query"),
        BackendType = NullableString(r, "backend_type") ?? "",
        IsSuperuser = r.GetBoolean(r.GetOrdinal("is_superuser")),
        IsOwnBackend = r.GetBoolean(r.GetOrdinal("is_own")),
        ClaimsBotName = r.GetBoolean(r.GetOrdinal("claims_bot_name")),
        LeaderPid = r.IsDBNull(r.GetOrdinal("leader_pid")) ? null : r.GetInt32(r.GetOrdinal("leader_pid")),
    };

    private static string? Like(string? glob) => glob is null ? null : SessionFilter.ToLikePattern(glob);

    private static void AddText(NpgsqlCommand command, string name, string? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    private static string? NullableString(NpgsqlDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    private static DateTime? NullableDate(NpgsqlDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetDateTime(i);
    }
}
