using PgChatOps.Hosting;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Slack;

/// <summary>
/// POST /slack/commands: the <c>/pg</c> slash command. Answers within Slack's 3 seconds whatever the database
/// does: inline when the pipeline is done within <see cref="InlineWait"/>, otherwise later through response_url.
/// </summary>
public sealed class SlackCommands(
    CommandPipeline pipeline,
    SlackUserGroups groups,
    SlackDelivery delivery,
    SlackOpenConfirmations confirmations,
    DetachedWork background,
    SlackSignatureVerifier verifier,
    ILogger<SlackCommands> log)
{
    public const int MaxBody = 64 * 1024;
    // Slack allows 3 s including the network both ways: leave a wide margin.
    public static readonly TimeSpan InlineWait = TimeSpan.FromMilliseconds(1500);

    public async Task<IResult> HandleAsync(HttpRequest request)
    {
        var body = await RawBody.ReadAsync(request, MaxBody, request.HttpContext.RequestAborted);
        if (body is null)
        {
            return SlackInbound.TooLarge();
        }
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        string? Field(string name) => form.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

        // Slack's SSL check carries no command and has no effect; Slack's SDKs answer it before the signature check.
        if (Field("ssl_check") == "1" && Field("command") is null)
        {
            return Results.Ok();
        }
        if (!SlackInbound.IsSigned(request, body, verifier))
        {
            return SlackInbound.Unauthorized();
        }

        var (team, channel, userId) = (Field("team_id"), Field("channel_id"), Field("user_id"));
        if (string.IsNullOrEmpty(team) || string.IsNullOrEmpty(channel) || string.IsNullOrEmpty(userId))
        {
            return Results.Json(Ephemeral("This request lacks team_id, channel_id or user_id; nothing was done."));
        }
        var userName = Field("user_name");
        var user = new ChatUser(userId, string.IsNullOrEmpty(userName) ? userId : userName, []);
        var text = SlackText.Unescape(Field("text") ?? "");
        var responseUrl = delivery.ResponseUrl(Field("response_url"));
        var chat = new ChatRequest(Platform.Slack, team, channel, null, user, text)
        {
            IsDirectMessage = SlackConversation.IsDirectMessage(channel, Field("channel_name")),
            DeliveryId = NullIfEmpty(Field("trigger_id")),
        };

        var work = background.Start(async ct =>
        {
            var withGroups = user with { Groups = await groups.GroupsOfAsync(userId, chat.Place, ct) };
            var reply = await pipeline.HandleAsync(chat with { User = withGroups }, ct);
            return (reply, withGroups);
        });

        var first = await Task.WhenAny(work, Task.Delay(InlineWait, request.HttpContext.RequestAborted));
        if (first == work && work.IsCompletedSuccessfully)
        {
            var (reply, requester) = work.Result;
            if (responseUrl is not null)
            {
                confirmations.Remember(reply, new SlackConfirmationMessage(responseUrl, null, null));
            }
            if (reply.Kind == ReplyKind.Outcome)
            {
                background.Run("record an outcome", ct => delivery.RecordOutcomeAsync(reply, null, null, requester, ct));
            }
            return Results.Json(SlackDelivery.CommandResponse(reply, requester));
        }
        if (first == work)
        {
            if (work.Exception is { } ex)
            {
                log.LogError(ex.GetBaseException(), "A slash command failed inside the Slack adapter.");
            }
            return Results.Json(Ephemeral(work.IsCanceled
                ? "PgChatOps is shutting down; nothing was done. Try again in a moment."
                : "PgChatOps could not handle this request (see its log); nothing was done."));
        }

        if (responseUrl is null)
        {
            log.LogWarning("A slow slash command came without a usable response_url; its answer cannot be delivered.");
            return Results.Json(Ephemeral("The database is slow to answer and Slack gave no response_url; try again."));
        }
        background.Run("answer a slash command through response_url", async ct =>
        {
            var (reply, requester) = await work.WaitAsync(ct);
            confirmations.Remember(reply, new SlackConfirmationMessage(responseUrl, null, null));
            await delivery.RespondAsync(responseUrl, SlackDelivery.CommandResponse(reply, requester), ct);
            await delivery.RecordOutcomeAsync(reply, null, null, requester, ct);
        });
        return Results.Json(Ephemeral("Working on it: the database is taking a moment. The answer will follow here."));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static JsonObject Ephemeral(string text) => new()
    {
        ["response_type"] = "ephemeral",
        ["text"] = SlackText.Escape(text),
    };
}
