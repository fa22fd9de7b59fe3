using Microsoft.Data.Sqlite;

namespace BusinessInbox.Bench;

/// <summary>
/// Fills the statistics rollups for the seeded messages, as the app would have kept them while the messages arrived:
/// counts per local hour in the business's zone, replies per member and day, and one episode per chat (first
/// customer message, first staff reply, resolved at the last message when the chat is resolved).
/// </summary>
public static class StatsSeeder
{
    public static async Task FillAsync(string databasePath, IReadOnlyList<SeededBusiness> businesses)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        var ids = string.Join(",", businesses.Select(b => b.Id));
        var zones = new Dictionary<long, TimeZoneInfo>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT Id, TimeZone FROM Businesses WHERE Id IN ({ids})";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                zones[reader.GetInt64(0)] = TimeZoneInfo.FindSystemTimeZoneById(reader.GetString(1));
            }
        }

        var hours = new Dictionary<(long Business, string Date, int Hour), int[]>();
        var agents = new Dictionary<(long Business, string Date, string User), int>();
        var episodes = new Dictionary<long, (long Business, long Start, long? Response, string? Responder, long Last)>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT BusinessId, ChatId, Author, AuthorUserId, Status, CreatedAt FROM Messages WHERE BusinessId IN ({ids}) AND Kind = 0 ORDER BY ChatId, Id";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var (business, chat, author, status, at) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(4), reader.GetInt64(5));
                var user = reader.IsDBNull(3) ? null : reader.GetString(3);
                var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(at, TimeSpan.Zero), zones[business]).DateTime;
                var date = local.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                var key = (business, date, local.Hour);
                if (!hours.TryGetValue(key, out var c))
                {
                    hours[key] = c = new int[7];
                }
                // Received, sent by staff, sent automatically, delivered, read, failed, new contacts.
                c[author == 0 ? 0 : author == 1 ? 1 : 2]++;
                if (author != 0)
                {
                    c[3] += status is 2 or 3 ? 1 : 0;
                    c[4] += status == 3 ? 1 : 0;
                    c[5] += status == 9 ? 1 : 0;
                }
                if (author == 1 && user is not null)
                {
                    agents[(business, date, user)] = agents.GetValueOrDefault((business, date, user)) + 1;
                }
                if (!episodes.TryGetValue(chat, out var e))
                {
                    c[6] += author == 0 ? 1 : 0;
                    episodes[chat] = (business, at, null, null, at);
                    continue;
                }
                episodes[chat] = e with { Response = e.Response ?? (author == 1 ? at : null), Responder = e.Responder ?? (author == 1 ? user : null), Last = at };
            }
        }

        await using var tx = connection.BeginTransaction();
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO StatsHour (BusinessId, Date, Hour, Received, SentByStaff, SentAutomatic, Delivered, Read, Failed, NewContacts) VALUES ($b, $d, $h, $c0, $c1, $c2, $c3, $c4, $c5, $c6)";
            foreach (var name in new[] { "$b", "$d", "$h", "$c0", "$c1", "$c2", "$c3", "$c4", "$c5", "$c6" })
            {
                insert.Parameters.Add(new SqliteParameter(name, 0));
            }
            foreach (var ((business, date, hour), c) in hours)
            {
                insert.Parameters["$b"].Value = business;
                insert.Parameters["$d"].Value = date;
                insert.Parameters["$h"].Value = hour;
                for (var i = 0; i < 7; i++)
                {
                    insert.Parameters["$c" + i].Value = c[i];
                }
                await insert.ExecuteNonQueryAsync();
            }
        }
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO StatsAgentDay (BusinessId, Date, UserId, Replies) VALUES ($b, $d, $u, $n)";
            foreach (var name in new[] { "$b", "$d", "$u", "$n" })
            {
                insert.Parameters.Add(new SqliteParameter(name, 0));
            }
            foreach (var ((business, date, user), n) in agents)
            {
                (insert.Parameters["$b"].Value, insert.Parameters["$d"].Value, insert.Parameters["$u"].Value, insert.Parameters["$n"].Value) = (business, date, user, n);
                await insert.ExecuteNonQueryAsync();
            }
        }
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            // The times as StatsRecorder measures them when an episode is answered or resolved: whole seconds from the
            // start (ticks are 1e-7 s), and the same in opening hours, which for these shops (always open) is every second.
            insert.CommandText = "INSERT INTO EpisodeStat (BusinessId, ChatId, StartedAt, Reopened, FirstResponseAt, FirstResponderId, ResolvedAt, ResolvedById, " +
                "FirstResponseSeconds, FirstResponseOpenSeconds, ResolutionSeconds, ResolutionOpenSeconds) " +
                "SELECT $b, $chat, $start, 0, $response, $responder, CASE Status WHEN 2 THEN $last END, CASE Status WHEN 2 THEN $responder END, " +
                "($response - $start) / 10000000, ($response - $start) / 10000000, " +
                "CASE Status WHEN 2 THEN ($last - $start) / 10000000 END, CASE Status WHEN 2 THEN ($last - $start) / 10000000 END FROM Chats WHERE Id = $chat";
            foreach (var name in new[] { "$b", "$chat", "$start", "$response", "$responder", "$last" })
            {
                insert.Parameters.Add(new SqliteParameter(name, 0));
            }
            foreach (var (chat, e) in episodes)
            {
                (insert.Parameters["$b"].Value, insert.Parameters["$chat"].Value, insert.Parameters["$start"].Value) = (e.Business, chat, e.Start);
                insert.Parameters["$response"].Value = (object?)e.Response ?? DBNull.Value;
                insert.Parameters["$responder"].Value = (object?)e.Responder ?? DBNull.Value;
                insert.Parameters["$last"].Value = e.Last;
                await insert.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
        Console.Error.WriteLine($"statistics rollups: {hours.Count:N0} hours, {agents.Count:N0} member days, {episodes.Count:N0} episodes");
    }
}
