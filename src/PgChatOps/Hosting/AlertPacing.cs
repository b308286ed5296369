namespace PgChatOps.Hosting;

/// <summary>
/// How often one alert message may be edited. Slack's <c>chat.update</c> and Discord's message edits are rate-limited
/// per method and channel; an incident that changes every sample (the idle time moves on) would otherwise edit its
/// message every interval. Edits closer together than <see cref="MinGap"/> are coalesced into the latest one.
/// </summary>
public sealed record AlertPacing(TimeSpan MinGap)
{
    public static readonly AlertPacing Default = new(TimeSpan.FromSeconds(3));
}
