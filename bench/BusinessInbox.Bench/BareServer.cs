using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace BusinessInbox.Bench;

/// <summary>
/// The machine's ceiling: bare Kestrel endpoints that do only the least of each job — answer a fixed body, read a
/// webhook body, or verify its signature and insert one row with plain ADO.NET (writes serialized in-process, as
/// the app does, so that SQLite's busy handler never sleeps).
/// </summary>
public sealed class BareServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _database;

    private BareServer(WebApplication app, int port, string database)
    {
        _app = app;
        _database = database;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    public static async Task<BareServer> StartAsync(string appSecret)
    {
        var port = AppProcess.FreePort();
        var database = Path.Combine(Path.GetTempPath(), $"bi-bare-{Guid.NewGuid():n}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = database, Pooling = true }.ToString();
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync();
            await using var command = setup.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE Deliveries (Id INTEGER PRIMARY KEY, ExternalId TEXT NOT NULL UNIQUE, Body BLOB NOT NULL);";
            await command.ExecuteNonQueryAsync();
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var body = new string('x', 2000);
        var key = Encoding.UTF8.GetBytes(appSecret);
        var gate = new SemaphoreSlim(1, 1);
        long next = 0;
        app.MapGet("/bare", () => Results.Text("{\"body\":\"" + body + "\"}", "application/json"));
        app.MapPost("/bare-body", async (HttpRequest request) =>
        {
            await ReadAsync(request);
            return Results.Ok();
        });
        app.MapPost("/bare-insert", async (HttpRequest request) =>
        {
            var bytes = await ReadAsync(request);
            var header = request.Headers["X-Hub-Signature-256"].ToString();
            if (header.Length != 71 || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(header.AsSpan(7)), HMACSHA256.HashData(key, bytes)))
            {
                return Results.Unauthorized();
            }
            await gate.WaitAsync();
            try
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA synchronous=NORMAL; INSERT OR IGNORE INTO Deliveries (ExternalId, Body) VALUES ($id, $body)";
                command.Parameters.AddWithValue("$id", "d" + Interlocked.Increment(ref next));
                command.Parameters.AddWithValue("$body", bytes);
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                gate.Release();
            }
            return Results.Ok();
        });
        await app.StartAsync();
        return new BareServer(app, port, database);
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }
}
