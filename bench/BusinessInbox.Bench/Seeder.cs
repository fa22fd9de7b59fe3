using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace BusinessInbox.Bench;

/// <summary>How big a dataset to build.</summary>
public sealed record DatasetSize(int Businesses, int Chats, int Messages)
{
    public static readonly DatasetSize Quick = new(2, 2_000, 40_000);
    public static readonly DatasetSize Full = new(4, 100_000, 2_000_000);
}

public sealed record SeededBusiness(int Id, string Slug, string OwnerId, string OwnerEmail, string Token);

/// <summary>
/// Fills a migrated database with a year of realistic traffic: contacts, one web chat each, messages in
/// several scripts with statuses, automatic replies and assignments, and counters that match. Rows go in
/// through prepared ADO.NET commands in large transactions, not one SaveChanges per row.
/// </summary>
public static class Seeder
{
    private const int Transaction = 50_000;

    private static readonly string[] CustomerTexts =
    [
        "Hi, is the shop open today?", "Do you offer delivery to my street?", "How much is the delivery fee?",
        "请问今天营业吗？", "你们几点营业？", "可以送货吗？谢谢", "Haben Sie heute geöffnet?", "Ist die Lieferung kostenlos?",
        "Can I pick up my order at 5?", "Thanks, see you soon!", "Is the blue one still in stock?", "周末营业时间是几点？",
    ];

    private static readonly string[] StaffTexts =
    [
        "Yes, we are open until 18:00.", "Delivery is free above 30 €.", "您好，我们今天营业到晚上八点。", "Your order is ready for pickup.",
        "Ja, wir liefern bis 20 Uhr.", "We have it in stock, shall I keep one for you?", "谢谢您的光临！",
    ];

    private const string AwayText = "We are closed right now and will answer when we open.";

    public static async Task SeedAsync(string databasePath, IReadOnlyList<SeededBusiness> businesses, DatasetSize size, DateTimeOffset now)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-200000;");

        var random = new Random(20261125);
        var yearAgo = now.AddDays(-365);
        var perBusiness = size.Chats / businesses.Count;
        var messagesPerChat = Math.Max(1, size.Messages / size.Chats);
        var progress = new Progress("rows", size.Chats * 3L + size.Messages);

        var tx = connection.BeginTransaction();
        var inTx = 0;
        var contact = Command(connection, tx, "INSERT INTO Contacts (BusinessId, Name, Phone, IsBlocked, CreatedAt, FirstMessageAt, LastMessageAt) VALUES ($b, $name, $phone, 0, $created, $first, $last) RETURNING Id", "$b", "$name", "$phone", "$created", "$first", "$last");
        var identity = Command(connection, tx, "INSERT INTO ContactIdentities (BusinessId, ContactId, Channel, ExternalId) VALUES ($b, $c, 0, $ext)", "$b", "$c", "$ext");
        var chat = Command(connection, tx,
            "INSERT INTO Chats (BusinessId, ContactId, Channel, Status, AssigneeId, UnreadCount, CreatedAt, LastMessageAt, LastMessagePreview, LastCustomerMessageAt, EpisodeStartedAt) " +
            "VALUES ($b, $c, 0, $status, $assignee, $unread, $created, $last, $preview, $lastCustomer, $episode) RETURNING Id",
            "$b", "$c", "$status", "$assignee", "$unread", "$created", "$last", "$preview", "$lastCustomer", "$episode");
        var message = Command(connection, tx,
            "INSERT INTO Messages (BusinessId, ChatId, Channel, Direction, Author, Kind, AuthorUserId, Body, Status, ExternalId, CreatedAt) " +
            "VALUES ($b, $chat, 0, $dir, $author, 0, $user, $body, $status, $ext, $at)",
            "$b", "$chat", "$dir", "$author", "$user", "$body", "$status", "$ext", "$at");
        var lastId = Command(connection, tx, "UPDATE Chats SET LastMessageId = (SELECT max(Id) FROM Messages WHERE ChatId = $chat) WHERE Id = $chat", "$chat");

        async Task Step(long rows)
        {
            inTx++;
            progress.Add(rows);
            if (inTx >= Transaction)
            {
                await tx.CommitAsync();
                tx.Dispose();
                tx = connection.BeginTransaction();
                foreach (var c in new[] { contact, identity, chat, message, lastId })
                {
                    c.Transaction = tx;
                }
                inTx = 0;
            }
        }

        foreach (var business in businesses)
        {
            for (var i = 0; i < perBusiness; i++)
            {
                var count = Math.Max(1, messagesPerChat + random.Next(-messagesPerChat / 2, messagesPerChat / 2 + 1));
                var start = yearAgo.AddSeconds(random.NextDouble() * 360 * 86400);
                var times = Enumerable.Range(0, count).Select(k => start.AddMinutes(k * (2 + random.Next(0, 600)))).Where(t => t < now).ToList();
                if (times.Count == 0)
                {
                    times.Add(start);
                }
                var last = times[^1];
                var unread = random.Next(10) == 0 ? 1 + random.Next(3) : 0;
                var status = random.Next(10) switch { < 6 => 2, < 8 => 1, _ => 0 };
                var assignee = random.Next(2) == 0 ? business.OwnerId : null;

                contact.Set("$b", business.Id).Set("$name", Names.Pick(random)).Set("$phone", $"+4915{random.Next(10_000_000, 99_999_999)}")
                    .Set("$created", times[0].UtcTicks).Set("$first", times[0].UtcTicks).Set("$last", last.UtcTicks);
                var contactId = (long)(await contact.ExecuteScalarAsync())!;
                await Step(1);
                identity.Set("$b", business.Id).Set("$c", contactId).Set("$ext", $"bench-{business.Id}-{i}");
                await identity.ExecuteNonQueryAsync();
                await Step(1);

                var lastText = CustomerTexts[random.Next(CustomerTexts.Length)];
                chat.Set("$b", business.Id).Set("$c", contactId).Set("$status", unread > 0 ? 0 : status).Set("$assignee", (object?)assignee ?? DBNull.Value)
                    .Set("$unread", unread).Set("$created", times[0].UtcTicks).Set("$last", last.UtcTicks).Set("$preview", lastText)
                    .Set("$lastCustomer", last.UtcTicks).Set("$episode", unread > 0 || status != 2 ? times[0].UtcTicks : DBNull.Value);
                var chatId = (long)(await chat.ExecuteScalarAsync())!;
                await Step(1);

                for (var k = 0; k < times.Count; k++)
                {
                    var fromCustomer = k % 2 == 0 || k == times.Count - 1;
                    var automatic = !fromCustomer && random.Next(10) == 0;
                    var remainingUnread = times.Count - k <= unread;
                    message.Set("$b", business.Id).Set("$chat", chatId)
                        .Set("$dir", fromCustomer ? 0 : 1)
                        .Set("$author", fromCustomer ? 0 : automatic ? 2 : 1)
                        .Set("$user", fromCustomer || automatic ? DBNull.Value : business.OwnerId)
                        .Set("$body", k == times.Count - 1 ? lastText : fromCustomer ? CustomerTexts[random.Next(CustomerTexts.Length)] : automatic ? AwayText : StaffTexts[random.Next(StaffTexts.Length)])
                        .Set("$status", fromCustomer ? (remainingUnread ? 1 : 3) : random.Next(50) == 0 ? 9 : 1 + random.Next(3))
                        .Set("$ext", fromCustomer ? $"wc:bench-{business.Id}-{i}:{k}" : DBNull.Value)
                        .Set("$at", times[k].UtcTicks);
                    await message.ExecuteNonQueryAsync();
                    await Step(1);
                }
                lastId.Set("$chat", chatId);
                await lastId.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
        tx.Dispose();
        progress.Done();

        // The tab counts are maintained by the app as chats change; a seeded dataset starts them from a recount.
        var ids = string.Join(",", businesses.Select(b => b.Id));
        await Exec(connection, $"""
            DELETE FROM InboxCounters WHERE BusinessId IN ({ids});
            INSERT INTO InboxCounters (BusinessId, Key, Count) SELECT BusinessId, 'all', count(*) FROM Chats WHERE BusinessId IN ({ids}) GROUP BY BusinessId;
            INSERT INTO InboxCounters (BusinessId, Key, Count) SELECT BusinessId, 'status:' || CASE Status WHEN 0 THEN 'open' WHEN 1 THEN 'pending' ELSE 'resolved' END, count(*) FROM Chats WHERE BusinessId IN ({ids}) GROUP BY BusinessId, Status;
            INSERT INTO InboxCounters (BusinessId, Key, Count) SELECT BusinessId, 'unread', count(*) FROM Chats WHERE BusinessId IN ({ids}) AND UnreadCount > 0 GROUP BY BusinessId;
            INSERT INTO InboxCounters (BusinessId, Key, Count) SELECT BusinessId, 'unassigned', count(*) FROM Chats WHERE BusinessId IN ({ids}) AND AssigneeId IS NULL AND Status <> 2 GROUP BY BusinessId;
            INSERT INTO InboxCounters (BusinessId, Key, Count) SELECT BusinessId, 'mine:' || AssigneeId, count(*) FROM Chats WHERE BusinessId IN ({ids}) AND AssigneeId IS NOT NULL AND Status <> 2 GROUP BY BusinessId, AssigneeId;
            PRAGMA optimize;
            """);
        await Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        Console.Error.WriteLine($"seeded {size.Chats:N0} chats and about {size.Messages:N0} messages in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
        command.Prepare();
        return command;
    }

    private static SqliteCommand Set(this SqliteCommand command, string name, object value)
    {
        command.Parameters[name].Value = value;
        return command;
    }

    private static async Task Exec(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static class Names
    {
        private static readonly string[] First = ["Lena", "Tom", "Mia", "Jonas", "Wei", "Li Na", "Sofia", "Ahmed", "Emma", "Zhang Wei", "Luca", "Anna"];
        private static readonly string[] Last = ["Koch", "Schmidt", "Müller", "Wang", "Chen", "Rossi", "Garcia", "Nguyen", "Smith", "Weber"];

        public static string Pick(Random random) => $"{First[random.Next(First.Length)]} {Last[random.Next(Last.Length)]}";
    }
}

/// <summary>A one-line progress bar on standard error.</summary>
internal sealed class Progress(string what, long total)
{
    private long _done;
    private int _shown = -1;

    public void Add(long rows)
    {
        _done += rows;
        var percent = (int)(_done * 100 / Math.Max(1, total));
        // On a terminal the bar redraws in place; in a log (CI) a line every 10 % is enough.
        var step = Console.IsErrorRedirected ? 10 : 1;
        if (percent / step != _shown / step)
        {
            _shown = percent;
            var bar = new string('#', percent / 4).PadRight(25);
            Console.Error.Write($"{(Console.IsErrorRedirected ? "" : "\r")}[{bar}] {percent,3}% {what} {_done:N0}/{total:N0}{(Console.IsErrorRedirected ? "\n" : "")}");
        }
    }

    public void Done() => Console.Error.WriteLine($" — {_done:N0} {what} written");
}
