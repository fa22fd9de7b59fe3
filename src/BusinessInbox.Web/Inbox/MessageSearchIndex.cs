using System.Globalization;
using System.Text;
using System.Text.Json;
using BusinessInbox.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// The full-text index over message text, kept in a database file of its own beside the inbox's (<c>inbox.db</c> →
/// <c>inbox.search.db</c>): an FTS5 trigram index answers terms of three characters or more, and an index of character
/// pairs answers shorter ones (营业, 鞋, ok). Its inserts and segment merges (up to 60 ms each) take that file's write
/// lock, not the inbox's, so no inbound message waits for them. It stores only the index (contentless): rowids are
/// message ids and the text stays in Messages.
/// <para>
/// <see cref="MessageSearchIndexer"/> brings it up to date a few times a second, in passes of <see cref="IndexAsync"/>. The
/// same file records how far each pass got (SearchProgress): the last message id taken in, and the last entry taken
/// from MessageSearchChanges, where triggers on Messages note every deleted or edited message. Progress and index are
/// committed together, so a pass cut short leaves both as they were. The file can be deleted while the app is stopped;
/// it is built again, and so is an index ahead of the inbox database (restored from a backup). See
/// docs/decisions/0029-search-index-in-its-own-file.md.
/// </para>
/// </summary>
public sealed class MessageSearchIndex : IDisposable
{
    /// <summary>The most messages (and, separately, changes) one pass takes in.</summary>
    public const int BatchSize = 5_000;

    private const string Schema = """
        CREATE VIRTUAL TABLE IF NOT EXISTS MessageSearch USING fts5(Body, content='', contentless_delete=1, tokenize='trigram');
        CREATE VIRTUAL TABLE IF NOT EXISTS MessagePairs USING fts5(
            Body, content='', contentless_delete=1, prefix='1', tokenize="unicode61 remove_diacritics 0 categories 'L* M* N* Co'");
        CREATE TABLE IF NOT EXISTS SearchProgress (
            Id INTEGER PRIMARY KEY CHECK (Id = 1), MessagesThrough INTEGER NOT NULL, ChangesThrough INTEGER NOT NULL);
        INSERT OR IGNORE INTO SearchProgress (Id, MessagesThrough, ChangesThrough) VALUES (1, 0, 0);
        """;

    private readonly WriteGate _gate;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly Lazy<(string Inbox, string Search)> _connectionStrings;

    public MessageSearchIndex(IServiceScopeFactory scopes, WriteGate gate)
    {
        _gate = gate;
        _connectionStrings = new(() => ConnectionStringsOf(scopes));
    }

    /// <summary>Where the index of the inbox database at <paramref name="inboxDatabase"/> lives.</summary>
    public static string PathFor(string inboxDatabase) =>
        Path.Combine(Path.GetDirectoryName(inboxDatabase) ?? "", $"{Path.GetFileNameWithoutExtension(inboxDatabase)}.search{Path.GetExtension(inboxDatabase)}");

    /// <summary>
    /// Creates the index's file and tables where they are missing, and empties an index that is ahead of the inbox
    /// database. The app does it on start, after the migrations and before anything is written.
    /// </summary>
    public async Task CreateAsync(CancellationToken ct)
    {
        var (inboxConnection, searchConnection) = _connectionStrings.Value;
        await using var search = await OpenAsync(searchConnection, ct);
        await ExecuteAsync(search, null, "PRAGMA journal_mode=WAL", ct);
        await using var inbox = await OpenAsync(inboxConnection, ct);
        // The tables are created in the same transaction as the emptying below: stopped in between, the next start finds
        // the file as it was and decides again.
        await using var write = search.BeginTransaction(deferred: false);
        var withoutPairs = (await ReadAsync(search, write, "SELECT count(*) FROM sqlite_master WHERE name = 'MessagePairs'", r => r.GetInt64(0), ct))[0] == 0;
        await ExecuteAsync(search, write, Schema, ct);
        var (messagesThrough, changesThrough) = await ProgressAsync(search, write, ct);
        var (lastMessage, lastChange) = (await ReadAsync(inbox, null, """
            SELECT (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'Messages'),
                   (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'MessageSearchChanges')
            """, r => (r.GetInt64(0), r.GetInt64(1)), ct))[0];
        // Ids beyond the inbox's last were given out before it went back to a backup, and will be given out again
        // (AUTOINCREMENT never gives an id twice otherwise): entries under them belong to other messages.
        var ahead = messagesThrough > lastMessage || changesThrough > lastChange;
        // An index without the pairs table has trigrams only: both are built again, so that both hold every message.
        if (ahead || (withoutPairs && messagesThrough > 0))
        {
            await ExecuteAsync(search, write, "INSERT INTO MessageSearch (MessageSearch) VALUES ('delete-all')", ct);
            await ExecuteAsync(search, write, "INSERT INTO MessagePairs (MessagePairs) VALUES ('delete-all')", ct);
            await SaveProgressAsync(search, write, 0, lastChange, ct);
        }
        await write.CommitAsync(ct);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> ids of messages whose text has <paramref name="term"/>, across every business, and
    /// the last message id the index has taken in: later messages are not in it yet. The index folds case as Unicode
    /// does, where LIKE folds only ASCII: compare the hits with the term. Null when the index cannot tell: a term of one
    /// or two characters with a space, a punctuation mark or a symbol in it.
    /// </summary>
    public async Task<SearchHits?> FindAsync(string term, int limit, CancellationToken ct)
    {
        var runes = term.EnumerateRunes().ToList();
        string table, match;
        if (runes.Count >= 3)
        {
            (table, match) = ("MessageSearch", Quoted(term));
        }
        else if (runes.All(IsPairCharacter))
        {
            // A pair is one of the index's terms; a single character is the first of one (its prefix index).
            (table, match) = ("MessagePairs", runes.Count == 2 ? Quoted(term) : Quoted(term) + " *");
        }
        else
        {
            return null;
        }
        await using var search = await OpenAsync(_connectionStrings.Value.Search, ct);
        // One snapshot for both reads: every message up to the progress read is in the hits read.
        await using var snapshot = search.BeginTransaction(deferred: true);
        var (through, _) = await ProgressAsync(search, snapshot, ct);
        var ids = await ReadAsync(search, snapshot, $"SELECT rowid FROM {table} WHERE {table} MATCH $match LIMIT $limit",
            r => r.GetInt64(0), ct, ("$match", match), ("$limit", limit));
        return new SearchHits(through, ids);
    }

    /// <summary>
    /// One pass: takes in up to <see cref="BatchSize"/> new messages and up to as many deletions and edits, in one
    /// transaction on the index's file; returns how many it took in. Passes never overlap, in this process or another.
    /// The inbox database is only read, apart from clearing the changes taken in (inside the <see cref="WriteGate"/>).
    /// </summary>
    public async Task<int> IndexAsync(CancellationToken ct)
    {
        var (inboxConnection, searchConnection) = _connectionStrings.Value;
        await _pass.WaitAsync(ct);
        try
        {
            await using var search = await OpenAsync(searchConnection, ct);
            await using var inbox = await OpenAsync(inboxConnection, ct);
            await ExecuteAsync(search, null, "PRAGMA synchronous=NORMAL", ct);
            // Taken first: the progress read below stays true until this pass commits.
            await using var write = search.BeginTransaction(deferred: false);
            var (messagesThrough, changesThrough) = await ProgressAsync(search, write, ct);

            // What to take in, read from one snapshot of the inbox.
            List<(long Id, string Body)> added, edited;
            List<(long Id, long MessageId)> changes;
            List<long> held;
            await using (var snapshot = inbox.BeginTransaction(deferred: true))
            {
                added = await ReadAsync(inbox, snapshot, "SELECT Id, Body FROM Messages WHERE Id > $after ORDER BY Id LIMIT $limit",
                    r => (r.GetInt64(0), r.GetString(1)), ct, ("$after", messagesThrough), ("$limit", BatchSize));
                changes = await ReadAsync(inbox, snapshot, "SELECT Id, MessageId FROM MessageSearchChanges WHERE Id > $after ORDER BY Id LIMIT $limit",
                    r => (r.GetInt64(0), r.GetInt64(1)), ct, ("$after", changesThrough), ("$limit", BatchSize));
                // A changed message the index holds is taken out and, unless it was deleted, put back as it reads now. One
                // it does not hold yet is taken in as it reads now, with the new messages or a later pass.
                held = changes.Select(c => c.MessageId).Where(id => id <= messagesThrough).Distinct().ToList();
                edited = held.Count == 0 ? [] : await ReadAsync(inbox, snapshot,
                    "SELECT Id, Body FROM Messages WHERE Id IN (SELECT value FROM json_each($ids))",
                    r => (r.GetInt64(0), r.GetString(1)), ct, ("$ids", JsonSerializer.Serialize(held)));
            }
            if (added.Count == 0 && changes.Count == 0)
            {
                return 0;
            }

            foreach (var id in held)
            {
                await ExecuteAsync(search, write, "DELETE FROM MessageSearch WHERE rowid = $id", ct, ("$id", id));
                await ExecuteAsync(search, write, "DELETE FROM MessagePairs WHERE rowid = $id", ct, ("$id", id));
            }
            await using (var trigrams = Command(search, write, "INSERT INTO MessageSearch (rowid, Body) VALUES ($id, $body)", ("$id", 0L), ("$body", "")))
            await using (var pairs = Command(search, write, "INSERT INTO MessagePairs (rowid, Body) VALUES ($id, $body)", ("$id", 0L), ("$body", "")))
            {
                foreach (var message in edited.Concat(added))
                {
                    await InsertAsync(trigrams, message.Id, message.Body, ct);
                    await InsertAsync(pairs, message.Id, Pairs(message.Body), ct);
                }
            }
            messagesThrough = added.Count > 0 ? added[^1].Id : messagesThrough;
            changesThrough = changes.Count > 0 ? changes[^1].Id : changesThrough;
            await SaveProgressAsync(search, write, messagesThrough, changesThrough, ct);
            await write.CommitAsync(ct);

            if (changes.Count > 0)
            {
                // The changes taken in are done with. Left behind by a crash here, they are skipped by the progress. The
                // connection may be one EF never opened: the writers' settings first (a checkpoint in the gate, no fsync).
                using (await _gate.EnterAsync(ct))
                {
                    await ExecuteAsync(inbox, null, SqlitePragmas.Statements, ct);
                    await ExecuteAsync(inbox, null, "DELETE FROM MessageSearchChanges WHERE Id <= $id", ct, ("$id", changesThrough));
                }
            }
            return added.Count + changes.Count;
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>
    /// Runs passes until one finds less than a full batch: the index then holds every message and change stored before
    /// that pass. Returns how many it took in.
    /// </summary>
    public async Task<long> CatchUpAsync(CancellationToken ct)
    {
        long total = 0;
        int taken;
        do
        {
            taken = await IndexAsync(ct);
            total += taken;
        }
        while (taken >= BatchSize);
        return total;
    }

    public void Dispose() => _pass.Dispose();

    /// <summary>
    /// The text as the index of pairs takes it in: every letter, mark, digit or ideograph with the next one, or alone at
    /// the end of a word, so that a two-character term is one of its terms and a character is the first of one. "Go, kid"
    /// becomes "Go o ki id d" (the tokenizer folds the case): it has no "ok".
    /// </summary>
    private static string Pairs(string text)
    {
        var pairs = new StringBuilder(text.Length * 3);
        // Where the previous character is in the text, while it is one the index keeps.
        var (previous, previousLength) = (-1, 0);
        var at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var kept = IsPairCharacter(rune);
            if (previous >= 0)
            {
                pairs.Append(text, previous, previousLength);
                if (kept)
                {
                    pairs.Append(text, at, rune.Utf16SequenceLength);
                }
                pairs.Append(' ');
            }
            (previous, previousLength) = kept ? (at, rune.Utf16SequenceLength) : (-1, 0);
            at += rune.Utf16SequenceLength;
        }
        if (previous >= 0)
        {
            pairs.Append(text, previous, previousLength);
        }
        return pairs.ToString();
    }

    /// <summary>The characters the index of pairs keeps, as its tokenizer's categories say: letters, marks, digits, private use.</summary>
    private static bool IsPairCharacter(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        UnicodeCategory.PrivateUse => true,
        _ => false,
    };

    private static string Quoted(string term) => "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task InsertAsync(SqliteCommand insert, long id, string body, CancellationToken ct)
    {
        (insert.Parameters["$id"].Value, insert.Parameters["$body"].Value) = (id, body);
        await insert.ExecuteNonQueryAsync(ct);
    }

    private static (string Inbox, string Search) ConnectionStringsOf(IServiceScopeFactory scopes)
    {
        using var scope = scopes.CreateScope();
        var inbox = scope.ServiceProvider.GetRequiredService<InboxDb>().ConnectionString();
        var builder = new SqliteConnectionStringBuilder(inbox);
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new InvalidOperationException("The inbox database must be a file: its search index is kept in a file beside it.");
        }
        builder.DataSource = PathFor(builder.DataSource);
        return (inbox, builder.ToString());
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task<(long Messages, long Changes)> ProgressAsync(SqliteConnection search, SqliteTransaction tx, CancellationToken ct) =>
        (await ReadAsync(search, tx, "SELECT MessagesThrough, ChangesThrough FROM SearchProgress", r => (r.GetInt64(0), r.GetInt64(1)), ct))[0];

    private static Task SaveProgressAsync(SqliteConnection search, SqliteTransaction tx, long messages, long changes, CancellationToken ct) =>
        ExecuteAsync(search, tx, "UPDATE SearchProgress SET MessagesThrough = $messages, ChangesThrough = $changes", ct,
            ("$messages", messages), ("$changes", changes));

    private static async Task<List<T>> ReadAsync<T>(SqliteConnection connection, SqliteTransaction? tx, string sql,
        Func<SqliteDataReader, T> row, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }
}

/// <summary>Message ids the index found, and the last message id it had taken in when asked.</summary>
public sealed record SearchHits(long IndexedThrough, IReadOnlyList<long> MessageIds);
