using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace PgChatOps.Discord.Gateway;

/// <summary>The payloads this transport sends, written straight to UTF-8 (PROTOCOLS.md §15.2, §15.3, §15.5).</summary>
internal static class GatewayPayloads
{
    /// <summary>No intents: INTERACTION_CREATE belongs to none and is always sent (PROTOCOLS.md §15.3).</summary>
    public const int Intents = 0;

    public static ReadOnlyMemory<byte> Heartbeat(int? sequence) => Write(GatewayOpcode.Heartbeat, w =>
    {
        if (sequence is { } s)
        {
            w.WriteNumberValue(s);
        }
        else
        {
            w.WriteNullValue();
        }
    });

    public static ReadOnlyMemory<byte> Identify(string token, string clientName) => Write(GatewayOpcode.Identify, w =>
    {
        w.WriteStartObject();
        w.WriteString("token", token);
        w.WriteNumber("intents", Intents);
        w.WriteStartObject("properties");
        w.WriteString("os", OperatingSystemName());
        w.WriteString("browser", clientName);
        w.WriteString("device", clientName);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static ReadOnlyMemory<byte> Resume(string token, string sessionId, int? sequence) => Write(GatewayOpcode.Resume, w =>
    {
        w.WriteStartObject();
        w.WriteString("token", token);
        w.WriteString("session_id", sessionId);
        if (sequence is { } s)
        {
            w.WriteNumber("seq", s);
        }
        else
        {
            w.WriteNull("seq");
        }
        w.WriteEndObject();
    });

    private static ReadOnlyMemory<byte> Write(int op, Action<Utf8JsonWriter> data)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("op", op);
            w.WritePropertyName("d");
            data(w);
            w.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    private static string OperatingSystemName() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "windows"
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "macos"
        : "unknown";
}
