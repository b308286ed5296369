using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using PgChatOps.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace PgChatOps.IntegrationTests.Slack;

/// <summary>
/// The README's on-call runbook, step by step over the fake Slack: triage (summary, blocking), act (kill the root
/// blocker, cancel a runaway), record (snapshot, audit pid=). The test output is the transcript as Slack shows it.
/// </summary>
public sealed class SlackRunbookTests(ITestOutputHelper output)
{
    private const string Channel = "CONCALL";
    private const string Alice = "UALICE";
    private const string Bob = "UBOB";

    private static Dictionary<string, string?> Rules() => new()
    {
        ["Access:Rules:0:Platform"] = "slack",
        ["Access:Rules:0:Channels:0"] = Channel,
        ["Access:Rules:0:Users:0"] = Alice,
        ["Access:Rules:0:Users:1"] = Bob,
        ["Access:Rules:0:Allow:0"] = "view",
        ["Access:Rules:0:Allow:1"] = "cancel",
        ["Access:Rules:0:Allow:2"] = "terminate",
        ["Access:RequireDistinctApprover"] = "true",
    };

    /// <summary>A message as a Slack client shows it: header, context, sections, fields, buttons.</summary>
    internal static string Shown(JsonObject message)
    {
        var sb = new StringBuilder();
        foreach (var block in message["blocks"]!.AsArray().OfType<JsonObject>())
        {
            switch (block["type"]!.GetValue<string>())
            {
                case "header":
                    sb.Append("**").Append(block["text"]!["text"]!.GetValue<string>()).AppendLine("**");
                    break;
                case "context":
                    sb.AppendLine(string.Join(" ", block["elements"]!.AsArray().Select(e => e!["text"]!.GetValue<string>())));
                    break;
                case "section" when block["fields"] is JsonArray fields:
                    foreach (var f in fields)
                    {
                        sb.AppendLine(f!["text"]!.GetValue<string>().Replace("\n", ": ", StringComparison.Ordinal));
                    }
                    break;
                case "section":
                    sb.AppendLine(block["text"]!["text"]!.GetValue<string>());
                    break;
                case "actions":
                    sb.AppendLine(string.Join("  ", block["elements"]!.AsArray().Select(e => $"[{e!["text"]!["text"]!.GetValue<string>()}]")));
                    break;
            }
        }
        return sb.ToString().Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal).TrimEnd();
    }

    private readonly StringBuilder _transcript = new();

    private void Say(string who, string text) => _transcript.AppendLine().AppendLine($"{who}: {text}");

    private void Bot(JsonObject message) => _transcript.AppendLine("PgChatOps:").AppendLine(Shown(message));

    private async Task<JsonObject> AskAsync(SlackFixture slack, string user, string text, string name)
    {
        Say(user == Alice ? "alice" : "bob", "/pg " + text);
        var answer = await SlackKillFlowTests.AnswerAsync(slack, await slack.Client.CommandAsync(Channel, user, text, slack.ResponseUrl(name), userName: user == Alice ? "alice" : "bob"), name);
        Bot(answer);
        return answer;
    }

    private async Task<JsonObject> ConfirmAsync(SlackFixture slack, JsonObject confirmation, string name)
    {
        var button = SlackKillFlowTests.Actions(confirmation)!["elements"]!.AsArray().Single(b => b!["action_id"]!.GetValue<string>() == "pgchatops.confirm")!;
        _transcript.AppendLine().AppendLine($"bob clicks [{button["text"]!["text"]!.GetValue<string>()}]");
        var click = await slack.Client.ClickAsync(Channel, Bob, "pgchatops.confirm", Guid.Parse(button["value"]!.GetValue<string>()), slack.ResponseUrl(name), "1700000000.000100");
        Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        var outcome = await slack.PostedToAsync("/response/" + name, timeout: TimeSpan.FromSeconds(30));
        Bot(outcome);
        return outcome;
    }

    [Fact]
    public async Task The_runbook_from_summary_to_audit_works_as_the_readme_says()
    {
        await using var sessions = await TestSessions.CreateAsync("runbook");
        var (root, _, _) = await sessions.OpenLockChainAsync();
        var runaway = await sessions.OpenActiveAsync(sessions.App("report"));
        await TestSessions.WaitForStateAsync(runaway.Pid, "active");
        await using var slack = await SlackFixture.StartAsync(Rules());
        slack.Slack.Handler = r => r.Path switch
        {
            "/api/files.getUploadURLExternal" => FakeResponse.Json($$"""{"ok":true,"upload_url":"{{slack.Slack.BaseUrl}}upload/v1/R1","file_id":"F0RUNBOOK1"}"""),
            "/upload/v1/R1" => new FakeResponse(HttpStatusCode.OK, "OK", "text/plain"),
            "/api/chat.postMessage" => FakeResponse.Json("""{"ok":true,"channel":"C","ts":"1700000000.000999"}"""),
            _ => FakeResponse.Json("""{"ok":true}"""),
        };
        var pid = root.Pid.ToString(CultureInfo.InvariantCulture);

        // Triage.
        await AskAsync(slack, Alice, "summary", "summary");
        var blocking = await AskAsync(slack, Alice, "blocking", "blocking");
        Assert.Contains(pid, Shown(blocking), StringComparison.Ordinal);

        // Act: the root blocker, then the runaway query.
        var kill = await AskAsync(slack, Alice, $"kill {pid}", "kill");
        var killed = await ConfirmAsync(slack, kill, "kill-confirm");
        Assert.Contains("Terminated 1 of 1 session", Shown(killed), StringComparison.Ordinal);
        var cancel = await AskAsync(slack, Alice, $"cancel {runaway.Pid}", "cancel");
        var cancelled = await ConfirmAsync(slack, cancel, "cancel-confirm");
        Assert.Contains("Cancel", Shown(cancelled), StringComparison.OrdinalIgnoreCase);

        // Record.
        var snapshot = await AskAsync(slack, Alice, "snapshot", "snapshot");
        var complete = await slack.Slack.WaitForAsync(r => r.Path == "/api/files.completeUploadExternal", TimeSpan.FromSeconds(30));
        var form = QueryHelpers.ParseQuery(complete.Body);
        var file = slack.Slack.Requests.First(r => r.Path == "/api/files.getUploadURLExternal");
        _transcript.AppendLine($"📎 {QueryHelpers.ParseQuery(file.Body)["filename"]} (shared in {form["channel_id"]} by files.completeUploadExternal)");
        Assert.StartsWith("Snapshot of test", snapshot["text"]!.GetValue<string>(), StringComparison.Ordinal);

        var audit = await AskAsync(slack, Alice, $"audit pid={pid}", "audit");
        var story = Shown(audit);
        output.WriteLine(_transcript.ToString());
        if (Environment.GetEnvironmentVariable("PGCHATOPS_RUNBOOK_TRANSCRIPT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, _transcript.ToString());
        }
        Assert.Contains($"pid {pid}", story, StringComparison.Ordinal);
        Assert.Contains("terminate asked by alice, confirmed by ubob at", story, StringComparison.Ordinal);
        Assert.Contains("result terminated", story, StringComparison.Ordinal);
    }
}
