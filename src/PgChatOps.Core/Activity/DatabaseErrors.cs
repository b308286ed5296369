using System.Net.Sockets;
using Npgsql;

namespace PgChatOps.Activity;

/// <summary>
/// Database failures in plain words: one clause naming the cause, with the SQLSTATE in brackets. The server's
/// own code is used when it sent one; failures on the client side of the wire get the standard connection
/// codes (08001: could not connect; 08006: the connection failed). Npgsql's wording never reaches a user.
/// </summary>
internal static class DatabaseErrors
{
    /// <summary>The whole sentence for a failed read or preview on a target.</summary>
    public static string ForTarget(string target, Exception ex, TimeSpan? statementTimeout = null) =>
        $"Could not get an answer from {target}: {Cause(ex, statementTimeout)}.";

    /// <summary>
    /// The reason the state store failed, to follow "Nothing was done:" or "Not recorded:".
    /// <paramref name="what"/> is "read" or "written".
    /// </summary>
    public static string ForStateStore(string what, Exception ex) =>
        $"the state store could not be {what} because {Cause(ex)}";

    /// <summary>The cause alone: "the server is full, every connection slot is taken [53300]".</summary>
    public static string Cause(Exception ex, TimeSpan? statementTimeout = null) => ex switch
    {
        PostgresException pg => ServerCause(pg, statementTimeout),
        // Already a sentence of ours, about the state store.
        Audit.StateStoreUnavailableException => ex.Message,
        LifelineBusyException => $"the server is full and the bot's one reserved connection is busy with another command; try again in a moment [{PostgresErrorCodes.TooManyConnections}]",
        OperationCanceledException => $"the server did not answer in time [{PostgresErrorCodes.ConnectionFailure}]",
        // Npgsql's pool had no free connection in time: the bot's own limit, not the server's.
        NpgsqlException when ex.Message.StartsWith("The connection pool has been exhausted", StringComparison.Ordinal)
            => $"the bot's own connections to it are all busy with other commands; try again in a moment [{PostgresErrorCodes.SqlClientUnableToEstablishSqlConnection}]",
        _ when Find<SocketException>(ex) is { } socket => SocketCause(socket),
        _ when IsClosedByServer(ex) => $"the server closed the connection unexpectedly [{PostgresErrorCodes.ConnectionFailure}]",
        _ when Find<TimeoutException>(ex) is not null => $"the connection timed out, the server did not answer in time [{PostgresErrorCodes.ConnectionFailure}]",
        _ => $"the connection failed unexpectedly [{PostgresErrorCodes.ConnectionFailure}]",
    };

    /// <summary>
    /// The connection broke under the statement, as a pooled connection does after the server restarted: a
    /// read may run once more on a fresh connection. Never used to repeat a signal.
    /// </summary>
    public static bool IsLostConnection(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown } => true,
        PostgresException => false,
        NpgsqlException => IsClosedByServer(ex),
        _ => false,
    };

    private static string ServerCause(PostgresException pg, TimeSpan? statementTimeout)
    {
        var text = pg.SqlState switch
        {
            // The same code for a role's or a database's CONNECTION LIMIT: only the server's English words tell them apart.
            PostgresErrorCodes.TooManyConnections when pg.MessageText.StartsWith("too many connections for role", StringComparison.Ordinal)
                => "the bot's role has reached its CONNECTION LIMIT (ALTER ROLE … CONNECTION LIMIT)",
            PostgresErrorCodes.TooManyConnections when pg.MessageText.StartsWith("too many connections for database", StringComparison.Ordinal)
                => "the database has reached its CONNECTION LIMIT (ALTER DATABASE … CONNECTION LIMIT)",
            PostgresErrorCodes.TooManyConnections => "the server is full, every connection slot is taken",
            PostgresErrorCodes.ConfigurationLimitExceeded => "the role or database has reached its connection limit",
            PostgresErrorCodes.InvalidPassword => "authentication failed, the server rejected the password",
            PostgresErrorCodes.InvalidAuthorizationSpecification => "authentication failed, the server does not let this role log in from here",
            PostgresErrorCodes.QueryCanceled => statementTimeout is { } t
                ? $"the statement timed out after {Replies.Format.Duration(t)} and was stopped"
                : "the statement timed out and was stopped",
            PostgresErrorCodes.LockNotAvailable => "the statement waited too long for a lock and was stopped",
            PostgresErrorCodes.AdminShutdown => "the server is shutting down or an administrator ended the connection",
            PostgresErrorCodes.CrashShutdown => "the server is restarting after a crash",
            PostgresErrorCodes.CannotConnectNow => CannotConnectNowCause(pg.MessageText),
            PostgresErrorCodes.ReadOnlySqlTransaction => "the server is a read-only standby in recovery",
            PostgresErrorCodes.InvalidCatalogName => "the database does not exist",
            PostgresErrorCodes.InsufficientPrivilege => "the role lacks a privilege it needs",
            _ => $"the server reported an error: {pg.MessageText}",
        };
        return $"{text} [{pg.SqlState}]";
    }

    /// <summary>
    /// Why a server refused with 57P03, from its English message. PostgreSQL 14 and later say "the database
    /// system is not accepting connections" (detail "Hot standby mode is disabled.") for a standby that runs with
    /// hot_standby off, for as long as it stays in recovery; "not yet accepting connections" for a hot standby
    /// that has not reached a consistent state; "is in recovery mode" while recovering from a crash. The detail
    /// is not matched: Npgsql redacts it unless the connection string includes error details.
    /// </summary>
    private static string CannotConnectNowCause(string message) =>
        Contains(message, "shutting down") ? "the server is shutting down and accepts no new connections"
        : Contains(message, "starting up") ? "the server is starting up and accepts no connections yet"
        : Contains(message, "not accepting connections") ? "the server is a standby in recovery and accepts no connections (hot_standby is off)"
        : "the server is in recovery and accepts no connections yet";

    private static string SocketCause(SocketException socket)
    {
        var text = socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "the connection was refused, nothing listens on that host and port",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown => "the host is unreachable",
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "the host name does not resolve",
            SocketError.TimedOut => "the connection timed out, the host did not answer",
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected =>
                "the server closed the connection unexpectedly",
            _ => "the network connection failed",
        };
        var code = socket.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected
            ? PostgresErrorCodes.ConnectionFailure
            : PostgresErrorCodes.SqlClientUnableToEstablishSqlConnection;
        return $"{text} [{code}]";
    }

    private static bool IsClosedByServer(Exception ex) =>
        Find<EndOfStreamException>(ex) is not null
        || Find<SocketException>(ex) is { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected }
        || Find<IOException>(ex) is not null && Find<TimeoutException>(ex) is null;

    private static T? Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }

    private static bool Contains(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
}
