using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Operations;

public sealed class DatabaseSettingsTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_query_runs_on_a_connection_that_waits_for_a_busy_writer_enforces_foreign_keys_and_leaves_the_log_to_the_checkpointer_also_when_reused_from_the_pool()
    {
        static async Task<(long BusyTimeout, long ForeignKeys, long Synchronous, string JournalMode, long AutoCheckpoint)> SettingsAsync(InboxDb db) =>
            (await ScalarAsync<long>(db, "PRAGMA busy_timeout"), await ScalarAsync<long>(db, "PRAGMA foreign_keys"),
                await ScalarAsync<long>(db, "PRAGMA synchronous"), await ScalarAsync<string>(db, "PRAGMA journal_mode"),
                await ScalarAsync<long>(db, "PRAGMA wal_autocheckpoint"));

        // Each query opens and closes its connection; the second and third get one back from the pool.
        for (var round = 0; round < 3; round++)
        {
            (await _app.WithDbAsync(SettingsAsync)).Should().Be((10_000L, 1L, 1L, "wal", (long)SqlitePragmas.BackstopPages));
        }
    }

    private static async Task<T> ScalarAsync<T>(InboxDb db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (T)(await command.ExecuteScalarAsync())!;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
