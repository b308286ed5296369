using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// What a <c>/pg</c> slash command means, whichever transport brought its fields (an HTTP form, a Socket Mode
/// envelope's payload). Answers within Slack's 3 seconds whatever the database does: inline when the pipeline is
/// done within <see cref="InlineWait"/>, otherwise later through response_url.
/// </summary>
public sealed class SlackCommands(
    CommandPipeline pipeline,
    SlackUserGroups groups,
    SlackReplyChannel replies,
    SlackOpenConfirmations confirmations,
    InlineOrDefer inlineOrDefer,
    DetachedWork background,
    ILogger<SlackCommands> log)
{
    public const int MaxBody = 64 * 1024;
    // Slack allows 3 s including the network both ways: leave a wide margin.
    public static readonly TimeSpan InlineWait = TimeSpan.FromMilliseconds(1500);

    /// <summary>Slack's SSL check carries no command and has no effect: it needs no signature and gets a plain 200.</summary>
    public static bool IsSslCheck(Func<string, string?> field) => field("ssl_check") == "1" && field("command") is null;

    /// <summary>The acknowledgement: the answer itself, or a note that it follows through response_url.</summary>
    /// <param name="field">One field of the command (<c>team_id</c>, <c>text</c>, …), or null when absent.</param>
    /// <param name="acknowledgeBy">Cancelled when the acknowledgement cannot wait any longer (the request was aborted).</param>
    public async Task<SlackCommandAck> HandleAsync(Func<string, string?> field, CancellationToken acknowledgeBy)
    {
        var (team, channel, userId) = (field("team_id"), field("channel_id"), field("user_id"));
        if (string.IsNullOrEmpty(team) || string.IsNullOrEmpty(channel) || string.IsNullOrEmpty(userId))
        {
            return new(Ephemeral("This request lacks team_id, channel_id or user_id; nothing was done."));
        }
        var userName = field("user_name");
        var user = new ChatUser(userId, string.IsNullOrEmpty(userName) ? userId : userName, []);
        var text = SlackText.Unescape(field("text") ?? "");
        var responseUrl = replies.ResponseUrl(field("response_url"));
        var chat = new ChatRequest(Platform.Slack, team, channel, null, user, text)
        {
            IsDirectMessage = SlackConversation.IsDirectMessage(channel, field("channel_name")),
            DeliveryId = NullIfEmpty(field("trigger_id")),
        };

        var answer = await inlineOrDefer.StartAsync(async ct =>
        {
            var withGroups = user with { Groups = await groups.GroupsOfAsync(userId, chat.Place, ct) };
            return await pipeline.HandleAsync(chat with { User = withGroups }, ct);
        }, InlineWait, acknowledgeBy);

        var work = answer.Work;
        if (answer.IsReady && work.IsCompletedSuccessfully)
        {
            var reply = work.Result;
            if (responseUrl is not null)
            {
                confirmations.Remember(reply, new SlackConfirmationMessage(responseUrl, null, null));
            }
            if (reply.Kind == ReplyKind.Outcome)
            {
                background.Run("record an outcome", ct => replies.RecordOutcomeAsync(reply, null, null, ct));
            }
            if (reply.Files.Count > 0)
            {
                // The text goes back in the acknowledgement; its files follow with the bot token (a response_url
                // cannot carry files). Without a response_url, a failure can only be logged.
                background.Run("share a reply's files", ct => replies.ShareFilesAsync(reply, channel, null,
                    (note, token) => responseUrl is null
                        ? Task.FromResult(ReplyReceipt.Failed)
                        : replies.DeliverAsync(note, new SlackReplyAddress.CommandResponse(responseUrl), token), ct));
            }
            return new(SlackReplyChannel.CommandResponse(reply));
        }
        if (answer.IsReady)
        {
            if (work.Exception is { } ex)
            {
                SlackLog.CommandFailed(log, ex.GetBaseException());
            }
            return new(Ephemeral(work.IsCanceled
                ? "PgChatOps is shutting down; nothing was done. Try again in a moment."
                : "PgChatOps could not handle this request (see its log); nothing was done."));
        }

        if (responseUrl is null)
        {
            SlackLog.SlowCommandWithoutResponseUrl(log);
            return new(Ephemeral("The database is slow to answer and Slack gave no response_url; try again."));
        }
        answer.Defer("answer a slash command through response_url", async (reply, ct) =>
        {
            confirmations.Remember(reply, new SlackConfirmationMessage(responseUrl, null, null));
            await replies.DeliverAsync(reply, new SlackReplyAddress.CommandResponse(responseUrl, channel), ct);
            await replies.RecordOutcomeAsync(reply, null, null, ct);
        });
        return new(Ephemeral("Working on it: the database is taking a moment. The answer will follow here."), AnswerFollows: true);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static JsonObject Ephemeral(string text) => new()
    {
        ["response_type"] = "ephemeral",
        ["text"] = SlackText.Escape(text),
    };
}
