using System.Globalization;
using BusinessInbox.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Stats;

/// <summary>Counts to add to one local hour's <see cref="StatsHour"/> row (negative to take back).</summary>
public readonly record struct StatsCounts(
    int Received = 0, int SentByStaff = 0, int SentAutomatic = 0, int Delivered = 0, int Read = 0, int Failed = 0, int NewContacts = 0)
{
    public bool IsZero => this == default;

    public static StatsCounts operator +(StatsCounts a, StatsCounts b) => new(
        a.Received + b.Received, a.SentByStaff + b.SentByStaff, a.SentAutomatic + b.SentAutomatic,
        a.Delivered + b.Delivered, a.Read + b.Read, a.Failed + b.Failed, a.NewContacts + b.NewContacts);

    public static StatsCounts operator -(StatsCounts a, StatsCounts b) => new(
        a.Received - b.Received, a.SentByStaff - b.SentByStaff, a.SentAutomatic - b.SentAutomatic,
        a.Delivered - b.Delivered, a.Read - b.Read, a.Failed - b.Failed, a.NewContacts - b.NewContacts);

    /// <summary>What an outbound message in <paramref name="status"/> adds to the status counters.</summary>
    public static StatsCounts OfStatus(MessageStatus status) => new(
        Delivered: status is MessageStatus.Delivered or MessageStatus.Read ? 1 : 0,
        Read: status == MessageStatus.Read ? 1 : 0,
        Failed: status == MessageStatus.Failed ? 1 : 0);
}

/// <summary>
/// Keeps the statistics rollups current. Every method runs inside the caller's transaction, next to the write it
/// counts, so a figure is never ahead of or behind the messages. A status change counts as the difference between
/// the old and the new state: a status that arrives twice, or late, moves nothing a second time.
/// </summary>
public static class StatsRecorder
{
    public static async Task CountAsync(InboxDb db, int businessId, DateTimeOffset at, StatsCounts counts, CancellationToken ct)
    {
        if (counts.IsZero)
        {
            return;
        }
        var (date, hour) = LocalHour(await ZoneAsync(db, businessId, ct), at);
        await AddToHourAsync(db, businessId, date, hour, counts, ct);
    }

    private static Task<int> AddToHourAsync(InboxDb db, int businessId, DateOnly date, int hour, StatsCounts counts, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(AddToHourSql,
        [
            new SqliteParameter("$business", businessId), new SqliteParameter("$date", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new SqliteParameter("$hour", hour), new SqliteParameter("$received", counts.Received),
            new SqliteParameter("$sentByStaff", counts.SentByStaff), new SqliteParameter("$sentAutomatic", counts.SentAutomatic),
            new SqliteParameter("$delivered", counts.Delivered), new SqliteParameter("$read", counts.Read),
            new SqliteParameter("$failed", counts.Failed), new SqliteParameter("$newContacts", counts.NewContacts),
        ], ct);

    /// <summary>Adds counts to the row of one business's local hour ($date as yyyy-MM-dd), creating it if need be.</summary>
    public const string AddToHourSql =
        """
        INSERT INTO StatsHour (BusinessId, Date, Hour, Received, SentByStaff, SentAutomatic, Delivered, Read, Failed, NewContacts)
        VALUES ($business, $date, $hour, $received, $sentByStaff, $sentAutomatic, $delivered, $read, $failed, $newContacts)
        ON CONFLICT (BusinessId, Date, Hour) DO UPDATE SET
            Received = Received + excluded.Received, SentByStaff = SentByStaff + excluded.SentByStaff,
            SentAutomatic = SentAutomatic + excluded.SentAutomatic, Delivered = Delivered + excluded.Delivered,
            Read = Read + excluded.Read, Failed = Failed + excluded.Failed, NewContacts = NewContacts + excluded.NewContacts
        """;

    /// <summary>A message was written: received, a staff reply (also counted for its author) or an automatic reply. Notes do not count.</summary>
    public static async Task MessageWrittenAsync(InboxDb db, Message message, CancellationToken ct)
    {
        if (message.Kind != MessageKind.Text)
        {
            return;
        }
        var counts = message.Author switch
        {
            MessageAuthor.Customer => new StatsCounts(Received: 1),
            MessageAuthor.Staff => new StatsCounts(SentByStaff: 1),
            _ => new StatsCounts(SentAutomatic: 1),
        };
        await CountAsync(db, message.BusinessId, message.CreatedAt, counts, ct);
        if (message.Author == MessageAuthor.Staff && message.AuthorUserId is { } userId)
        {
            var date = LocalHour(await ZoneAsync(db, message.BusinessId, ct), message.CreatedAt).Date;
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO StatsAgentDay (BusinessId, Date, UserId, Replies) VALUES ({message.BusinessId}, {date}, {userId}, 1)
                ON CONFLICT (BusinessId, Date, UserId) DO UPDATE SET Replies = Replies + 1
                """, ct);
        }
    }

    /// <summary>Our outbound messages moved from their old statuses to <paramref name="to"/>; each counts on the hour it was written.</summary>
    public static async Task StatusMovedAsync(
        InboxDb db, int businessId, IEnumerable<(DateTimeOffset CreatedAt, MessageStatus From)> moved, MessageStatus to, CancellationToken ct)
    {
        foreach (var (createdAt, from) in moved)
        {
            await CountAsync(db, businessId, createdAt, StatsCounts.OfStatus(to) - StatsCounts.OfStatus(from), ct);
        }
    }

    /// <summary>Adds billed messages to one business's day ($date as yyyy-MM-dd) and pricing category, creating the row if need be.</summary>
    public const string AddBilledSql =
        """
        INSERT INTO StatsPricingDay (BusinessId, Date, Category, Messages) VALUES ($business, $date, $category, $messages)
        ON CONFLICT (BusinessId, Date, Category) DO UPDATE SET Messages = Messages + excluded.Messages
        """;

    /// <summary>WhatsApp's pricing category as the statistics keep it: its first 40 characters.</summary>
    public static string PricingCategory(string category) => category.Length > 40 ? category[..40] : category;

    /// <summary>A person replied: the first reply of the open episode is its first response. Automatic replies never call this.</summary>
    public static async Task StaffRepliedAsync(InboxDb db, int chatId, string? userId, DateTimeOffset at, CancellationToken ct)
    {
        var episode = await OpenEpisodeAsync(db, chatId, ct);
        if (episode is { FirstResponseAt: null })
        {
            episode.FirstResponseAt = at;
            episode.FirstResponderId = userId;
            EpisodeTimes.Measure(episode, await EpisodeTimes.ClockAsync(db, episode.BusinessId, ct));
        }
    }

    public static async Task ResolvedAsync(InboxDb db, int chatId, string? userId, DateTimeOffset at, CancellationToken ct)
    {
        if (await OpenEpisodeAsync(db, chatId, ct) is { } episode)
        {
            episode.ResolvedAt = at;
            episode.ResolvedById = userId;
            EpisodeTimes.Measure(episode, await EpisodeTimes.ClockAsync(db, episode.BusinessId, ct));
        }
    }

    public static (DateOnly Date, int Hour) LocalHour(TimeZoneInfo zone, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
        return (DateOnly.FromDateTime(local), local.Hour);
    }

    private static Task<EpisodeStat?> OpenEpisodeAsync(InboxDb db, int chatId, CancellationToken ct) =>
        db.Set<EpisodeStat>().Where(e => e.ChatId == chatId && e.ResolvedAt == null).OrderByDescending(e => e.Id).FirstOrDefaultAsync(ct);

    private static async Task<TimeZoneInfo> ZoneAsync(InboxDb db, int businessId, CancellationToken ct)
    {
        var id = await db.Businesses.Where(b => b.Id == businessId).Select(b => b.TimeZone).SingleAsync(ct);
        return TimeZoneInfo.FindSystemTimeZoneById(id);
    }
}
