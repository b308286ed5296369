using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using PgChatOps.Actions;
using PgChatOps.Activity;
using PgChatOps.Commands;
using PgChatOps.Discord;
using PgChatOps.Replies;
using PgChatOps.Tests.Infrastructure;

namespace PgChatOps.Tests.Discord;

public sealed partial class DiscordRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static SessionInfo Session(int i, string? query = null) => new()
    {
        Pid = 10_000 + i,
        BackendStart = Now.UtcDateTime.AddMinutes(-i),
        User = $"app_user_{i % 7}",
        Database = "shop",
        Application = $"worker_{i % 13}",
        Client = $"10.0.{i % 250}.{i % 200}",
        State = i % 3 == 0 ? "idle in transaction" : "active",
        WaitEventType = i % 2 == 0 ? "Lock" : null,
        WaitEvent = i % 2 == 0 ? "transactionid" : null,
        InState = TimeSpan.FromSeconds(i * 7),
        Query = query ?? $"SELECT * FROM orders WHERE id = {i}",
    };

    private static Reply SessionsReply(int count, string? query = null)
    {
        var rows = Enumerable.Range(1, count).Select(i => Session(i, query)).ToList();
        var command = CommandParser.Parse("sessions db=shop").Command!;
        return PgChatOps.Replies.Replies.Sessions("prod", command, new SessionPage(rows, count, count, 0, 0, count / 2), Now);
    }

    private static PendingAction Action(int sessions, ActionKind kind = ActionKind.Terminate, string? query = null) => new()
    {
        Id = Guid.Parse("7d3c4e1a-9b2f-4c11-8a55-0e6f2b9d1c33"),
        Kind = kind,
        Platform = Platform.Discord,
        Workspace = "290926798626357999",
        Channel = "645027906669510667",
        Target = "prod",
        Command = "kill user=app_user_1",
        RequestedBy = "53908232506183680",
        RequestedByName = "Mason",
        CreatedAt = Now,
        ExpiresAt = Now.AddMinutes(5),
        Sessions = Enumerable.Range(1, sessions)
            .Select(i => new PlannedSession(20_000 + i, Now.UtcDateTime.AddHours(-1), "app_user_1", "shop", "worker", "active",
                query ?? $"UPDATE stock SET n = n - 1 WHERE sku = {i}", i % 10 == 0 ? "superuser session" : null))
            .ToList(),
    };

    private static Reply Confirmation(int sessions, ActionKind kind = ActionKind.Terminate, string? query = null) =>
        ActionReplies.Confirmation(Action(sessions, kind, query), new ChatUser("53908232506183680", "Mason", []), false, Now);

    private static void AssertWithinLimits(JsonObject message) =>
        Assert.True(DiscordMessageLimits.Violations(message) is [], string.Join("; ", DiscordMessageLimits.Violations(message)));

    private static string Description(JsonObject message) => message["embeds"]![0]!["description"]!.GetValue<string>();

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(5_000)]
    public void Sessions_replies_stay_within_Discord_limits_and_account_for_every_row(int count)
    {
        var message = DiscordRenderer.Render(SessionsReply(count));

        AssertWithinLimits(message);
        var description = Description(message);
        var shown = Regex.Count(description, @"^1\d{4} ", RegexOptions.Multiline);
        Assert.True(shown >= 1);
        var more = MoreLine().Match(description);
        var hidden = more.Success ? int.Parse(more.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) : 0;
        Assert.Equal(count, shown + hidden);
        Assert.StartsWith($"{count} session", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"… ([\d,]+) more sessions? not shown")]
    private static partial Regex MoreLine();

    [Fact]
    public void Ten_kilobyte_query_texts_are_cut_to_fit()
    {
        var query = string.Concat(Enumerable.Repeat("SELECT a_very_long_column_name FROM t WHERE x = '```' ", 200));
        Assert.True(query.Length >= 10_000);

        AssertWithinLimits(DiscordRenderer.Render(SessionsReply(50, query)));
        AssertWithinLimits(DiscordRenderer.Render(Confirmation(100, query: query)));

        var detail = new SessionDetail(Session(1, query), 0, null, null, null, null, null, null, query.Length);
        var show = PgChatOps.Replies.Replies.Show("prod", detail, new ProtectionPolicy(Microsoft.Extensions.Options.Options.Create(new PgChatOps.Hosting.PgChatOpsOptions())), Now, showQuery: true);
        var message = DiscordRenderer.Render(show);
        AssertWithinLimits(message);
        Assert.Contains("SELECT a_very_long_column_name", Description(message), StringComparison.Ordinal);
    }

    [Fact]
    public void Query_text_cannot_close_the_code_block()
    {
        var message = DiscordRenderer.Render(SessionsReply(3, "select 1 ``` @everyone **bold** ```"));

        var description = Description(message);
        Assert.Equal(2, Regex.Count(description, "```"));
        Assert.Contains("select 1 ˋˋˋ @everyone", description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminate_confirmation_is_visible_with_a_danger_confirm_and_a_secondary_abort()
    {
        var message = DiscordRenderer.Render(Confirmation(3));

        AssertWithinLimits(message);
        Assert.Null(message["flags"]);
        var buttons = message["components"]![0]!["components"]!.AsArray();
        Assert.Equal(2, buttons.Count);
        Assert.Equal(4, buttons[0]!["style"]!.GetValue<int>());
        Assert.Equal("pgchatops.confirm:7d3c4e1a-9b2f-4c11-8a55-0e6f2b9d1c33", buttons[0]!["custom_id"]!.GetValue<string>());
        Assert.Equal("Terminate 3 sessions", buttons[0]!["label"]!.GetValue<string>());
        Assert.Equal(2, buttons[1]!["style"]!.GetValue<int>());
        Assert.Equal("pgchatops.abort:7d3c4e1a-9b2f-4c11-8a55-0e6f2b9d1c33", buttons[1]!["custom_id"]!.GetValue<string>());
        Assert.Contains("Requested by Mason", message["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(message["allowed_mentions"]!["parse"]!.AsArray());
    }

    /// <summary>Golden files show what Discord receives; regenerate with PGCHATOPS_UPDATE_GOLDEN=1 after a deliberate change.</summary>
    [Theory]
    [InlineData("confirmation")]
    [InlineData("outcome")]
    [InlineData("sessions")]
    public void Representative_replies_render_as_their_golden_files(string name)
    {
        var reply = name switch
        {
            "confirmation" => Confirmation(3),
            "outcome" => ActionReplies.Executed(
                Action(2) with { Status = ActionStatus.Executed, Result = [new SessionOutcome(20_001, Now.UtcDateTime.AddHours(-1), Outcomes.Terminated, "app_user_1"), new SessionOutcome(20_002, Now.UtcDateTime.AddHours(-1), Outcomes.Gone, "app_user_1")] },
                new ChatUser("1", "Ops Lead", []), Now, null),
            _ => SessionsReply(4),
        };
        var actual = DiscordRenderer.Render(reply).ToJsonString(new System.Text.Json.JsonSerializerOptions(DiscordRenderer.Json) { WriteIndented = true }) + "\n";
        GoldenFile.AssertMatches($"{name}.json", actual);
    }

    [Fact]
    public void A_cancel_confirmation_uses_a_primary_confirm_button()
    {
        var buttons = DiscordRenderer.Render(Confirmation(2, ActionKind.Cancel))["components"]![0]!["components"]!.AsArray();
        Assert.Equal(1, buttons[0]!["style"]!.GetValue<int>());
    }

    [Fact]
    public void Errors_are_ephemeral_and_an_outcome_update_has_no_buttons()
    {
        var error = DiscordRenderer.Render(Reply.Error("Unknown filter 'usr'.", "Did you mean user?"));
        Assert.Equal(64, error["flags"]!.GetValue<int>());

        var done = Action(2) with { Status = ActionStatus.Executed, Result = [new SessionOutcome(20_001, Now.UtcDateTime.AddHours(-1), Outcomes.Terminated, "app_user_1")] };
        var update = DiscordRenderer.Response(7, ActionReplies.Executed(done, new ChatUser("1", "Ops Lead", []), Now, null));
        Assert.Equal(7, update["type"]!.GetValue<int>());
        Assert.Empty(update["data"]!["components"]!.AsArray());
        Assert.Null(update["data"]!["flags"]);
        AssertWithinLimits(update["data"]!.AsObject());
    }

    [Fact]
    public void Markdown_is_escaped_outside_inline_code_only()
    {
        Assert.Equal(@"app\_user\_1 `app_user_1` \*x\*", DiscordRenderer.Markdown("app_user_1 `app_user_1` *x*"));
        Assert.Equal(@"a \` b\_c", DiscordRenderer.Markdown("a ` b_c"));
        Assert.Equal(@"\# not a heading", DiscordRenderer.Markdown("# not a heading"));
    }

    [Fact]
    public void Many_buttons_fill_at_most_five_rows_of_five()
    {
        var buttons = Enumerable.Range(0, 40).Select(i => new ReplyButton(i % 2 == 0 ? ButtonRole.Confirm : ButtonRole.Abort, Guid.NewGuid(), new string('x', 120))).ToList();
        var message = DiscordRenderer.Render(new Reply { Kind = ReplyKind.Info, Title = "t", Buttons = buttons });
        AssertWithinLimits(message);
        Assert.Equal(5, message["components"]!.AsArray().Count);
    }

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[0, 40],
        Gen.String["ab _*~|`\\#>-\n<@&!é漢 "].List[0, 60].Select(parts => string.Concat(parts)),
        Gen.Int[4000, 6000].Select(n => new string('w', n)));

    private static readonly Gen<Reply> AnyReply = Gen.Select(
        Gen.Enum<ReplyKind>(), Text, Gen.OneOf(Gen.Int[0, 0].Select(_ => (string?)null), Text.Select(t => (string?)t)),
        Gen.Select(Text, Text, (n, v) => new ReplyField(n, v)).List[0, 40],
        Gen.Select(Text.List[1, 10], Gen.Int[0, 120], Gen.Int[0, 100_000]).Select((cols, rows, total) =>
            new ReplyTable(cols, Enumerable.Range(0, rows).Select(r => (IReadOnlyList<string>)cols.Select(c => c + r).ToList()).ToList(), total)),
        Text.List[0, 8],
        Gen.Select(Gen.Enum<ButtonRole>(), Gen.Guid, Text, Gen.Bool, (r, id, l, d) => new ReplyButton(r, id, l, d)).List[0, 30],
        Gen.Enum<Visibility>())
        .Select(t => new Reply
        {
            Kind = t.Item1,
            Title = t.Item2,
            Context = t.Item3,
            Fields = t.Item4,
            Table = t.Item5.Columns.Count % 3 == 0 ? null : t.Item5,
            Notes = t.Item6,
            Buttons = t.Item7,
            Visibility = t.Item8,
        });

    [Fact]
    public void No_reply_ever_renders_over_a_Discord_limit()
    {
        AnyReply.Sample(reply =>
        {
            var message = DiscordRenderer.Render(reply);
            var violations = DiscordMessageLimits.Violations(message);
            Assert.True(violations.Count == 0, string.Join("; ", violations));
            Assert.NotEmpty(message.ToJsonString());
        }, iter: 200);
    }
}
