using System.Diagnostics.Metrics;
using PgChatOps.Actions;
using PgChatOps.Commands;
using PgChatOps.Replies;

namespace PgChatOps.Hosting;

/// <summary>
/// The bot's instruments, on the <c>PgChatOps</c> meter. Exported by <c>/metrics</c> in Prometheus form as
/// <c>pgchatops_commands_total</c>, <c>pgchatops_command_duration_seconds</c>, <c>pgchatops_actions_total</c> and
/// <c>pgchatops_database_errors_total</c>. Label values come from closed sets, never from user text.
/// </summary>
public sealed class PgChatOpsMetrics
{
    public const string MeterName = "PgChatOps";
    public const string CommandDuration = "pgchatops.command.duration";

    private readonly Counter<long> _commands;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _databaseErrors;

    public PgChatOpsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _commands = meter.CreateCounter<long>("pgchatops.commands", description: "Chat commands handled, by platform, verb and outcome.");
        _duration = meter.CreateHistogram<double>(CommandDuration, unit: "s", description: "Time to answer a chat command.");
        _actions = meter.CreateCounter<long>("pgchatops.actions",
            description: "Sessions acted on by confirmed cancel/terminate actions, by kind and per-session result (result=error: the action failed as a whole).");
        _databaseErrors = meter.CreateCounter<long>("pgchatops.database.errors", description: "Errors talking to a target cluster, by target.");
    }

    /// <summary>Records a handled command and hands its reply back, so the pipeline can record on its way out.</summary>
    public Reply Command(ChatRequest request, Reply reply, TimeSpan elapsed)
    {
        var parsed = CommandParser.Parse(request.Text);
        var verb = parsed.IsSuccess ? parsed.Command!.Verb.ToString().ToLowerInvariant() : "invalid";
        var outcome = reply.Kind switch
        {
            ReplyKind.Info or ReplyKind.Outcome => "ok",
            ReplyKind.Confirmation => "confirmation",
            ReplyKind.Denied => "denied",
            _ => "error",
        };
        var platform = new KeyValuePair<string, object?>("platform", request.Platform.Name());
        _commands.Add(1, platform, new("verb", verb), new("outcome", outcome));
        _duration.Record(elapsed.TotalSeconds, platform, new KeyValuePair<string, object?>("verb", verb));
        return reply;
    }

    /// <summary>One count per session an executed action reached, labelled with what happened to it.</summary>
    public void ActionExecuted(ActionKind kind, IEnumerable<SessionOutcome> outcomes)
    {
        foreach (var group in outcomes.GroupBy(o => o.Outcome, StringComparer.Ordinal))
        {
            _actions.Add(group.Count(), new KeyValuePair<string, object?>("kind", kind.Name()), new("result", group.Key));
        }
    }

    public void ActionFailed(ActionKind kind, string target)
    {
        _actions.Add(1, new KeyValuePair<string, object?>("kind", kind.Name()), new("result", "error"));
        DatabaseError(target);
    }

    public void DatabaseError(string? target) =>
        _databaseErrors.Add(1, new KeyValuePair<string, object?>("target", target ?? "none"));
}
