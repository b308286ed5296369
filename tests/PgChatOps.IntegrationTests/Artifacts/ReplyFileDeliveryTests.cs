using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using PgChatOps.IntegrationTests.Discord;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.IntegrationTests.Slack;
using PgChatOps.IntegrationTests.Snapshots;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.IntegrationTests.Artifacts;

/// <summary>
/// Issue 13 items 2–3 and issue 12 item 4: the files a reply carries (a snapshot CSV, a whole list as CSV, a history
/// chart) arrive in Slack through the external upload and in Discord as a multipart attachment, after the text.
/// </summary>
public sealed class ReplyFileDeliveryTests
{
    private const string Channel = "CFILES";
    private const string Viewer = "UVIEWER";

    private static Dictionary<string, string?> SlackRules() => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = Channel,
        ["Access:Rules:0:Allow:0"] = "view",
    };

    /// <summary>Slack's three upload steps as documented (PROTOCOLS.md §16.1), and ok for everything else.</summary>
    internal static void AnswerLikeSlack(FakeHttpServer slack, string? completeError = null)
    {
        var ids = 0;
        slack.Handler = r => r.Path switch
        {
            "/api/files.getUploadURLExternal" => FakeResponse.Json($$"""{"ok":true,"upload_url":"{{slack.BaseUrl}}upload/v1/U{{Interlocked.Increment(ref ids)}}","file_id":"F0FILE{{ids:D5}}"}"""),
            var p when p.StartsWith("/upload/v1/", StringComparison.Ordinal) => new FakeResponse(HttpStatusCode.OK, "OK", "text/plain"),
            "/api/files.completeUploadExternal" => completeError is null
                ? FakeResponse.Json("""{"ok":true,"files":[{"id":"F0FILE00001","title":"t"}]}""")
                : FakeResponse.Json($$"""{"ok":false,"error":"{{completeError}}"}"""),
            "/api/chat.postMessage" => FakeResponse.Json("""{"ok":true,"channel":"C","ts":"1700000000.000999"}"""),
            _ => FakeResponse.Json("""{"ok":true}"""),
        };
    }

    internal sealed record SlackUpload(Dictionary<string, string> Ticket, byte[] Bytes, Dictionary<string, string> Complete, string FileId, string Title);

    /// <summary>Waits for one whole upload and checks it followed the documented sequence.</summary>
    internal static async Task<SlackUpload> UploadedAsync(FakeHttpServer slack)
    {
        var complete = await slack.WaitForAsync(r => r.Path == "/api/files.completeUploadExternal", TimeSpan.FromSeconds(30));
        var calls = slack.Requests.Where(r => r.Path.StartsWith("/api/files.", StringComparison.Ordinal) || r.Path.StartsWith("/upload/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["/api/files.getUploadURLExternal", "/upload/v1/U1", "/api/files.completeUploadExternal"], calls.Select(c => c.Path));
        Assert.All(calls, c => Assert.Equal("POST", c.Method));
        Assert.Equal("Bearer xoxb-test-token", calls[0].Headers["Authorization"]);
        Assert.Equal("Bearer xoxb-test-token", calls[2].Headers["Authorization"]);
        Assert.False(calls[1].Headers.ContainsKey("Authorization"), "the bot token went to the upload URL");
        var ticket = Form(calls[0]);
        Assert.Equal(calls[1].Bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ticket["length"]);
        var form = Form(complete);
        using var files = JsonDocument.Parse(form["files"]);
        var only = Assert.Single(files.RootElement.EnumerateArray().ToList());
        return new SlackUpload(ticket, calls[1].Bytes, form, only.GetProperty("id").GetString()!, only.GetProperty("title").GetString()!);
    }

    private static Dictionary<string, string> Form(RecordedRequest r) =>
        QueryHelpers.ParseQuery(r.Body).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    internal sealed record Part(string Name, string? FileName, string? ContentType, byte[] Body);

    /// <summary>The multipart follow-up Discord received (PROTOCOLS.md §16.4): payload_json, then files[n].</summary>
    internal static async Task<(JsonObject Payload, List<Part> Files)> AttachedAsync(DiscordTestPlatform discord)
    {
        var request = await discord.Api.WaitForAsync(
            r => r.Method == "POST" && r.Path.StartsWith($"/webhooks/{DiscordTestPlatform.ApplicationId}/", StringComparison.Ordinal)
                && r.Headers.TryGetValue("Content-Type", out var type) && type.StartsWith("multipart/form-data", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.Headers["Content-Type"]).Boundary).Value!;
        var reader = new MultipartReader(boundary, new MemoryStream(request.Bytes));
        var parts = new List<Part>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
            using var body = new MemoryStream();
            await section.Body.CopyToAsync(body);
            parts.Add(new Part(HeaderUtilities.RemoveQuotes(disposition.Name).Value!, HeaderUtilities.RemoveQuotes(disposition.FileName).Value, section.ContentType, body.ToArray()));
        }
        Assert.Equal("payload_json", parts[0].Name);
        Assert.StartsWith("application/json", parts[0].ContentType, StringComparison.Ordinal);
        var payload = JsonNode.Parse(parts[0].Body)!.AsObject();
        var files = parts.Skip(1).ToList();
        Assert.Equal(files.Select((_, i) => $"files[{i}]"), files.Select(f => f.Name));
        var attachments = payload["attachments"]!.AsArray();
        Assert.Equal(files.Select((f, i) => (i, f.FileName)), attachments.Select(a => (a!["id"]!.GetValue<int>(), (string?)a["filename"]!.GetValue<string>())));
        return (payload, files);
    }

    internal static async Task<JsonObject> DiscordCommandAsync(HttpClient client, DiscordTestPlatform discord, JsonObject interaction)
    {
        using var request = discord.SignedRequest(interaction.ToJsonString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>The text of a command's answer: the inline type 4, or the edit of the deferred original.</summary>
    internal static async Task<string> DiscordAnswerTextAsync(DiscordTestPlatform discord, JsonObject response)
    {
        if (response["type"]!.GetValue<int>() == 4)
        {
            return response["data"]!["content"]!.GetValue<string>();
        }
        var edit = await discord.Api.WaitForAsync(r => r.Method == "PATCH" && r.Path.EndsWith("/messages/@original", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return JsonNode.Parse(edit.Body)!["content"]!.GetValue<string>();
    }

    private static async Task RecordAnHourOfHistoryAsync(IServiceProvider services)
    {
        var history = services.GetRequiredService<WatchHistory>();
        var now = DateTimeOffset.UtcNow;
        for (var minute = 59; minute >= 1; minute--)
        {
            var byState = new Dictionary<string, int> { ["active"] = 5 + minute % 7, ["idle"] = 20, ["idle in transaction"] = minute % 5 };
            await history.WriteAsync(new TargetSample("test", byState.Values.Sum(), 100, byState, minute % 3, TimeSpan.FromSeconds(minute), null, [], true),
                now.AddMinutes(-minute), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Slack_snapshot_of_300_sessions_uploads_a_csv_through_the_documented_calls_that_parses_back_to_pg_stat_activity()
    {
        var pg = await RoomyPostgres.GetAsync();
        await using var crowd = await SnapshotVerbTests.Crowd.OpenAsync(pg.ConnectionString, "slkfile", 300);
        await using var slack = await SlackFixture.StartAsync(SlackRules(), targetConnectionString: pg.ConnectionString);
        AnswerLikeSlack(slack.Slack);
        var before = await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, crowd.App);

        var answer = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync(Channel, Viewer, "snapshot", slack.ResponseUrl("snap")), "snap");
        var upload = await UploadedAsync(slack.Slack);
        var after = await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, crowd.App);

        // The text says where the file is; the file lands in the same channel, where everyone sees it.
        Assert.Equal("in_channel", answer["response_type"]!.GetValue<string>());
        Assert.StartsWith("Snapshot of test: ", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches(@"^pgchatops-sessions-test-\d{8}T\d{6}Z\.csv$", upload.Ticket["filename"]);
        Assert.Contains(upload.Ticket["filename"], answer.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(Channel, upload.Complete["channel_id"]);
        Assert.False(upload.Complete.ContainsKey("thread_ts"), "a slash command has no thread");
        Assert.False(upload.Ticket.ContainsKey("alt_txt"), "alt_txt can make the share fail silently");
        Assert.Equal("F0FILE00001", upload.FileId);
        Assert.StartsWith("Sessions on test at ", upload.Title, StringComparison.Ordinal);

        var rows = SnapshotVerbTests.Parse(new ReplyFile(upload.Ticket["filename"], ReplyFile.Csv, upload.Bytes));
        Assert.Equal(300, before.Count);
        Assert.Equal(before, after);
        Assert.Equal(before, rows.Where(r => r.Application == crowd.App).Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
    }

    [Fact]
    public async Task Discord_snapshot_of_300_sessions_is_a_multipart_attachment_that_parses_back_to_pg_stat_activity()
    {
        var pg = await RoomyPostgres.GetAsync();
        await using var crowd = await SnapshotVerbTests.Crowd.OpenAsync(pg.ConnectionString, "dscfile", 300);
        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings(), targetConnectionString: pg.ConnectionString);
        using var client = app.CreateClient();
        var before = await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, crowd.App);

        var response = await DiscordCommandAsync(client, discord, discord.Command(DiscordTestPlatform.Member("1800000000000000011", discord.OperatorRole), "snapshot"));
        var text = await DiscordAnswerTextAsync(discord, response);
        var (payload, files) = await AttachedAsync(discord);
        var after = await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, crowd.App);

        Assert.StartsWith("Snapshot of test: ", text, StringComparison.Ordinal);
        var csv = Assert.Single(files);
        Assert.Matches(@"^pgchatops-sessions-test-\d{8}T\d{6}Z\.csv$", csv.FileName);
        Assert.Equal("text/csv", csv.ContentType);
        Assert.Contains("Sessions on test at ", payload["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(payload["allowed_mentions"]!["parse"]!.ToJsonString()).RootElement.ValueKind);

        var rows = SnapshotVerbTests.Parse(new ReplyFile(csv.FileName!, ReplyFile.Csv, csv.Body));
        Assert.Equal(300, before.Count);
        Assert.Equal(before, after);
        Assert.Equal(before, rows.Where(r => r.Application == crowd.App).Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
    }

    [Fact]
    public async Task History_chart_arrives_as_a_png_in_slack_and_in_discord_and_is_not_blank()
    {
        await using var slack = await SlackFixture.StartAsync(SlackRules());
        AnswerLikeSlack(slack.Slack);
        await RecordAnHourOfHistoryAsync(slack.App.Services);

        var answer = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync(Channel, Viewer, "history last=1h", slack.ResponseUrl("hist")), "hist");
        var upload = await UploadedAsync(slack.Slack);

        Assert.StartsWith("test, last 1h: peak ", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith(".png", upload.Ticket["filename"], StringComparison.Ordinal);
        Assert.Equal(Channel, upload.Complete["channel_id"]);
        ChartPixels.AssertNotBlank(upload.Bytes);

        await using var discord = await DiscordTestPlatform.StartAsync();
        await using var app = await TestApp.CreateAsync(discord.Settings());
        using var client = app.CreateClient();
        await RecordAnHourOfHistoryAsync(app.Services);

        var response = await DiscordCommandAsync(client, discord, discord.Command(DiscordTestPlatform.Member("1800000000000000012", discord.OperatorRole), "history", ("last", "1h")));
        var text = await DiscordAnswerTextAsync(discord, response);
        var (_, files) = await AttachedAsync(discord);

        Assert.StartsWith("test, last 1h: peak ", text, StringComparison.Ordinal);
        var png = Assert.Single(files);
        Assert.Equal("image/png", png.ContentType);
        Assert.EndsWith(".png", png.FileName, StringComparison.Ordinal);
        ChartPixels.AssertNotBlank(png.Body);
    }

    [Fact]
    public async Task A_long_sessions_list_asked_in_a_slack_thread_attaches_the_csv_in_that_thread()
    {
        var pg = await RoomyPostgres.GetAsync();
        var total = SnapshotReplies.AttachAboveHiddenRows + 6;
        await using var crowd = await SnapshotVerbTests.Crowd.OpenAsync(pg.ConnectionString, "longfile", total);
        await using var slack = await SlackFixture.StartAsync(SlackRules(), targetConnectionString: pg.ConnectionString);
        AnswerLikeSlack(slack.Slack);

        await slack.Client.MentionAsync(Channel, Viewer, $"sessions app={crowd.App} limit=5", "1700000100.000200", threadTs: "1700000000.000100");
        var posted = await slack.PostedToAsync("/api/chat.postMessage");
        var upload = await UploadedAsync(slack.Slack);

        Assert.Equal("1700000000.000100", posted["thread_ts"]!.GetValue<string>());
        Assert.Contains($"{total - 5} more sessions not shown", posted.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal((Channel, "1700000000.000100"), (upload.Complete["channel_id"], upload.Complete["thread_ts"]));
        var postedAt = slack.Slack.Requests.First(r => r.Path == "/api/chat.postMessage").At;
        Assert.True(slack.Slack.Requests.First(r => r.Path == "/api/files.getUploadURLExternal").At >= postedAt, "the file came before the text");
        var rows = SnapshotVerbTests.Parse(new ReplyFile(upload.Ticket["filename"], ReplyFile.Csv, upload.Bytes));
        Assert.Equal(await SnapshotVerbTests.IdentitiesAsync(pg.ConnectionString, crowd.App), rows.Select(r => (r.Pid, r.BackendStart!.Value.UtcDateTime)).ToHashSet());
    }

    [Fact]
    public async Task A_file_slack_will_not_share_gets_a_clear_note_and_the_reply_stays_whole()
    {
        await using var sessions = await TestSessions.CreateAsync("nofile");
        await sessions.OpenAsync();
        await using var slack = await SlackFixture.StartAsync(SlackRules());
        AnswerLikeSlack(slack.Slack, completeError: "not_in_channel");

        await slack.Client.MentionAsync(Channel, Viewer, $"sessions user={sessions.Role} csv", "1700000200.000300");
        var note = await slack.PostedToAsync("/api/chat.postMessage", m => m["text"]!.GetValue<string>().Contains("could not be attached", StringComparison.Ordinal));
        var posted = slack.Posted("/api/chat.postMessage").First();

        Assert.Contains(sessions.Role, posted.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("1700000200.000300", note["thread_ts"]!.GetValue<string>());
        Assert.Contains("not_in_channel", note.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("files:write", note.ToJsonString(), StringComparison.Ordinal);
    }
}
