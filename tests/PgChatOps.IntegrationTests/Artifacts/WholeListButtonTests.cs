using System.Text.Json.Nodes;
using Npgsql;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;
using PgChatOps.IntegrationTests.Snapshots;
using PgChatOps.Replies;

namespace PgChatOps.IntegrationTests.Artifacts;

/// <summary>
/// Issue 13 item 3: a sessions list that hides a few rows offers them all by a "Whole list as CSV" button. The button
/// carries only a command; a click runs it again as the clicker, with the clicker's own access in that channel.
/// </summary>
public sealed class WholeListButtonTests
{
    private const string Channel = "CWHOLE";
    private const string Elsewhere = "CELSEWHERE";
    private const string Viewer = "UVIEWER";
    private const string Colleague = "UCOLLEAGUE";
    private const string ListTs = "1700000300.000100";

    /// <summary>Anyone in <see cref="Channel"/> may view <c>test</c>; nobody may view <c>secret</c>, the same server.</summary>
    private static async Task<Dictionary<string, string?>> RulesAsync() => new()
    {
        ["Targets:secret:ConnectionString"] = await TestDatabase.ConnectionStringAsync(),
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = Channel,
        ["Access:Rules:0:Targets:0"] = "test",
        ["Access:Rules:0:Allow:0"] = "view",
    };

    private static async Task<HashSet<int>> PidsOfAsync(string role)
    {
        await using var conn = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync() + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE usename = @u", conn);
        cmd.Parameters.AddWithValue("u", role);
        var pids = new HashSet<int>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            pids.Add(r.GetInt32(0));
        }
        return pids;
    }

    private static JsonObject? CsvButton(JsonObject message) =>
        SlackKillFlowTests.Actions(message)?["elements"]!.AsArray().OfType<JsonObject>()
            .FirstOrDefault(e => e["action_id"]!.GetValue<string>() == "pgchatops.csv");

    private static bool IsUpload(RecordedRequest r) =>
        r.Path.StartsWith("/api/files.", StringComparison.Ordinal) || r.Path.StartsWith("/upload/", StringComparison.Ordinal);

    private static async Task<(SlackFixture Slack, TestSessions Sessions, string Value)> ListAsync(int open = 6)
    {
        var sessions = await TestSessions.CreateAsync("csvbtn");
        for (var i = 0; i < open; i++)
        {
            await sessions.OpenAsync();
        }
        var slack = await SlackFixture.StartAsync(await RulesAsync());
        ReplyFileDeliveryTests.AnswerLikeSlack(slack.Slack);
        var list = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync(Channel, Viewer, $"sessions user={sessions.Role} limit=2", slack.ResponseUrl("list")), "list");
        Assert.Contains($"{open - 2} more sessions not shown", list.ToJsonString(), StringComparison.Ordinal);
        var button = CsvButton(list);
        Assert.NotNull(button);
        return (slack, sessions, button["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_list_hiding_a_few_rows_offers_the_button_and_a_click_uploads_exactly_the_matching_sessions()
    {
        var (slack, sessions, value) = await ListAsync();
        await using var _ = slack;
        await using var __ = sessions;
        await slack.App.DetachedWorkSettledAsync();
        Assert.DoesNotContain(slack.Slack.Requests, IsUpload);
        Assert.Equal($"sessions user={sessions.Role} limit=2 target=test", value);

        // Someone else in the channel clicks: the file is read with their access, and lands in the list's thread.
        await slack.Client.ClickAsync(Channel, Colleague, "pgchatops.csv", value, slack.ResponseUrl("click"), ListTs);
        var upload = await ReplyFileDeliveryTests.UploadedAsync(slack.Slack);

        var rows = SnapshotVerbTests.Parse(new ReplyFile(upload.Ticket["filename"], ReplyFile.Csv, upload.Bytes));
        Assert.Equal(await PidsOfAsync(sessions.Role), rows.Select(r => r.Pid).ToHashSet());
        Assert.Equal(6, rows.Count);
        Assert.Equal((Channel, ListTs), (upload.Complete["channel_id"], upload.Complete["thread_ts"]));
        var note = await slack.PostedToAsync("/api/chat.postMessage", m => m.ToJsonString().Contains("Whole list as CSV", StringComparison.Ordinal));
        Assert.Contains("ucolleague", note.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM pgchatops.audit_log WHERE actor_id = @a AND event = 'request' AND command LIKE '%csv'", slack.StateDatabase, ("a", Colleague)));
    }

    [Fact]
    public async Task A_click_from_a_channel_without_view_gets_an_error_and_no_file()
    {
        var (slack, sessions, value) = await ListAsync();
        await using var _ = slack;
        await using var __ = sessions;

        await slack.Client.ClickAsync(Elsewhere, Colleague, "pgchatops.csv", value, slack.ResponseUrl("stranger"), ListTs);
        var answer = await slack.PostedToAsync("/response/stranger");
        await slack.App.DetachedWorkSettledAsync();

        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("Not allowed: sessions needs the 'view' permission on test", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(slack.Slack.Requests, IsUpload);
        Assert.DoesNotContain(slack.Posted("/api/chat.postMessage"), m => m.ToJsonString().Contains(sessions.Role, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sessions user={0} target=secret")]
    [InlineData("sessions target=secret")]
    public async Task A_forged_value_naming_a_target_the_clicker_may_not_view_gets_no_file(string forged)
    {
        var (slack, sessions, _) = await ListAsync();
        await using var ___ = slack;
        await using var __ = sessions;

        await slack.Client.ClickAsync(Channel, Viewer, "pgchatops.csv", string.Format(System.Globalization.CultureInfo.InvariantCulture, forged, sessions.Role), slack.ResponseUrl("forged"), ListTs);
        var answer = await slack.PostedToAsync("/response/forged");
        await slack.App.DetachedWorkSettledAsync();

        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("'view' permission on secret", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(slack.Slack.Requests, IsUpload);
    }

    [Theory]
    [InlineData("kill user={0} target=test")]
    [InlineData("sessions user={0}")]
    [InlineData("")]
    [InlineData("sessions user=")]
    public async Task A_malformed_value_gets_a_clear_error_for_the_clicker_and_never_a_file_or_a_confirmation(string forged)
    {
        var (slack, sessions, _) = await ListAsync();
        await using var ___ = slack;
        await using var __ = sessions;

        await slack.Client.ClickAsync(Channel, Viewer, "pgchatops.csv", string.Format(System.Globalization.CultureInfo.InvariantCulture, forged, sessions.Role), slack.ResponseUrl("bad"), ListTs);
        var answer = await slack.PostedToAsync("/response/bad");
        await slack.App.DetachedWorkSettledAsync();

        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("not one PgChatOps made: no file was attached", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(slack.Slack.Requests, IsUpload);
        Assert.Equal(6, (await PidsOfAsync(sessions.Role)).Count);
    }

    [Fact]
    public async Task Discord_offers_a_well_formed_button_and_a_click_attaches_the_whole_list_as_multipart()
    {
        await using var sessions = await TestSessions.CreateAsync("csvdsc");
        for (var i = 0; i < 5; i++)
        {
            await sessions.OpenAsync();
        }
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        var member = DiscordTestPlatform.Member("1800000000000000031", discord.OperatorRole);

        var response = await ReplyFileDeliveryTests.DiscordCommandAsync(client, discord, discord.Command(member, "sessions", ("user", sessions.Role), ("limit", 2)));
        var message = response["type"]!.GetValue<int>() == 4
            ? response["data"]!.AsObject()
            : JsonNode.Parse((await discord.Api.WaitForAsync(r => r.Method == "PATCH" && r.Path.EndsWith("/messages/@original", StringComparison.Ordinal), TimeSpan.FromSeconds(30))).Body)!.AsObject();
        var customId = Assert.Single(message["components"]!.AsArray().SelectMany(r => r!["components"]!.AsArray()), b => b!["custom_id"]!.GetValue<string>().StartsWith("pgchatops.csv:", StringComparison.Ordinal))!["custom_id"]!.GetValue<string>();
        Assert.Matches($"^pgchatops\\.csv:sessions user={sessions.Role} limit=2 target=test$", customId);
        Assert.InRange(customId.Length, 1, 100);
        await app.DetachedWorkSettledAsync();
        Assert.DoesNotContain(discord.Api.Requests, r => r.Headers.TryGetValue("Content-Type", out var t) && t.StartsWith("multipart/", StringComparison.Ordinal));

        var click = await ReplyFileDeliveryTests.DiscordCommandAsync(client, discord, discord.Click(DiscordTestPlatform.Member("1800000000000000032", discord.OperatorRole), customId));
        var (_, files) = await ReplyFileDeliveryTests.AttachedAsync(discord);

        Assert.InRange(click["type"]!.GetValue<int>(), 4, 5);
        var csv = Assert.Single(files);
        Assert.Equal("text/csv", csv.ContentType);
        var rows = SnapshotVerbTests.Parse(new ReplyFile(csv.FileName!, ReplyFile.Csv, csv.Body));
        Assert.Equal(await PidsOfAsync(sessions.Role), rows.Select(r => r.Pid).ToHashSet());

        // A stranger (no operator role) clicking the same button gets an error and no file.
        var before = discord.Api.Requests.Count(r => r.Headers.TryGetValue("Content-Type", out var t) && t.StartsWith("multipart/", StringComparison.Ordinal));
        var stranger = await ReplyFileDeliveryTests.DiscordCommandAsync(client, discord, discord.Click(DiscordTestPlatform.Member("1800000000000000033"), customId));
        await app.DetachedWorkSettledAsync();
        if (stranger["type"]!.GetValue<int>() == 4)
        {
            Assert.Equal(64, stranger["data"]!["flags"]!.GetValue<int>());
            Assert.StartsWith("⛔ Not allowed", stranger["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(before, discord.Api.Requests.Count(r => r.Headers.TryGetValue("Content-Type", out var t) && t.StartsWith("multipart/", StringComparison.Ordinal)));
    }
}
