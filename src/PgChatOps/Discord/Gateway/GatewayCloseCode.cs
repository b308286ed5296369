namespace PgChatOps.Discord.Gateway;

/// <summary>
/// Gateway close codes (PROTOCOLS.md §15.6) and what this transport does after each one. Codes Discord marks
/// "do not reconnect" are fatal: reconnecting with the same token, shard or intents cannot succeed.
/// </summary>
internal static class GatewayCloseCode
{
    /// <summary>Ends the session: the bot goes offline and the session cannot be resumed.</summary>
    public const int NormalClosure = 1000;
    public const int GoingAway = 1001;

    /// <summary>What we send to drop a connection but keep the session resumable (as Discord.Net does).</summary>
    public const int UnknownError = 4000;
    public const int UnknownOpcode = 4001;
    public const int DecodeError = 4002;
    public const int NotAuthenticated = 4003;
    public const int AuthenticationFailed = 4004;
    public const int AlreadyAuthenticated = 4005;
    public const int InvalidSequence = 4007;
    public const int RateLimited = 4008;
    public const int SessionTimedOut = 4009;
    public const int InvalidShard = 4010;
    public const int ShardingRequired = 4011;
    public const int InvalidApiVersion = 4012;
    public const int InvalidIntents = 4013;
    public const int DisallowedIntents = 4014;

    /// <summary>The next step after the server closed with <paramref name="code"/> (null: no close frame at all).</summary>
    public static GatewayNextStep After(int? code) => code switch
    {
        AuthenticationFailed or InvalidShard or ShardingRequired or InvalidApiVersion or InvalidIntents or DisallowedIntents => GatewayNextStep.Stop,
        // The session is gone (4003: the server no longer knows it).
        InvalidSequence or SessionTimedOut or NotAuthenticated => GatewayNextStep.Identify,
        // Everything else, a server-side 1000/1001 and a drop included, is worth a Resume: if the session cannot be
        // resumed the server answers op 9 d:false and we identify then.
        _ => GatewayNextStep.Resume,
    };

    /// <summary>One line an operator can act on, for the fatal codes.</summary>
    public static string Describe(int code) => code switch
    {
        AuthenticationFailed => "authentication failed: Discord:BotToken is wrong or was reset",
        InvalidShard => "invalid shard",
        ShardingRequired => "sharding required: the bot is in too many guilds for one unsharded connection",
        InvalidApiVersion => "invalid API version",
        InvalidIntents => "invalid intents",
        DisallowedIntents => "disallowed intents: a privileged intent is not enabled for this application",
        _ => $"close code {code}",
    };
}
