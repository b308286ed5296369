using Microsoft.Extensions.Logging;

namespace PgChatOps.Watch;

internal static partial class WatchLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Watch: {Count} rules over {Targets} targets; this replica is {Holder}.")]
    public static partial void Started(this ILogger logger, int count, int targets, string holder);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Watch: no PgChatOps:Watch:Rules are configured; the watch is off.")]
    public static partial void NoRules(this ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Watch: this replica ({Holder}) now leads sampling.")]
    public static partial void BecameLeader(this ILogger logger, string holder);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Watch: this replica ({Holder}) no longer leads sampling.")]
    public static partial void LostLeadership(this ILogger logger, string holder);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Watch: the sample of target {Target} was skipped: its previous sample has been running for {Running}.")]
    public static partial void SampleSkipped(this ILogger logger, string target, TimeSpan running);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Watch: target {Target} did not answer within {Timeout}; its incidents are left as they were.")]
    public static partial void SampleTimedOut(this ILogger logger, string target, TimeSpan timeout);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Watch: could not sample target {Target} ({Error}); its incidents are left as they were.")]
    public static partial void SampleFailed(this ILogger logger, string target, string error);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Error, Message = "Watch: could not record incidents or history of target {Target} in the state store: {Error}")]
    public static partial void StateStoreFailed(this ILogger logger, string target, string error);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Error, Message = "Watch: posting the {Step} of incident {Incident} ({Rule} on {Target}) failed; retried on a later sample: {Error}")]
    public static partial void SinkFailed(this ILogger logger, string step, Guid incident, string rule, string target, string error);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Watch: the leader lease could not be renewed ({Error}); not sampling until it can.")]
    public static partial void LeaseFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Watch: incident {Incident} opened: {Rule} on {Target} ({Cause}).")]
    public static partial void Opened(this ILogger logger, Guid incident, string rule, string target, string cause);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "Watch: incident {Incident} resolved after {Lasted}: {Rule} on {Target}.")]
    public static partial void Resolved(this ILogger logger, Guid incident, string rule, string target, TimeSpan lasted);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "Watch: pruned {Rows} history rows and resolved incidents older than {Cutoff:o}.")]
    public static partial void Pruned(this ILogger logger, int rows, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Warning, Message = "Watch alert [{Status}] {Rule} on {Target} for {Platform} channel {Channel}: {Title}")]
    public static partial void AlertLogged(this ILogger logger, string status, string rule, string target, string platform, string channel, string title);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Warning, Message = "Watch: the fix '{Fix}' of incident {Incident} could not be prepared, so it has no button: {Error}")]
    public static partial void FixFailed(this ILogger logger, string fix, Guid incident, string error);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Information, Message = "Watch: incident {Incident} ({Rule} on {Target}) snoozed until {Until:o}.")]
    public static partial void Snoozed(this ILogger logger, Guid incident, string rule, string target, DateTimeOffset until);
}
