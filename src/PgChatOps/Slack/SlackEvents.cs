using PgChatOps.Hosting;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PgChatOps.Audit;
using PgChatOps.Commands;

namespace PgChatOps.Slack;

/// <summary>
/// What a Slack Events API callback means, whichever transport brought it (POST /slack/events, a Socket Mode
/// envelope). Answers url_verification, and turns an <c>app_mention</c> into a command whose reply goes into the
/// mention's thread. Work happens after the acknowledgement.
/// </summary>
public sealed partial class SlackEvents(
    CommandPipeline pipeline,
    SlackUserGroups groups,
    SlackReplyChannel replies,
    SlackOpenConfirmations confirmations,
    DetachedWork background,
    SeenRequests seen,
    TimeProvider time,
    ILogger<SlackEvents> log)
{
    public const int MaxBody = 256 * 1024;
    private static readonly TimeSpan RememberEvents = TimeSpan.FromMinutes(30);

    // Slack retries an event it thinks was not acknowledged; each event_id is handled once per replica.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>The acknowledgement's body (url_verification's challenge), or null for an empty acknowledgement.</summary>
    public JsonObject? Handle(JsonObject payload)
    {
        switch (SlackInbound.Str(payload["type"]))
        {
            case "url_verification":
                return new JsonObject { ["challenge"] = SlackInbound.Str(payload["challenge"]) ?? "" };
            case "event_callback":
                break;
            default:
                return null;
        }

        var ev = payload["event"] as JsonObject;
        if (SlackInbound.Str(ev?["type"]) != "app_mention" || ev!["bot_id"] is not null)
        {
            return null;
        }
        var eventId = SlackInbound.Str(payload["event_id"]);
        if (eventId is not null && !FirstTime(eventId))
        {
            SlackLog.RepeatedEvent(log, eventId);
            return null;
        }

        var team = SlackInbound.Str(payload["team_id"]) ?? SlackInbound.Str(ev["team"]);
        var channel = SlackInbound.Str(ev["channel"]);
        var userId = SlackInbound.Str(ev["user"]);
        var ts = SlackInbound.Str(ev["ts"]);
        if (team is null || channel is null || userId is null || ts is null)
        {
            return null;
        }
        var threadTs = SlackInbound.Str(ev["thread_ts"]) ?? ts;
        var botId = SlackInbound.Str((payload["authorizations"] as JsonArray)?.FirstOrDefault()?["user_id"]);
        var text = CommandText(SlackInbound.Str(ev["text"]) ?? "", botId);
        var directMessage = SlackConversation.IsDirectMessage(channel, null) || SlackInbound.Str(ev["channel_type"]) is "im" or "mpim";

        background.Run("answer an app mention", async ct =>
        {
            // Slack retries an event it thinks was lost, maybe on another replica: answer it once in all, silently.
            if (eventId is not null && !await FirstTimeAnywhereAsync(eventId, ct))
            {
                SlackLog.EventHandledElsewhere(log, eventId);
                return;
            }
            var request = new ChatRequest(Platform.Slack, team, channel, threadTs, new ChatUser(userId, userId, []), text)
            {
                IsDirectMessage = directMessage,
            };
            var user = request.User with { Groups = await groups.GroupsOfAsync(userId, request.Place, ct) };
            var reply = await pipeline.HandleAsync(request with { User = user }, ct);
            if ((await replies.DeliverAsync(reply, new SlackReplyAddress.Thread(channel, threadTs, user), ct)).MessageId is { } posted)
            {
                confirmations.Remember(reply, new SlackConfirmationMessage(null, channel, posted));
            }
            await replies.RecordOutcomeAsync(reply, null, null, ct);
        });
        return null;
    }

    /// <summary>
    /// Whether no replica has handled this event yet. When the state store cannot say, the mention is answered: a
    /// read changes nothing, and a kill still needs the store to post its preview.
    /// </summary>
    private async Task<bool> FirstTimeAnywhereAsync(string eventId, CancellationToken ct)
    {
        try
        {
            return await seen.FirstTimeAsync(Platform.Slack, "event:" + eventId, ct);
        }
        catch (StateStoreUnavailableException ex)
        {
            SlackLog.RepeatCheckFailed(log, eventId, ex.Message);
            return true;
        }
    }

    /// <summary>The command in a mention: without the bot's mention (and an optional leading /pg), unescaped.</summary>
    public static string CommandText(string text, string? botUserId)
    {
        var stripped = botUserId is null
            ? LeadingMention().Replace(text, "", 1)
            : Regex.Replace(text, $@"<@{Regex.Escape(botUserId)}(\|[^>]*)?>", " ", RegexOptions.None, TimeSpan.FromSeconds(1));
        stripped = SlackText.Unescape(stripped).Trim();
        if (stripped.StartsWith(CommandGrammar.Prefix + " ", StringComparison.OrdinalIgnoreCase) || stripped.Equals(CommandGrammar.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            stripped = stripped[CommandGrammar.Prefix.Length..].Trim();
        }
        return stripped;
    }

    private bool FirstTime(string eventId)
    {
        var now = time.GetUtcNow();
        if (_seen.Count > 10_000)
        {
            foreach (var (id, at) in _seen)
            {
                if (now - at > RememberEvents)
                {
                    _seen.TryRemove(id, out _);
                }
            }
        }
        return _seen.TryAdd(eventId, now);
    }

    [GeneratedRegex(@"^\s*<@[A-Z0-9]+(\|[^>]*)?>")]
    private static partial Regex LeadingMention();
}
