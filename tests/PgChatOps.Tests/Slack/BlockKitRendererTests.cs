using System.Text.Json.Nodes;
using CsCheck;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Replies;
using PgChatOps.Slack;
using PgChatOps.Tests.Infrastructure;

namespace PgChatOps.Tests.Slack;

public sealed class BlockKitRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly ChatUser Alice = new("UALICE", "alice", []);

    private static SessionInfo Session(int i, string? query = null) => new()
    {
        Pid = 10_000 + i,
        BackendStart = Now.UtcDateTime.AddMinutes(-i),
        User = $"app_user_{i % 7}",
        Database = "orders",
        Application = i % 3 == 0 ? "checkout <@U999> & co" : "billing",
        Client = "10.0.0." + (i % 250),
        State = i % 2 == 0 ? "active" : "idle in transaction",
        WaitEventType = i % 5 == 0 ? "Lock" : null,
        WaitEvent = i % 5 == 0 ? "transactionid" : null,
        InState = TimeSpan.FromSeconds(i * 7),
        Query = query ?? $"SELECT * FROM orders WHERE id = {i} AND note <> '<!channel>' -- ``` & more",
    };

    private static Reply SessionsReply(int count, string? query = null)
    {
        var rows = Enumerable.Range(0, count).Select(i => Session(i, query)).ToList();
        var command = CommandParser.Parse("sessions").Command!;
        return PgChatOps.Replies.Replies.Sessions("prod", command, new SessionPage(rows, count, count / 2, 0, count - count / 2, count / 5), Now);
    }

    private static PendingAction Action(int count, string? query = null) => new()
    {
        Id = Guid.Parse("7d5e8f7a-1c1e-4a39-9a53-2f7f1c7a0b11"),
        Kind = ActionKind.Terminate,
        Platform = Platform.Slack,
        Workspace = "T1",
        Channel = "C123",
        Target = "prod",
        Command = "kill user=app_user_1",
        RequestedBy = Alice.Id,
        RequestedByName = Alice.DisplayName,
        CreatedAt = Now,
        ExpiresAt = Now.AddMinutes(5),
        Sessions = Enumerable.Range(0, count).Select(i => new PlannedSession(
            10_000 + i, Now.UtcDateTime.AddMinutes(-i), "app_user_1", "orders", "billing", "active",
            query ?? $"UPDATE t SET v = {i} WHERE k = '<@U1>'", i % 10 == 9 ? "superuser session" : null)).ToList(),
    };

    private static Reply Confirmation(int count, string? query = null) =>
        ActionReplies.Confirmation(Action(count, query), Alice, distinctApprover: true, Now);

    private static Reply Executed(int count)
    {
        var action = Action(count);
        var done = action with
        {
            Status = ActionStatus.Executed,
            Result = action.Sessions.Select(s => new SessionOutcome(s.Pid, s.BackendStart, s.ProtectedReason is null ? Outcomes.Terminated : Outcomes.Protected, s.User)).ToList(),
        };
        return ActionReplies.Executed(done, new ChatUser("UBOB", "bob", []), Now, null);
    }

    private static void AssertWithinLimits(JsonObject message)
    {
        var problems = BlockKitLimits.Violations(message);
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + message.ToJsonString());
    }

    private static string AllText(JsonObject message) =>
        message.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(5000)]
    public void A_sessions_list_stays_within_every_limit(int sessions)
    {
        var message = BlockKitRenderer.Render(SessionsReply(sessions));
        AssertWithinLimits(message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(5000)]
    public void A_confirmation_stays_within_every_limit(int sessions)
    {
        AssertWithinLimits(BlockKitRenderer.Render(Confirmation(sessions)));
        AssertWithinLimits(BlockKitRenderer.Render(Executed(sessions)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(5000)]
    public void Query_texts_of_10_kB_stay_within_every_limit(int sessions)
    {
        var query = string.Concat(Enumerable.Repeat("SELECT '<@U1>' & x FROM t; ", 400));
        Assert.True(query.Length >= 10_000);
        AssertWithinLimits(BlockKitRenderer.Render(SessionsReply(sessions, query)));
        AssertWithinLimits(BlockKitRenderer.Render(Confirmation(sessions, query)));
        var show = new Reply { Kind = ReplyKind.Info, Title = "Session 1 on prod", Notes = ["query:\n" + query], Fields = [new("query", query)] };
        AssertWithinLimits(BlockKitRenderer.Render(show));
    }

    [Fact]
    public void Rows_that_do_not_fit_are_counted_in_an_N_more_line()
    {
        var message = BlockKitRenderer.Render(SessionsReply(5000));
        var json = AllText(message);
        var shownRows = message["blocks"]!.AsArray()
            .Where(b => b!["text"]?["text"]?.GetValue<string>().StartsWith("```", StringComparison.Ordinal) == true)
            .Sum(b => b!["text"]!["text"]!.GetValue<string>().Split('\n').Length - 2) - 1;
        Assert.InRange(shownRows, 20, 4999);
        Assert.Contains($"… {5000 - shownRows:N0} more sessions not shown", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_confirmation_has_a_danger_terminate_button_with_a_dialog_and_an_abort_button()
    {
        var message = BlockKitRenderer.Render(Confirmation(3));
        var actions = message["blocks"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "actions")!;
        var buttons = actions["elements"]!.AsArray();
        var confirm = buttons.Single(b => b!["action_id"]!.GetValue<string>() == "pgchatops.confirm")!;
        var abort = buttons.Single(b => b!["action_id"]!.GetValue<string>() == "pgchatops.abort")!;
        Assert.Equal("7d5e8f7a-1c1e-4a39-9a53-2f7f1c7a0b11", confirm["value"]!.GetValue<string>());
        Assert.Equal("7d5e8f7a-1c1e-4a39-9a53-2f7f1c7a0b11", abort["value"]!.GetValue<string>());
        Assert.Equal("danger", confirm["style"]!.GetValue<string>());
        Assert.Null(abort["style"]);
        Assert.Equal("Terminate these sessions?", confirm["confirm"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("danger", confirm["confirm"]!["style"]!.GetValue<string>());
        Assert.Equal("header", message["blocks"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Query_text_can_never_mention_anyone_or_close_the_code_block()
    {
        var message = BlockKitRenderer.Render(SessionsReply(3));
        var json = AllText(message);
        AssertWithinLimits(message);
        Assert.DoesNotContain("<@U999>", json, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", json, StringComparison.Ordinal);
        Assert.Contains("&lt;@U999&gt; &amp; co", json, StringComparison.Ordinal);
        foreach (var section in message["blocks"]!.AsArray().Select(b => b!["text"]?["text"]?.GetValue<string>()).Where(t => t?.StartsWith("```", StringComparison.Ordinal) == true))
        {
            // Exactly the opening and the closing fence.
            Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(section!, "```"));
        }
    }

    [Theory]
    [InlineData("select '```' as fence")]
    [InlineData("select '``````' as six")]
    [InlineData("`a` ``b`` ```c``` ````d````")]
    public void No_run_of_backticks_in_a_cell_can_close_the_table_block(string query)
    {
        var reply = new Reply
        {
            Kind = ReplyKind.Info,
            Title = "t",
            Table = new ReplyTable(["pid", "query"], [["1", query]], 1),
        };

        var section = BlockKitRenderer.Render(reply)["blocks"]!.AsArray()
            .Select(b => b!["text"]?["text"]?.GetValue<string>())
            .Single(t => t?.StartsWith("```", StringComparison.Ordinal) == true)!;

        Assert.Equal(6, section.Count(c => c == '`'));
        Assert.EndsWith("```", section, StringComparison.Ordinal);
    }

    [Fact]
    public void An_outcome_has_no_buttons_and_names_requester_confirmer_and_every_session()
    {
        var message = BlockKitRenderer.Render(Executed(3));
        var json = AllText(message);
        Assert.DoesNotContain(message["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "actions");
        Assert.Contains("requested by", json, StringComparison.Ordinal);
        Assert.Contains("alice", json, StringComparison.Ordinal);
        Assert.Contains("bob", json, StringComparison.Ordinal);
        Assert.Contains("10000", json, StringComparison.Ordinal);
        Assert.Contains("10002", json, StringComparison.Ordinal);
        Assert.Contains("terminated", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_reply_has_a_plain_fallback_text()
    {
        var message = BlockKitRenderer.Render(Reply.Error("No such <verb> & stuff"));
        Assert.Equal(":x: No such &lt;verb&gt; &amp; stuff", message["text"]!.GetValue<string>());
        Assert.Equal(":x: No such <verb> & stuff", message["blocks"]![0]!["text"]!["text"]!.GetValue<string>());
    }

    private static readonly Gen<string> AnyText = Gen.OneOf(
        Gen.String,
        Gen.Char["<>&`\n a\uD83D\uDE00*é"].Array[0, 300].Select(c => new string(c)),
        Gen.Char.Array[0, 6000].Select(c => new string(c)),
        Gen.Const(""),
        Gen.Const("   "));

    private static readonly Gen<Reply> AnyReply =
        from kind in Gen.Enum<ReplyKind>()
        from title in AnyText
        from context in AnyText
        from fields in Gen.Select(AnyText, AnyText, (n, v) => new ReplyField(n, v)).List[0, 70]
        from columns in AnyText.List[1, 10]
        from rows in AnyText.List[0, 10].List[0, 300]
        from total in Gen.Int[0, 100_000]
        from hasTable in Gen.Bool
        from notes in AnyText.List[0, 12]
        from buttons in Gen.Select(Gen.Enum<ButtonRole>(), AnyText, Gen.Bool, AnyText, (r, l, d, t) =>
            new ReplyButton(r, Guid.NewGuid(), l, d) { Dialog = d ? new ConfirmDialog(t, t + t, t, t) : null }).List[0, 4]
        select new Reply
        {
            Kind = kind,
            Title = title,
            Context = context,
            Fields = fields,
            Table = hasTable ? new ReplyTable(columns, rows.Select(r => (IReadOnlyList<string>)r).ToList(), total) { MoreHint = context } : null,
            Notes = notes,
            Buttons = buttons,
        };

    [Fact]
    public void No_reply_ever_renders_over_a_Slack_limit() =>
        AnyReply.Sample(reply =>
        {
            var problems = BlockKitLimits.Violations(BlockKitRenderer.Render(reply));
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }, iter: 300);

    [Theory]
    [InlineData("confirmation")]
    [InlineData("executed")]
    [InlineData("sessions")]
    [InlineData("error")]
    public void Representative_replies_render_as_their_golden_files(string name)
    {
        var reply = name switch
        {
            "confirmation" => Confirmation(3),
            "executed" => Executed(3),
            "sessions" => SessionsReply(4),
            _ => Reply.Error("Unknown key 'usr' in `sessions usr=<app>`.", "Type `/pg help` for every verb and filter."),
        };
        var actual = BlockKitRenderer.Render(reply).ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
        GoldenFile.AssertMatches(name + ".json", actual);
    }
}
