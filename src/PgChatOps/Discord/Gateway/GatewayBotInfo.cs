namespace PgChatOps.Discord.Gateway;

/// <summary>The answer of <c>GET gateway/bot</c>. <see cref="ResetAfter"/> comes in milliseconds on the wire.</summary>
internal sealed record GatewayBotInfo(Uri Url, int Shards, int Total, int Remaining, TimeSpan ResetAfter, int MaxConcurrency);
