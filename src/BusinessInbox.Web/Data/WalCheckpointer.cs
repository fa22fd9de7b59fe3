using BusinessInbox.Inbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file beside the writers instead of inside them. Left to
/// SQLite, the commit that fills the log copies it back and waits for the disk twice, while the <see cref="WriteGate"/>
/// is held and every other write queues behind it. Here the copying and its waits happen on a connection of their own,
/// in passes that writers do not wait for; once the log is long enough to start over, one last pass copies the pages
/// committed meanwhile inside the gate, so that the next commit writes the log from its beginning again.
/// SQLite's own checkpoint stays on as a backstop at <see cref="SqlitePragmas.BackstopPages"/>.
/// See docs/decisions/0025-checkpoints-beside-the-writers.md.
/// </summary>
internal sealed class WalCheckpointer(
    IServiceScopeFactory scopes, WriteGate gate, TimeProvider clock, IOptions<WalCheckpointer.Settings> settings, ILogger<WalCheckpointer> logger)
    : BackgroundService
{
    /// <summary>How often a pass copies what was committed since the last one.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    /// <summary>Not configuration: the tests set a shorter log to see it started over.</summary>
    public sealed class Settings
    {
        /// <summary>
        /// A log this long (in pages, about 64 MB) is started over once the pages in it are copied. The writers wait for that
        /// last pass, about 20 ms here; a long log makes it rare (every few seconds at 1,000 messages/s), and the passes
        /// outside the gate keep what readers look up in it short.
        /// </summary>
        public int RestartAtPages { get; set; } = 16_000;
    }

    /// <summary>The passes outside the gate stop once one is left this little to copy (or after a few of them).</summary>
    private const int ShortTailPages = 100;

    private const int MaxPassesBeforeRestart = 4;

    /// <summary>The log's length after the last pass: while no commit has come since, there is nothing to copy.</summary>
    private long _seen = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string connectionString;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
            if (!db.Database.IsSqlite())
            {
                return;
            }
            connectionString = db.ConnectionString();
        }
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(stoppingToken);
        try
        {
            while (true)
            {
                // A delay armed again after each pass, not a periodic timer: a clock moved on by days (in tests) runs one
                // pass, not one for every 100 ms it skipped.
                await Task.Delay(Period, clock, stoppingToken);
                try
                {
                    await CopyAsync(connection, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // SQLite's own checkpoint still bounds the log; the next tick tries again.
                    logger.LogWarning(ex, "Copying the write-ahead log into the database failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CopyAsync(SqliteConnection connection, CancellationToken ct)
    {
        var log = Pass(connection);
        if (log == _seen)
        {
            return;
        }
        _seen = log;
        if (log < settings.Value.RestartAtPages)
        {
            return;
        }
        // Each pass copies what was committed during the one before; they get shorter until little is left.
        for (var pass = 0; pass < MaxPassesBeforeRestart; pass++)
        {
            var before = log;
            log = Pass(connection);
            if (log - before <= ShortTailPages)
            {
                break;
            }
        }
        using (await gate.EnterAsync(ct))
        {
            // Nothing is committed during this pass, so it reaches the end of the log and the next commit starts it over.
            _seen = Pass(connection);
        }
    }

    /// <summary>A passive checkpoint: copies what it can without waiting for anyone; returns the pages in the log.</summary>
    private static long Pass(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var row = command.ExecuteReader();
        return row.Read() ? row.GetInt64(1) : 0;
    }
}
