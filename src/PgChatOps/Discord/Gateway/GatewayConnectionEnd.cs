namespace PgChatOps.Discord.Gateway;

/// <summary>Why one Gateway connection ended and what comes next.</summary>
/// <param name="ReachedSession">READY or RESUMED arrived on it: the reconnect backoff starts over.</param>
/// <param name="InvalidSession">op 9 d:false: wait 1–5 s before identifying again.</param>
/// <param name="Stopped">The caller stopped the transport.</param>
internal sealed record GatewayConnectionEnd(
    GatewayNextStep Next,
    string Reason,
    int? CloseCode = null,
    bool ReachedSession = false,
    bool InvalidSession = false,
    bool Stopped = false);
