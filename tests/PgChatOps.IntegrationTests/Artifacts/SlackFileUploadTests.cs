using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using PgChatOps.IntegrationTests.Infrastructure;
using PgChatOps.Slack;

namespace PgChatOps.IntegrationTests.Artifacts;

public sealed class SlackFileUploadTests : IAsyncLifetime
{
    private const string FileId = "F0123456789";
    private static readonly byte[] Csv = Encoding.ASCII.GetBytes("pid,state\r\n4242,idle\r\n");

    private static readonly HttpClient Http = new();

    private FakeHttpServer _slack = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeHttpServer.StartAsync();
        _slack.Handler = Answer();
    }

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
    }

    /// <summary>Slack as documented, with any step's answer replaceable.</summary>
    private Func<RecordedRequest, FakeResponse> Answer(FakeResponse? ticket = null, FakeResponse? upload = null, FakeResponse? complete = null) => r => r.Path switch
    {
        "/api/files.getUploadURLExternal" => ticket ?? FakeResponse.Json($$"""{"ok":true,"upload_url":"{{_slack.BaseUrl}}upload/v1/CwABAAAAXApz","file_id":"{{FileId}}"}"""),
        "/upload/v1/CwABAAAAXApz" => upload ?? new FakeResponse(HttpStatusCode.OK, "OK - 22", "text/plain"),
        "/api/files.completeUploadExternal" => complete ?? FakeResponse.Json($$"""{"ok":true,"files":[{"id":"{{FileId}}","title":"Sessions on main"}]}"""),
        _ => FakeResponse.Json("""{"ok":false,"error":"unknown_method"}""", HttpStatusCode.NotFound),
    };

    private SlackFileUpload Client() => new(Http, new Uri(_slack.BaseUrl + "api/"), "xoxb-test-token");

    private static SlackUploadRequest Request(string? thread = "1732540000.000100", string? comment = "Sessions on main: 1 (0 active, 1 idle)") =>
        new("pgchatops-sessions-main.csv", Csv, "C0123ABCD", "Sessions on main", thread, comment);

    private static Dictionary<string, string> Form(RecordedRequest r) =>
        QueryHelpers.ParseQuery(r.Body).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    [Fact]
    public async Task A_file_is_shared_with_the_three_documented_calls_in_order()
    {
        var result = await Client().UploadAsync(Request(), CancellationToken.None);

        Assert.True(result.Ok, result.Describe());
        Assert.Equal(FileId, result.FileId);
        var calls = _slack.Requests.ToList();
        Assert.Equal(
            ["POST /api/files.getUploadURLExternal", "POST /upload/v1/CwABAAAAXApz", "POST /api/files.completeUploadExternal"],
            calls.Select(c => c.Method + " " + c.Path));

        var ticket = calls[0];
        Assert.Equal("Bearer xoxb-test-token", ticket.Headers["Authorization"]);
        Assert.StartsWith("application/x-www-form-urlencoded", ticket.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["filename"] = "pgchatops-sessions-main.csv", ["length"] = $"{Csv.Length}" }, Form(ticket));

        var bytes = calls[1];
        Assert.Equal(Encoding.ASCII.GetString(Csv), bytes.Body);
        Assert.Equal($"{Csv.Length}", bytes.Headers["Content-Length"]);
        Assert.False(bytes.Headers.ContainsKey("Authorization"), "the bot token went to the upload URL");

        var complete = calls[2];
        Assert.Equal("Bearer xoxb-test-token", complete.Headers["Authorization"]);
        var form = Form(complete);
        Assert.Equal(["channel_id", "files", "initial_comment", "thread_ts"], form.Keys.Order());
        Assert.Equal("C0123ABCD", form["channel_id"]);
        Assert.Equal("1732540000.000100", form["thread_ts"]);
        Assert.Equal("Sessions on main: 1 (0 active, 1 idle)", form["initial_comment"]);
        using var files = JsonDocument.Parse(form["files"]);
        var only = Assert.Single(files.RootElement.EnumerateArray());
        Assert.Equal((FileId, "Sessions on main"), (only.GetProperty("id").GetString(), only.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Without_a_thread_or_comment_the_file_goes_to_the_channel_alone()
    {
        var result = await Client().UploadAsync(Request(thread: null, comment: null), CancellationToken.None);

        Assert.True(result.Ok);
        var form = Form(_slack.Requests.Last());
        Assert.Equal(["channel_id", "files"], form.Keys.Order());
    }

    [Fact]
    public async Task Slack_refusing_the_upload_url_stops_there_and_says_why()
    {
        _slack.Handler = Answer(ticket: FakeResponse.Json("""{"ok":false,"error":"file_uploads_disabled"}"""));

        var result = await Client().UploadAsync(Request(), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal((SlackUploadStep.GetUploadUrl, "file_uploads_disabled"), (result.FailedAt!.Value, result.Error));
        Assert.Equal("Slack refused the file at files.getUploadURLExternal: file_uploads_disabled", result.Describe());
        Assert.Single(_slack.Requests);
    }

    [Fact]
    public async Task A_failed_byte_upload_is_not_completed()
    {
        _slack.Handler = Answer(upload: new FakeResponse(HttpStatusCode.InternalServerError, "boom", "text/plain"));

        var result = await Client().UploadAsync(Request(), CancellationToken.None);

        Assert.Equal((SlackUploadStep.UploadBytes, "http_500", FileId), (result.FailedAt!.Value, result.Error, result.FileId));
        Assert.Equal("Slack did not take the file's bytes: http_500", result.Describe());
        Assert.DoesNotContain(_slack.Requests, r => r.Path.EndsWith("files.completeUploadExternal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slack_refusing_to_share_names_the_file_and_the_reason()
    {
        _slack.Handler = Answer(complete: FakeResponse.Json("""{"ok":false,"error":"not_in_channel"}"""));

        var result = await Client().UploadAsync(Request(), CancellationToken.None);

        Assert.Equal((SlackUploadStep.Complete, "not_in_channel", FileId), (result.FailedAt!.Value, result.Error, result.FileId));
        Assert.Equal("Slack took the file but would not share it (files.completeUploadExternal): not_in_channel", result.Describe());
        Assert.Equal(3, _slack.Requests.Count);
    }

    [Fact]
    public async Task A_rate_limited_or_garbled_answer_is_a_clear_failure()
    {
        _slack.Handler = Answer(ticket: FakeResponse.Json("""{"ok":false}""", HttpStatusCode.TooManyRequests));
        Assert.Equal("ratelimited", (await Client().UploadAsync(Request(), CancellationToken.None)).Error);

        _slack.Handler = Answer(ticket: new FakeResponse(HttpStatusCode.OK, "<html>proxy error</html>", "text/html"));
        Assert.Equal("invalid_response", (await Client().UploadAsync(Request(), CancellationToken.None)).Error);

        _slack.Handler = Answer(ticket: FakeResponse.Json("""{"ok":false,"error":{"code":1}}"""));
        Assert.Equal("unknown_error", (await Client().UploadAsync(Request(), CancellationToken.None)).Error);
    }

    [Fact]
    public async Task Bytes_are_never_sent_in_clear_text_to_another_host()
    {
        _slack.Handler = Answer(ticket: FakeResponse.Json($$"""{"ok":true,"upload_url":"http://files.example.invalid/upload","file_id":"{{FileId}}"}"""));

        var result = await Client().UploadAsync(Request(), CancellationToken.None);

        Assert.Equal((SlackUploadStep.GetUploadUrl, "invalid_response"), (result.FailedAt!.Value, result.Error));
        Assert.Single(_slack.Requests);
    }

    [Theory]
    [InlineData("https://files.example.com/upload")]
    [InlineData("https://files.slack.com.attacker.example/upload")]
    [InlineData("https://evil-slack.com/upload")]
    public async Task Bytes_are_never_sent_to_a_host_that_is_not_Slack_even_over_https(string url)
    {
        _slack.Handler = Answer(ticket: FakeResponse.Json($$"""{"ok":true,"upload_url":"{{url}}","file_id":"{{FileId}}"}"""));

        var result = await Client().UploadAsync(Request(), CancellationToken.None);

        Assert.Equal((SlackUploadStep.GetUploadUrl, "invalid_response"), (result.FailedAt!.Value, result.Error));
        Assert.Single(_slack.Requests);
    }

    [Fact]
    public async Task An_empty_file_is_refused_before_calling_slack()
    {
        var result = await Client().UploadAsync(Request() with { Content = Array.Empty<byte>() }, CancellationToken.None);

        Assert.Equal("empty_file", result.Error);
        Assert.Empty(_slack.Requests);
    }
}
