using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PgChatOps.Commands;
using PgChatOps.Hosting;
using PgChatOps.Replies;

namespace PgChatOps.Discord;

/// <summary>
/// Answers one verified interaction. Commands and clicks go through the pipeline; what is ready within
/// <see cref="InlineWindow"/> is answered inline, the rest is deferred (type 5 or 6) and completed through the
/// interaction webhook. Outcomes also go to <c>Discord:AuditChannel</c>.
/// </summary>
public sealed class DiscordInteractions(
    CommandPipeline pipeline,
    DiscordApiClient api,
    DiscordAuditChannel audit,
    DiscordOpenConfirmations confirmations,
    DetachedWork followUps,
    IOptions<PgChatOpsOptions> options,
    ILogger<DiscordInteractions> log)
{
    /// <summary>Discord allows 3 seconds for the first response; this leaves room for the network.</summary>
    public static readonly TimeSpan InlineWindow = TimeSpan.FromSeconds(2);

    private readonly DiscordOptions _discord = options.Value.Discord;

    /// <summary>The response body, or null for an interaction too malformed to answer (400).</summary>
    public async Task<JsonObject?> HandleAsync(JsonElement interaction, CancellationToken requestAborted)
    {
        if (interaction.ValueKind != JsonValueKind.Object
            || !interaction.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out var type))
        {
            return null;
        }
        switch (type)
        {
            case 1:
                return new JsonObject { ["type"] = 1 };
            case 2:
                return await CommandAsync(interaction, requestAborted);
            case 3:
                return await ClickAsync(interaction, requestAborted);
            case 4:
                return new JsonObject { ["type"] = 8, ["data"] = new JsonObject { ["choices"] = new JsonArray() } };
            default:
                return DiscordRenderer.Response(4, Reply.Error("PgChatOps does not handle this kind of interaction."));
        }
    }

    private async Task<JsonObject?> CommandAsync(JsonElement interaction, CancellationToken requestAborted)
    {
        var origin = DiscordOrigin.From(interaction, _discord.ApplicationId);
        if (origin is null || !interaction.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var (text, error) = DiscordCommandText.FromCommandData(data);
        if (error is not null)
        {
            return DiscordRenderer.Response(4, Reply.Error(error));
        }

        var request = new ChatRequest(Platform.Discord, origin.Workspace, origin.Channel, null, origin.User, text!)
        {
            IsDirectMessage = origin.IsDirectMessage,
            DeliveryId = DiscordOrigin.String(interaction, "id"),
        };
        var work = followUps.Start(ct => pipeline.HandleAsync(request, ct));
        if (await FinishedInTimeAsync(work, requestAborted))
        {
            var reply = await work;
            confirmations.Remember(reply, new DiscordConfirmationMessage(origin.ApplicationId, origin.Token));
            audit.Post(reply, origin.Channel);
            return DiscordRenderer.Response(4, reply);
        }

        // A deferred response's visibility is fixed now, and read results and confirmations are for the channel.
        // Errors and denials are for the requester only: Discord keeps the defer's visibility for edits, so the
        // public "thinking" message is deleted and the answer sent as an ephemeral follow-up instead.
        followUps.Run("deferred command reply", async ct =>
        {
            var reply = await work;
            confirmations.Remember(reply, new DiscordConfirmationMessage(origin.ApplicationId, origin.Token));
            DiscordApiResult result;
            if (reply.Visibility == Visibility.Requester)
            {
                var deleted = await api.DeleteOriginalAsync(origin.ApplicationId, origin.Token, ct);
                if (!deleted.IsSuccess)
                {
                    log.LogWarning("Could not remove a deferred Discord reply before answering privately: {Result}", deleted);
                }
                result = await api.FollowUpAsync(origin.ApplicationId, origin.Token, DiscordRenderer.Render(reply), ct);
            }
            else
            {
                result = await api.EditOriginalAsync(origin.ApplicationId, origin.Token, DiscordRenderer.RenderForEdit(reply), ct);
            }
            if (!result.IsSuccess)
            {
                log.LogWarning("Could not complete a deferred Discord reply: {Result}", result);
            }
            audit.Post(reply, origin.Channel);
        });
        return new JsonObject { ["type"] = 5 };
    }

    private async Task<JsonObject?> ClickAsync(JsonElement interaction, CancellationToken requestAborted)
    {
        var origin = DiscordOrigin.From(interaction, _discord.ApplicationId);
        if (origin is null || !interaction.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (!DiscordCustomId.TryParse(DiscordOrigin.String(data, "custom_id"), out var role, out var actionId))
        {
            return DiscordRenderer.Response(4, Reply.Error("This is not a PgChatOps confirmation button: nothing was done."));
        }

        var click = new ButtonClick(Platform.Discord, origin.Workspace, origin.Channel, origin.User, actionId, role)
        {
            IsDirectMessage = origin.IsDirectMessage,
            DeliveryId = DiscordOrigin.String(interaction, "id"),
        };
        var work = followUps.Start(ct => pipeline.HandleClickAsync(click, ct));
        if (await FinishedInTimeAsync(work, requestAborted))
        {
            var reply = await work;
            confirmations.Forget(reply);
            audit.Post(reply, origin.Channel);
            return DiscordRenderer.Response(reply.ReplaceOriginal ? 7 : 4, reply);
        }

        // Executing can take seconds (pg_terminate_backend waits for the backend to exit): acknowledge now, edit later.
        followUps.Run("deferred click reply", async ct =>
        {
            var reply = await work;
            confirmations.Forget(reply);
            var result = reply.ReplaceOriginal
                ? await api.EditOriginalAsync(origin.ApplicationId, origin.Token, DiscordRenderer.RenderForEdit(reply), ct)
                : await api.FollowUpAsync(origin.ApplicationId, origin.Token, DiscordRenderer.Render(reply), ct);
            if (!result.IsSuccess)
            {
                log.LogWarning("Could not complete a deferred Discord click: {Result}", result);
            }
            audit.Post(reply, origin.Channel);
        });
        return new JsonObject { ["type"] = 6 };
    }

    private static async Task<bool> FinishedInTimeAsync(Task work, CancellationToken requestAborted)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        var finished = await Task.WhenAny(work, Task.Delay(InlineWindow, window.Token)) == work;
        await window.CancelAsync();
        return finished;
    }
}
