using System.Net;
using System.Net.Sockets;

namespace PgChatOps.IntegrationTests.Watch;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a real server, to make a target slow (each server reply is held back by
/// <see cref="Delay"/>), hung (<see cref="Hang"/>: accept and never answer) or gone (<see cref="CutAsync"/>).
/// Counts connections, and the most that were open at once.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly int? _upstreamPort;
    private readonly Task _accepting;
    private int _open;
    private int _maxOpen;
    private int _accepted;

    private TcpRelay(int? upstreamPort, TimeSpan delay)
    {
        _upstreamPort = upstreamPort;
        Delay = delay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Relays to <paramref name="upstreamPort"/>, holding back each reply by <paramref name="delay"/>.</summary>
    public static TcpRelay To(int upstreamPort, TimeSpan delay = default) => new(upstreamPort, delay);

    /// <summary>Accepts connections and never says a word.</summary>
    public static TcpRelay Hang() => new(null, TimeSpan.Zero);

    public TimeSpan Delay { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Accepted => Volatile.Read(ref _accepted);
    public int MaxOpenAtOnce => Volatile.Read(ref _maxOpen);

    /// <summary>A connection string for the relay, with the upstream's user and database.</summary>
    public string ConnectionString(string upstream) =>
        new Npgsql.NpgsqlConnectionStringBuilder(upstream) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    /// <summary>Drops every connection and refuses new ones: the target is unreachable.</summary>
    public async Task CutAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_clients)
            {
                _clients.Add(client);
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var open = Interlocked.Increment(ref _open);
        int seen;
        while (open > (seen = Volatile.Read(ref _maxOpen)) && Interlocked.CompareExchange(ref _maxOpen, open, seen) != seen)
        {
        }
        try
        {
            if (_upstreamPort is not { } port)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, port, _stop.Token);
            lock (_clients)
            {
                _clients.Add(upstream);
            }
            var toServer = PumpAsync(client.GetStream(), upstream.GetStream(), TimeSpan.Zero);
            var toClient = PumpAsync(upstream.GetStream(), client.GetStream(), Delay);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception)
        {
            // A dropped connection is what a relay sees all day.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            client.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, TimeSpan delay)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _stop.Token);
            }
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CutAsync();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
