namespace BusinessInbox.Bench;

/// <summary>The machine's ceiling: a bare Kestrel endpoint that answers a small fixed JSON body, nothing else.</summary>
public sealed class BareServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareServer(WebApplication app, int port)
    {
        _app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public static async Task<BareServer> StartAsync()
    {
        var port = AppProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var body = new string('x', 2000);
        app.MapGet("/bare", () => Results.Text("{\"body\":\"" + body + "\"}", "application/json"));
        await app.StartAsync();
        return new BareServer(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
