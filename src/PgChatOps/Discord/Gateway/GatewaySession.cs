namespace PgChatOps.Discord.Gateway;

/// <summary>
/// What a Resume needs, kept across connections: READY's <c>session_id</c> and <c>resume_gateway_url</c>, and the
/// last non-null <c>s</c>. Written by the receive loop, read by the heartbeat loop and health checks.
/// </summary>
internal sealed class GatewaySession
{
    private const int NoSequence = -1;

    private volatile string? _id;
    private volatile Uri? _resumeUrl;
    private volatile string? _applicationId;
    private int _sequence = NoSequence;
    private long _lastAckTicks;

    public string? Id => _id;

    public Uri? ResumeUrl => _resumeUrl;

    /// <summary>READY's <c>application.id</c>; it outlives <see cref="Forget"/>, as the application does.</summary>
    public string? ApplicationId => _applicationId;

    public int? Sequence => Volatile.Read(ref _sequence) is var s && s == NoSequence ? null : s;

    public DateTimeOffset? LastHeartbeatAck => Interlocked.Read(ref _lastAckTicks) is var t && t == 0 ? null : new DateTimeOffset(t, TimeSpan.Zero);

    public bool CanResume => _id is not null && _resumeUrl is not null;

    public void Established(string sessionId, Uri resumeUrl, string? applicationId)
    {
        _id = sessionId;
        _resumeUrl = resumeUrl;
        _applicationId = applicationId ?? _applicationId;
    }

    public void Observe(int sequence) => Volatile.Write(ref _sequence, sequence);

    public void Acknowledged(DateTimeOffset at) => Interlocked.Exchange(ref _lastAckTicks, at.UtcTicks);

    public void Forget()
    {
        _id = null;
        _resumeUrl = null;
        Volatile.Write(ref _sequence, NoSequence);
    }
}
