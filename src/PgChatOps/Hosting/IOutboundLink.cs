namespace PgChatOps.Hosting;

/// <summary>
/// A connection this replica opens to a chat platform and needs in order to hear any command (Slack Socket Mode, the
/// Discord Gateway). <c>/readyz</c> is not ready while a link in use is down.
/// </summary>
public interface IOutboundLink
{
    /// <summary>Null when the settings do not use this link (e.g. <c>Slack:Mode=http</c>); else whether it is up, with one line for <c>/readyz</c>.</summary>
    OutboundLinkStatus? Status { get; }
}
