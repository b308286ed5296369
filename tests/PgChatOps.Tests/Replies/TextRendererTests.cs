using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Tests.Replies;

public sealed class TextRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static SessionInfo Session(int pid, string user, string app, string state, TimeSpan inState, string query, string? waitType = null, string? wait = null) => new()
    {
        Pid = pid,
        BackendStart = Now.UtcDateTime.AddHours(-1),
        User = user,
        Database = "shop",
        Application = app,
        Client = "10.1.2.3",
        State = state,
        WaitEventType = waitType,
        WaitEvent = wait,
        InState = inState,
        Query = query,
    };

    private static readonly string LongQuery =
        "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'open' ORDER BY o.created_at";

    private static Reply SessionsReply(int total)
    {
        IReadOnlyList<SessionInfo> rows =
        [
            Session(101, "app", "api-server", "idle in transaction", TimeSpan.FromMinutes(3), LongQuery),
            Session(2202, "reporting", "metabase", "active", TimeSpan.FromHours(2), "SELECT pg_sleep(3600)", "Timeout", "PgSleep"),
            Session(33, "etl_user_with_a_long_name", "nightly", "idle", TimeSpan.FromSeconds(12), "COMMIT", "Client", "ClientRead"),
        ];
        var command = CommandParser.Parse("sessions limit=3").Command!;
        return global::PgChatOps.Replies.Replies.Sessions("prod", command, new SessionPage(rows, total, 1, 1, 1, 0), Now);
    }

    private static string[] Lines(string text) => text.Split(Environment.NewLine);

    [Fact]
    public void Every_row_starts_each_column_at_the_same_offset_as_its_header()
    {
        var reply = SessionsReply(3);
        var lines = Lines(TextRenderer.Render(reply));
        var header = lines.Single(l => l.StartsWith("pid ", StringComparison.Ordinal));
        var offsets = reply.Table!.Columns.Select(c => header.IndexOf(c, StringComparison.Ordinal)).ToArray();
        Assert.Equal(offsets.Order(), offsets);
        var body = lines.SkipWhile(l => l != header).Skip(1).Take(3).ToList();

        for (var r = 0; r < 3; r++)
        {
            var cells = reply.Table.Rows[r];
            for (var c = 0; c < cells.Count; c++)
            {
                if (cells[c].Length == 0)
                {
                    continue;
                }
                Assert.True(body[r].Length > offsets[c], $"row {r} too short for column {reply.Table.Columns[c]}: '{body[r]}'");
                Assert.Equal(cells[c], body[r].Substring(offsets[c], cells[c].Length));
                if (c > 0)
                {
                    Assert.Equal("  ", body[r].Substring(offsets[c] - 2, 2));
                }
            }
        }
    }

    [Fact]
    public void Durations_are_humanized_in_the_rows()
    {
        var text = TextRenderer.Render(SessionsReply(3));

        Assert.Contains("3 minutes", text, StringComparison.Ordinal);
        Assert.Contains("2 hours", text, StringComparison.Ordinal);
        Assert.Contains("12 seconds", text, StringComparison.Ordinal);
        Assert.Contains("idle-in-tx", text, StringComparison.Ordinal);
        Assert.Contains("Timeout:PgSleep", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_query_text_is_cut_with_an_ellipsis()
    {
        var reply = SessionsReply(3);
        var text = TextRenderer.Render(reply);

        var cell = reply.Table!.Rows[0][^1];
        Assert.Equal(global::PgChatOps.Replies.Replies.QueryCellLength, cell.Length);
        Assert.EndsWith("…", cell, StringComparison.Ordinal);
        Assert.StartsWith(cell[..^1], LongQuery, StringComparison.Ordinal);
        Assert.Contains(cell, text, StringComparison.Ordinal);
        Assert.DoesNotContain(LongQuery, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Hidden_rows_are_counted_under_the_table()
    {
        var text = TextRenderer.Render(SessionsReply(45));
        var lines = Lines(text);

        Assert.StartsWith("45 sessions on prod", lines[0], StringComparison.Ordinal);
        Assert.Contains("… 42 more sessions not shown: add limit=50 or narrow the filters.", lines);
        var more = Array.IndexOf(lines, "… 42 more sessions not shown: add limit=50 or narrow the filters.");
        Assert.StartsWith("33 ", lines[more - 1], StringComparison.Ordinal);
    }

    [Fact]
    public void No_more_line_when_every_row_is_shown()
    {
        Assert.DoesNotContain("not shown", TextRenderer.Render(SessionsReply(3)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_title_context_and_notes_come_in_order_and_errors_are_marked()
    {
        var error = Reply.Error("No session with pid 5 on prod.", "It may have ended.");

        var text = TextRenderer.Render(error);

        Assert.Equal($"✖ No session with pid 5 on prod.{Environment.NewLine}It may have ended.{Environment.NewLine}", text);
    }

    [Fact]
    public void Fields_are_aligned_and_multi_line_values_stay_under_their_field()
    {
        var reply = new Reply
        {
            Kind = ReplyKind.Info,
            Title = "Session 7",
            Fields = [new("pid", "7"), new("application", "psql"), new("query", "SELECT 1\nFROM t")],
        };

        var lines = Lines(TextRenderer.Render(reply));

        Assert.Equal("  pid          7", lines[1]);
        Assert.Equal("  application  psql", lines[2]);
        Assert.Equal("  query        SELECT 1", lines[3]);
        Assert.Equal("               FROM t", lines[4]);
    }

    [Fact]
    public void Cells_wider_than_the_column_limit_are_cut()
    {
        var table = new ReplyTable(["a", "b"], [[new string('x', 100), "end"]], 1);
        var reply = new Reply { Kind = ReplyKind.Info, Title = "t", Table = table };

        var row = Lines(TextRenderer.Render(reply, maxColumnWidth: 20)).Single(l => l.StartsWith('x'));

        Assert.Equal(new string('x', 19) + "…  end", row);
    }
}
