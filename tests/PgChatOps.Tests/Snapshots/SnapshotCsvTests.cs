using System.Text;
using CsvHelper;
using PgChatOps.Activity;
using PgChatOps.Snapshots;

namespace PgChatOps.Tests.Snapshots;

public sealed class SnapshotCsvTests
{
    private static readonly DateTime T0 = new(2026, 11, 25, 13, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset TakenAt = new(2026, 11, 25, 13, 30, 0, TimeSpan.Zero);

    private static SnapshotSession Session(int pid, string? app = "psql", int[]? blockedBy = null, string? query = "SELECT 1",
        string state = "idle", DateTime? xactStart = null, string? user = "alice") => new(
        new SessionInfo
        {
            Pid = pid, BackendStart = T0.AddTicks(pid * 10), User = user, Database = "app", Application = app, State = state,
            Query = query, BlockedBy = blockedBy ?? [], XactStart = xactStart,
            WaitEventType = blockedBy is null ? null : "Lock", WaitEvent = blockedBy is null ? null : "transactionid",
        },
        ClientHostname: null, ClientPort: -1, BackendXid: null, BackendXmin: null, QueryId: null,
        WaitStart: blockedBy is null ? null : T0.AddMinutes(10));

    private static async Task<(string Text, List<SnapshotRow> Rows)> RoundTrip(params SnapshotSession[] sessions)
    {
        using var stream = new MemoryStream();
        await SnapshotCsv.WriteAsync(SnapshotCsv.Rows(sessions, TakenAt), stream, CancellationToken.None);
        var bytes = stream.ToArray();
        using var reader = CsvReader.Create(bytes, CsvReaderOptions.Default with { Separator = ',' });
        return (Encoding.UTF8.GetString(bytes), reader.GetRecords<SnapshotRow>().ToList());
    }

    [Theory]
    [InlineData("=cmd|' /C calc'!A0")]
    [InlineData("+SUM(1,2)")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1")]
    [InlineData("\r=1")]
    [InlineData("\n=1")]
    public async Task A_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(string app)
    {
        var (text, rows) = await RoundTrip(Session(1, app: app, query: app));

        Assert.Equal("'" + app, rows[0].Application);
        Assert.Equal("'" + app, rows[0].Query);
        Assert.DoesNotContain("," + app, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ordinary_text_and_numbers_are_written_as_they_are()
    {
        var (text, rows) = await RoundTrip(Session(7, app: "billing-worker", query: "SELECT a - b FROM t"));

        Assert.Equal("billing-worker", rows[0].Application);
        Assert.Equal("SELECT a - b FROM t", rows[0].Query);
        // A unix-socket client's port is the number -1, not text to escape.
        Assert.Equal(-1, rows[0].ClientPort);
        Assert.Contains(",-1,", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_characters_and_direction_overrides_are_replaced_line_breaks_kept()
    {
        var (_, rows) = await RoundTrip(Session(1, app: "a\u0007b\u001b[31mc\u0000", query: "SELECT 1\n  -- \u202Eevil\u202C\r\nFROM t"));

        Assert.Equal("a\uFFFDb\uFFFD[31mc\uFFFD", rows[0].Application);
        Assert.Equal("SELECT 1\n  -- \uFFFDevil\uFFFD\r\nFROM t", rows[0].Query);
    }

    [Fact]
    public async Task The_header_names_the_pg_stat_activity_columns_and_the_lock_columns()
    {
        var (text, _) = await RoundTrip(Session(1));

        Assert.StartsWith(
            "pid,backend_start,usename,datname,application_name,client,client_hostname,client_port,backend_type,state,"
            + "wait_event_type,wait_event,xact_start,query_start,state_change,in_state_seconds,xact_age_seconds,is_superuser,"
            + "is_pgchatops,leader_pid,backend_xid,backend_xmin,query_id,blocked_by,lock_wait_start,blocking,root_blocker,query\r\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_round_trip_to_the_microsecond_in_utc()
    {
        var (_, rows) = await RoundTrip(Session(42, xactStart: T0.AddTicks(1234560)));

        Assert.Equal(new DateTimeOffset(T0.AddTicks(420)), rows[0].BackendStart);
        Assert.Equal(new DateTimeOffset(T0.AddTicks(1234560)), rows[0].XactStart);
        Assert.Equal(TimeSpan.Zero, rows[0].XactStart!.Value.Offset);
        Assert.Equal(1799.877, rows[0].TransactionAgeSeconds);
    }

    [Fact]
    public async Task A_lock_chain_shows_who_waits_for_whom_and_its_root()
    {
        var (_, rows) = await RoundTrip(
            Session(1, state: "idle in transaction", xactStart: T0),
            Session(2, blockedBy: [1], state: "active"),
            Session(3, blockedBy: [2], state: "active"),
            Session(4));
        var byPid = rows.ToDictionary(r => r.Pid);

        Assert.Equal(("", 2, 1), (byPid[1].BlockedBy, byPid[1].Blocking, byPid[1].RootBlocker));
        Assert.Equal(("1", 1, 1), (byPid[2].BlockedBy, byPid[2].Blocking, byPid[2].RootBlocker));
        Assert.Equal(("2", 0, 1), (byPid[3].BlockedBy, byPid[3].Blocking, byPid[3].RootBlocker));
        Assert.Equal(("", 0, (int?)null), (byPid[4].BlockedBy, byPid[4].Blocking, byPid[4].RootBlocker));
        Assert.Equal(new DateTimeOffset(T0.AddMinutes(10)), byPid[3].LockWaitStart);
    }

    [Fact]
    public void The_summary_counts_states_names_root_blockers_the_oldest_transaction_and_the_file()
    {
        var rows = SnapshotCsv.Rows(
        [
            Session(1, state: "idle in transaction", xactStart: T0, user: "alice"),
            Session(2, blockedBy: [1], state: "active", xactStart: T0.AddMinutes(5)),
            Session(3, blockedBy: [2], state: "active", xactStart: T0.AddMinutes(6)),
            Session(4),
            Session(5, state: "fastpath function call"),
        ], TakenAt);

        var summary = SnapshotSummary.From("main", TakenAt, rows);

        Assert.Equal(
            "Sessions on main at 2026-11-25 13:30:00 UTC: 5 (2 active, 1 idle, 1 idle in transaction, 1 other). "
            + "2 waiting on locks; root blockers: pid 1 (2 waiting). Oldest transaction: pid 1 (alice), open 30m 00s. "
            + "File: pgchatops-sessions-main-20261125T133000Z.csv",
            summary.Text);
    }

    [Fact]
    public void A_quiet_snapshot_says_there_are_no_lock_waits_and_no_open_transaction()
    {
        var summary = SnapshotSummary.From("eu/main", TakenAt, SnapshotCsv.Rows([Session(4)], TakenAt));

        Assert.Equal(
            "Sessions on eu/main at 2026-11-25 13:30:00 UTC: 1 (0 active, 1 idle, 0 idle in transaction, 0 other). "
            + "No lock waits. No open transaction. File: pgchatops-sessions-eu_main-20261125T133000Z.csv",
            summary.Text);
    }
}
