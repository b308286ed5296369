namespace PgChatOps.Hosting;

/// <summary>What <c>/readyz</c> says about one <see cref="IOutboundLink"/>: <see cref="Line"/> is shown whether it is up or not.</summary>
public sealed record OutboundLinkStatus(bool IsUp, string Line);
