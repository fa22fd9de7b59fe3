using System.Data.Common;
using System.Globalization;
using BusinessInbox.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BusinessInbox.Data;

public static class DataExtensions
{
    /// <summary>Registers <see cref="InboxDb"/> on SQLite (WAL, busy timeout) and persists data-protection keys in the data folder.</summary>
    public static WebApplicationBuilder AddInboxData(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSection<StorageOptions>(StorageOptions.Section);

        var dataPath = DataFolder(builder.Configuration, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(dataPath);

        var connectionString = builder.Configuration.GetConnectionString("Inbox");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataPath, "inbox.db"),
                Cache = SqliteCacheMode.Private,
                Pooling = true,
            }.ToString();
        }

        builder.Services.AddSingleton<SqlitePragmas>();
        builder.Services.AddHostedService<WalCheckpointer>();
        builder.Services.AddDbContextPool<InboxDb>((sp, options) => options
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(InboxDb).Assembly.FullName))
            .AddInterceptors(sp.GetRequiredService<SqlitePragmas>()));

        builder.Services.AddDataProtection()
            .SetApplicationName("BusinessInbox")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataPath, "keys")));

        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The inbox database's connection string, for the parts that keep SQLite connections of their own.</summary>
    public static string ConnectionString(this InboxDb db) =>
        db.Database.GetConnectionString() ?? throw new InvalidOperationException("The inbox database has no connection string.");

    public static string DataFolder(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.DataPath)}"];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "App_Data" : configured, contentRoot);
    }

    /// <summary>
    /// Applies pending migrations; on SQLite also switches the file to WAL, which persists in the file, and creates the
    /// message search index's file beside it.
    /// </summary>
    public static async Task MigrateInboxDbAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        await db.Database.MigrateAsync(cancellationToken);
        await Stats.EpisodeTimes.BackfillAsync(db, cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await services.GetRequiredService<Inbox.MessageSearchIndex>().CreateAsync(cancellationToken);
        }
    }
}

/// <summary>
/// Per-connection SQLite settings: wait for a busy writer instead of failing, fsync less often (safe in WAL), and leave the
/// copying of the write-ahead log to <see cref="WalCheckpointer"/> unless it falls far behind. They belong to the native
/// connection, which the pool keeps open across EF's open and close around every query, so they are set once per native
/// connection rather than before every query.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    /// <summary>
    /// The log's length (in pages, about 160 MB) at which a commit copies it back itself, as SQLite does at 1,000 by default:
    /// well beyond the length <see cref="WalCheckpointer"/> starts it over at.
    /// </summary>
    public const int BackstopPages = 40_000;

    public static readonly string Statements = string.Create(CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint={BackstopPages};");

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _set = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!FirstOpen(connection))
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.CommandText = Statements;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!FirstOpen(connection))
        {
            return;
        }
        await using var command = connection.CreateCommand();
        command.CommandText = Statements;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _set.TryAdd(handle, handle);
}

/// <summary>Ready when the database answers a query.</summary>
internal sealed class DatabaseHealthCheck(InboxDb db) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("The database cannot be reached.");
}
