using System.Text;

namespace BusinessInbox.Bench;

/// <summary>
/// Meta's Graph API as far as sending goes, on loopback: every send is answered with the next wamid of a
/// known sequence per number (wamid.bench-out-{number}-{n}), so that the load can carry status webhooks for messages the app sent.
/// </summary>
public sealed class FakeGraph : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _sentBy = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _callbacks = new(StringComparer.Ordinal);
    private long _sent;
    private long _sentTwice;

    private FakeGraph(WebApplication app, int port)
    {
        _app = app;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Sends whose callback data (the app's message id) came in an earlier send already: one message sent twice.</summary>
    public long SentTwice => Interlocked.Read(ref _sentTwice);

    /// <summary>The id given to the n-th message sent from a number (1-based).</summary>
    public static string Wamid(string phoneNumberId, long n) => $"wamid.bench-out-{phoneNumberId}-{n}";

    public static async Task<FakeGraph> StartAsync()
    {
        var port = AppProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var fake = new FakeGraph(app, port);
        app.MapPost("/{version}/{phoneNumberId}/messages", async (string phoneNumberId, HttpRequest request) =>
        {
            using var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            Interlocked.Increment(ref fake._sent);
            if (body.RootElement.TryGetProperty("biz_opaque_callback_data", out var callback)
                && !fake._callbacks.TryAdd(callback.GetString() ?? string.Empty, 0))
            {
                Interlocked.Increment(ref fake._sentTwice);
            }
            var n = fake._sentBy.AddOrUpdate(phoneNumberId, 1, (_, v) => v + 1);
            return Results.Text($"{{\"messaging_product\":\"whatsapp\",\"messages\":[{{\"id\":\"{Wamid(phoneNumberId, n)}\"}}]}}", "application/json", Encoding.UTF8);
        });
        app.MapFallback(() => Results.Json(new { success = true }));
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
