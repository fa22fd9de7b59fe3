using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace BusinessInbox.Bench;

/// <summary>
/// One agent's screen, connected to the inbox hub over a WebSocket speaking SignalR's JSON protocol, timing each
/// customer message from send to arrival. In use, each screen is a browser on a device of its own; here 200 of them
/// share the server's two cores. So a screen does no more than find the message's number in each frame it receives,
/// where the .NET SignalR client built an invocation and parsed its arguments from every frame.
/// See docs/decisions/0031-lighter-agent-screens-in-the-benchmark.md.
/// </summary>
public sealed class AgentScreen : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
    private static readonly byte[] MessagesAdded = Encoding.UTF8.GetBytes("\"target\":\"MessagesAdded\"");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("\"body\":\"");

    /// <summary>Half the hub's client timeout (30 s): the hub closes a connection it has heard nothing from for that long.</summary>
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(15);

    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<int, long> _arrived;
    private Task _receiving = Task.CompletedTask;
    private Task _pinging = Task.CompletedTask;

    private AgentScreen(Action<int, long> arrived) => _arrived = arrived;

    /// <summary>Connects with the agent's sign-in cookie; <paramref name="arrived"/> gets each message's number and arrival timestamp.</summary>
    public static async Task<AgentScreen> ConnectAsync(Uri hub, string cookie, Action<int, long> arrived)
    {
        var screen = new AgentScreen(arrived);
        screen._socket.Options.SetRequestHeader("Cookie", cookie);
        await screen._socket.ConnectAsync(new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws" }.Uri, CancellationToken.None);
        await screen._socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[1024];
        var answer = await screen._socket.ReceiveAsync(buffer, CancellationToken.None);
        var text = Encoding.UTF8.GetString(buffer, 0, answer.Count);
        if (!text.StartsWith("{}", StringComparison.Ordinal) || !text.Contains('\u001e', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The inbox hub refused the handshake: {text}");
        }
        screen._receiving = Task.Run(screen.ReceiveAsync);
        screen._pinging = Task.Run(screen.PingAsync);
        return screen;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var received = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                var now = Stopwatch.GetTimestamp();
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                length += received.Count;
                // Every complete record in the buffer; a record cut off by the buffer's end waits for the rest.
                var start = 0;
                int end;
                while ((end = buffer.AsSpan(start, length - start).IndexOf(RecordSeparator)) >= 0)
                {
                    Read(buffer.AsSpan(start, end), now);
                    start += end + 1;
                }
                buffer.AsSpan(start, length - start).CopyTo(buffer);
                length -= start;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            // Stopped, or the connection was lost: the pushes it did not time show as missing in the report.
        }
    }

    /// <summary>
    /// Each new message's body carries its number between hashes ("… #123# …"); a push of several messages carries several.
    /// Pings and other events are passed over, and so are the chats' previews, which repeat a body.
    /// </summary>
    private void Read(ReadOnlySpan<byte> record, long now)
    {
        if (record.IndexOf(MessagesAdded) < 0)
        {
            return;
        }
        int at;
        while ((at = record.IndexOf(Body)) >= 0)
        {
            record = record[(at + Body.Length)..];
            var end = record.IndexOf((byte)'"');
            if (Number(end < 0 ? record : record[..end]) is { } n)
            {
                _arrived(n, now);
            }
        }
    }

    /// <summary>The number between hashes in a body, if it has one.</summary>
    private static int? Number(ReadOnlySpan<byte> body)
    {
        int hash;
        while ((hash = body.IndexOf((byte)'#')) >= 0)
        {
            body = body[(hash + 1)..];
            if (Utf8Parser.TryParse(body, out int n, out var digits) && digits > 0 && digits < body.Length && body[digits] == (byte)'#')
            {
                return n;
            }
        }
        return null;
    }

    private async Task PingAsync()
    {
        using var timer = new PeriodicTimer(PingEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await _socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            // The connection is gone; the receiving side has stopped with it.
        }
    }

    /// <summary>Stops the screen. Cancelling its pending receive aborts the connection: the hub drops it as it does a closed tab.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_receiving, _pinging);
        _socket.Dispose();
        _stop.Dispose();
    }
}
