using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;
using PgChatOps.Watch;

namespace PgChatOps.Discord;

/// <summary>
/// The one Discord handler every transport calls: it takes an authentic Interaction object (the body of
/// POST /discord/interactions, the <c>d</c> of a Gateway <c>INTERACTION_CREATE</c>) and returns the interaction
/// response. Commands and clicks go through the pipeline; what is ready within <see cref="InlineWindow"/> is answered
/// inline, the rest is deferred (type 5 or 6) and completed through <see cref="DiscordReplyChannel"/>. Outcomes
/// also go to <c>Discord:AuditChannel</c>.
/// </summary>
public sealed class DiscordInteractions(
    CommandPipeline pipeline,
    DiscordReplyChannel replies,
    DiscordAuditChannel audit,
    DiscordOpenConfirmations confirmations,
    InlineOrDefer inlineOrDefer,
    DetachedWork background,
    DiscordAutocomplete autocomplete,
    IOptions<PgChatOpsOptions> options,
    WatchDesk? watch = null)
{
    /// <summary>Discord allows 3 seconds for the first response; this leaves room for the network.</summary>
    public static readonly TimeSpan InlineWindow = TimeSpan.FromSeconds(2);

    private readonly DiscordOptions _discord = options.Value.Discord;

    /// <summary>The response body, or null for an interaction too malformed to answer (400).</summary>
    /// <param name="respondBy">Cancelled when the first response cannot wait any longer (the request was aborted).</param>
    /// <param name="responded">
    /// Completes once the response has been sent, when the transport sends it itself (the Gateway's callback): a
    /// deferred reply edits the deferral, so it must not reach Discord first. Over HTTP the response leaves at once.
    /// </param>
    public async Task<JsonObject?> HandleAsync(JsonElement interaction, CancellationToken respondBy, Task? responded = null)
    {
        if (interaction.ValueKind != JsonValueKind.Object
            || !interaction.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out var type))
        {
            return null;
        }
        return type switch
        {
            DiscordInteractionType.Ping => new JsonObject { ["type"] = DiscordResponseType.Pong },
            DiscordInteractionType.ApplicationCommand => await CommandAsync(interaction, responded, respondBy),
            DiscordInteractionType.MessageComponent => await ClickAsync(interaction, responded, respondBy),
            DiscordInteractionType.Autocomplete => await autocomplete.AnswerAsync(interaction, respondBy),
            _ => DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, Reply.Error("PgChatOps does not handle this kind of interaction.")),
        };
    }

    private async Task<JsonObject?> CommandAsync(JsonElement interaction, Task? responded, CancellationToken respondBy)
    {
        var origin = DiscordOrigin.From(interaction, _discord.ApplicationId);
        if (origin is null || !interaction.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var (text, error) = DiscordCommandText.FromCommandData(data);
        if (error is not null)
        {
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, Reply.Error(error));
        }

        var request = new ChatRequest(Platform.Discord, origin.Workspace, origin.Channel, null, origin.User, text!)
        {
            IsDirectMessage = origin.IsDirectMessage,
            DeliveryId = DiscordOrigin.String(interaction, "id"),
        };
        var answer = await inlineOrDefer.StartAsync(ct => pipeline.HandleAsync(request, ct), InlineWindow, respondBy);
        if (answer.IsReady)
        {
            var reply = await answer.Work;
            confirmations.Remember(reply, new DiscordConfirmationMessage(origin.ApplicationId, origin.Token));
            audit.Post(reply, origin.Channel);
            // The text is the inline answer; its files follow as a multipart follow-up on the same interaction.
            ShareFilesAfter(responded, reply, origin, "attach a reply's files");
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, reply);
        }

        // A deferred response's visibility is fixed now, and read results and confirmations are for the channel.
        // Errors and denials are for the requester only: the reply channel turns those into an ephemeral follow-up.
        answer.Defer("deferred command reply", async (reply, ct) =>
        {
            await (responded ?? Task.CompletedTask).WaitAsync(ct);
            confirmations.Remember(reply, new DiscordConfirmationMessage(origin.ApplicationId, origin.Token));
            await replies.DeliverAsync(reply, new DiscordReplyAddress.DeferredCommand(origin.ApplicationId, origin.Token), ct);
            audit.Post(reply, origin.Channel);
        });
        return new JsonObject { ["type"] = DiscordResponseType.DeferredChannelMessageWithSource };
    }

    private async Task<JsonObject?> ClickAsync(JsonElement interaction, Task? responded, CancellationToken respondBy)
    {
        var origin = DiscordOrigin.From(interaction, _discord.ApplicationId);
        if (origin is null || !interaction.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var customId = DiscordOrigin.String(data, "custom_id");
        if (WholeListButton.FromDiscordCustomId(customId) is { } wholeList)
        {
            return await WholeListAsync(interaction, origin, customId!.Length <= DiscordLimits.CustomId ? wholeList : "", responded, respondBy);
        }
        if (DiscordAlertMessage.IsSnooze(customId))
        {
            return await SnoozeAsync(origin, customId, responded, respondBy);
        }
        if (!DiscordCustomId.TryParse(customId, out var role, out var actionId))
        {
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, Reply.Error("This is not a PgChatOps confirmation button: nothing was done."));
        }
        // A watch alert stays the incident's living message (the watch updates and resolves it): the outcome of its
        // fix is a new message replying to the click instead of replacing the alert.
        var onAlert = DiscordAlertMessage.IsAlert(interaction);

        var click = new ButtonClick(Platform.Discord, origin.Workspace, origin.Channel, origin.User, actionId, role)
        {
            IsDirectMessage = origin.IsDirectMessage,
            DeliveryId = DiscordOrigin.String(interaction, "id"),
        };
        var answer = await inlineOrDefer.StartAsync(async ct =>
        {
            var reply = await pipeline.HandleClickAsync(click, ct);
            return onAlert ? reply with { ReplaceOriginal = false } : reply;
        }, InlineWindow, respondBy);
        if (answer.IsReady)
        {
            var reply = await answer.Work;
            confirmations.Forget(reply);
            audit.Post(reply, origin.Channel);
            return DiscordRenderer.Response(reply.ReplaceOriginal ? DiscordResponseType.UpdateMessage : DiscordResponseType.ChannelMessageWithSource, reply);
        }

        // Executing can take seconds (pg_terminate_backend waits for the backend to exit): acknowledge now, edit later.
        answer.Defer("deferred click reply", async (reply, ct) =>
        {
            await (responded ?? Task.CompletedTask).WaitAsync(ct);
            confirmations.Forget(reply);
            await replies.DeliverAsync(reply, new DiscordReplyAddress.DeferredClick(origin.ApplicationId, origin.Token), ct);
            audit.Post(reply, origin.Channel);
        });
        return new JsonObject { ["type"] = DiscordResponseType.DeferredUpdateMessage };
    }

    /// <summary>
    /// A click on "Whole list as CSV" (<c>pgchatops.csv:&lt;command&gt;</c>): the pipeline runs the command again as
    /// the clicker. The answer is a new message in the channel, like the list, with the file as a multipart
    /// follow-up; a refusal is for the clicker only.
    /// </summary>
    private async Task<JsonObject?> WholeListAsync(JsonElement interaction, DiscordOrigin origin, string text, Task? responded, CancellationToken respondBy)
    {
        var request = new ChatRequest(Platform.Discord, origin.Workspace, origin.Channel, null, origin.User, text)
        {
            IsDirectMessage = origin.IsDirectMessage,
            DeliveryId = DiscordOrigin.String(interaction, "id"),
        };
        var answer = await inlineOrDefer.StartAsync(ct => pipeline.HandleCsvClickAsync(request, ct), InlineWindow, respondBy);
        if (answer.IsReady)
        {
            var reply = await answer.Work;
            ShareFilesAfter(responded, reply, origin, "attach the whole list");
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, reply);
        }
        answer.Defer("deferred whole-list reply", async (reply, ct) =>
        {
            await (responded ?? Task.CompletedTask).WaitAsync(ct);
            await replies.DeliverAsync(reply, new DiscordReplyAddress.DeferredCommand(origin.ApplicationId, origin.Token), ct);
        });
        return new JsonObject { ["type"] = DiscordResponseType.DeferredChannelMessageWithSource };
    }

    /// <summary>
    /// A Snooze click (<c>pgchatops.snooze:&lt;alert id&gt;</c>): the same clicker and place as a confirmation click; the
    /// watch desk checks the channel and the clicker's permission and audits. The alert message itself is updated by
    /// the watch, so the answer is a new message: in the channel for the outcome, for the clicker only otherwise.
    /// </summary>
    private async Task<JsonObject?> SnoozeAsync(DiscordOrigin origin, string? customId, Task? responded, CancellationToken respondBy)
    {
        if (!DiscordAlertMessage.TryParseSnooze(customId, out var alertId))
        {
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, Reply.Error("This Snooze button carries no valid alert id: nothing was snoozed."));
        }
        if (watch is null)
        {
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, Reply.Error("The watch is not running here: nothing was snoozed."));
        }
        var place = new ChatPlace(Platform.Discord, origin.Workspace, origin.Channel, origin.IsDirectMessage);
        var answer = await inlineOrDefer.StartAsync(ct => watch.SnoozeAsync(alertId, origin.User, place, ct), InlineWindow, respondBy);
        if (answer.IsReady)
        {
            var reply = await answer.Work;
            audit.Post(reply, origin.Channel);
            return DiscordRenderer.Response(DiscordResponseType.ChannelMessageWithSource, reply);
        }
        answer.Defer("deferred snooze reply", async (reply, ct) =>
        {
            await (responded ?? Task.CompletedTask).WaitAsync(ct);
            await replies.DeliverAsync(reply with { ReplaceOriginal = false }, new DiscordReplyAddress.DeferredClick(origin.ApplicationId, origin.Token), ct);
            audit.Post(reply, origin.Channel);
        });
        return new JsonObject { ["type"] = DiscordResponseType.DeferredUpdateMessage };
    }

    /// <summary>A reply's files, once the interaction's first response has gone out (a follow-up needs it).</summary>
    private void ShareFilesAfter(Task? responded, Reply reply, DiscordOrigin origin, string what)
    {
        if (reply.Files.Count == 0)
        {
            return;
        }
        background.Run(what, async ct =>
        {
            await (responded ?? Task.CompletedTask).WaitAsync(ct);
            await replies.ShareFilesAsync(reply, origin.ApplicationId, origin.Token, ct);
        });
    }
}
