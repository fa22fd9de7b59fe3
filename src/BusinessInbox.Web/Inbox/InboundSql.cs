using System.Globalization;
using System.Text.RegularExpressions;
using BusinessInbox.Attachments;
using BusinessInbox.AutoReplies;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Hours;
using BusinessInbox.Stats;
using Microsoft.Data.Sqlite;

namespace BusinessInbox.Inbox;

/// <summary>
/// The statements of the inbound group write (<see cref="InboundWriter"/>), in plain ADO.NET on the writer's own
/// connection. Each statement is prepared on its first use and kept, so SQLite parses it once rather than for every
/// message; the rows are read and written as they are stored, with no change tracking. Values are stored as
/// <see cref="InboxDb"/> maps them: times as UTC ticks, enums as numbers, dates as yyyy-MM-dd.
/// See docs/decisions/0022-inbound-writes-in-prepared-statements.md.
/// </summary>
internal sealed partial class InboundSql : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;
    private readonly Dictionary<int, (StoredFacts Stored, BusinessFacts Facts)> _facts = [];

    private InboundSql(SqliteConnection connection) => _connection = connection;

    public static InboundSql Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = SqlitePragmas.Statements;
            pragmas.ExecuteNonQuery();
            return new InboundSql(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Starts the group's transaction; the statements run in it until it is committed or disposed.</summary>
    public SqliteTransaction Begin() => _transaction = _connection.BeginTransaction();

    /// <summary>The message already stored under this channel's message id, if any.</summary>
    public InboundResult? Stored(ChannelKind channel, string externalId)
    {
        using var row = Read("SELECT Id, ChatId FROM Messages WHERE Channel = $channel AND ExternalId = $externalId", channel, externalId);
        return row.Read() ? new InboundResult(row.GetInt64(0), row.GetInt32(1), Duplicate: true) : null;
    }

    public Contact? ContactByIdentity(int businessId, ChannelKind channel, string externalId)
    {
        using var row = Read(
            $"""
            SELECT {ContactColumns} FROM ContactIdentities i JOIN Contacts c ON c.Id = i.ContactId
            WHERE i.BusinessId = $business AND i.Channel = $channel AND i.ExternalId = $externalId
            """, businessId, channel, externalId);
        return row.Read() ? ContactOf(row, businessId) : null;
    }

    public Contact? ContactByPhone(int businessId, string phone)
    {
        using var row = Read($"SELECT {ContactColumns} FROM Contacts c WHERE c.BusinessId = $business AND c.Phone = $phone ORDER BY c.Id LIMIT 1", businessId, phone);
        return row.Read() ? ContactOf(row, businessId) : null;
    }

    private const string ContactColumns = "c.Id, c.Name, c.Phone, c.IsBlocked, c.CreatedAt, c.FirstMessageAt, c.LastMessageAt";

    private static Contact ContactOf(SqliteDataReader row, int businessId) => new()
    {
        Id = row.GetInt32(0),
        BusinessId = businessId,
        Name = NullableString(row, 1),
        Phone = NullableString(row, 2),
        IsBlocked = row.GetBoolean(3),
        CreatedAt = Time(row, 4),
        FirstMessageAt = NullableTime(row, 5),
        LastMessageAt = NullableTime(row, 6),
    };

    public Chat? Chat(Contact contact, ChannelKind channel)
    {
        using var row = Read(
            """
            SELECT Id, Status, AssigneeId, UnreadCount, CreatedAt, LastMessageAt, LastMessageId, LastMessagePreview,
                LastCustomerMessageAt, EpisodeStartedAt, LastStaffReplyAt, LastAwaySentAt, LastAwayPeriod
            FROM Chats WHERE ContactId = $contact AND Channel = $channel
            """, contact.Id, channel);
        return row.Read()
            ? new Chat
            {
                Id = row.GetInt32(0),
                BusinessId = contact.BusinessId,
                ContactId = contact.Id,
                Contact = contact,
                Channel = channel,
                Status = (ChatStatus)row.GetInt32(1),
                AssigneeId = NullableString(row, 2),
                UnreadCount = row.GetInt32(3),
                CreatedAt = Time(row, 4),
                LastMessageAt = Time(row, 5),
                LastMessageId = row.IsDBNull(6) ? null : row.GetInt64(6),
                LastMessagePreview = row.GetString(7),
                LastCustomerMessageAt = NullableTime(row, 8),
                EpisodeStartedAt = NullableTime(row, 9),
                LastStaffReplyAt = NullableTime(row, 10),
                LastAwaySentAt = NullableTime(row, 11),
                LastAwayPeriod = NullableString(row, 12),
            }
            : null;
    }

    /// <summary>What the group needs of a business: its name, opening hours and clock, and its automatic replies.</summary>
    public BusinessFacts Business(int businessId)
    {
        using var row = Read("SELECT Name, AutoReplies, Hours, TimeZone FROM Businesses WHERE Id = $business", businessId);
        if (!row.Read())
        {
            throw new InvalidOperationException($"Business {businessId} does not exist.");
        }
        var stored = new StoredFacts(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3));
        // Read every group, parsed only when the owner changed them: the settings' JSON and the time zone cost more than the row.
        if (_facts.TryGetValue(businessId, out var known) && known.Stored == stored)
        {
            return known.Facts;
        }
        var hours = JsonConverter<HoursSchedule>.Read(stored.Hours).In(stored.TimeZone);
        var facts = new BusinessFacts(stored.Name, hours, new BusinessClock(hours), JsonConverter<AutoReplySettings>.Read(stored.AutoReplies));
        _facts[businessId] = (stored, facts);
        return facts;
    }

    private sealed record StoredFacts(string Name, string AutoReplies, string Hours, string TimeZone);

    /// <summary>The labels on a chat, for automatic replies that go to some labels only.</summary>
    public IReadOnlyCollection<int> LabelIds(int chatId)
    {
        var labels = new List<int>();
        using var row = Read("SELECT LabelId FROM ChatLabels WHERE ChatId = $chat", chatId);
        while (row.Read())
        {
            labels.Add(row.GetInt32(0));
        }
        return labels;
    }

    /// <summary>
    /// The chat as the inbox lists it (see <see cref="InboxQueries.ToSummary"/>), from its state in memory and its labels and
    /// assignee as stored.
    /// </summary>
    public ChatSummary Summary(Chat chat)
    {
        var labels = new List<Labels.LabelView>();
        using (var row = Read("SELECT l.Id, l.Name, l.Color FROM ChatLabels cl JOIN Labels l ON l.Id = cl.LabelId WHERE cl.ChatId = $chat ORDER BY l.Name", chat.Id))
        {
            while (row.Read())
            {
                labels.Add(new Labels.LabelView(row.GetInt32(0), row.GetString(1), row.GetInt32(2)));
            }
        }
        string? assigneeName = null;
        if (chat.AssigneeId is { } assignee)
        {
            using var row = Read("SELECT DisplayName FROM AspNetUsers WHERE Id = $user", assignee);
            assigneeName = row.Read() ? row.GetString(0) : null;
        }
        var contact = chat.Contact;
        return new ChatSummary(chat.Id, contact.Id, contact.Name ?? contact.Phone ?? "Visitor " + contact.Id, contact.Phone, chat.Channel,
            chat.Status, chat.AssigneeId, assigneeName, chat.UnreadCount, chat.LastMessageAt, chat.LastMessagePreview, labels,
            contact.IsBlocked, chat.LastCustomerMessageAt);
    }

    /// <summary>One of our messages as the customer's chat page shows it (<see cref="CustomerViews"/>).</summary>
    public CustomerMessageView? CustomerView(long messageId)
    {
        using var row = Read(
            """
            SELECT m.Author, m.Body, m.Status, m.CreatedAt, a.Id, a.Kind, a.ContentType, a.FileName, a.Size, a.Width, a.Height, a.ThumbnailKey
            FROM Messages m LEFT JOIN Attachments a ON a.MessageId = m.Id WHERE m.Id = $id
            """, messageId);
        if (!row.Read())
        {
            return null;
        }
        var file = row.IsDBNull(4) ? null : new AttachmentView(row.GetInt64(4), (AttachmentKind)row.GetInt32(5), row.GetString(6), row.GetString(7),
            row.GetInt64(8), row.IsDBNull(9) ? null : row.GetInt32(9), row.IsDBNull(10) ? null : row.GetInt32(10), !row.IsDBNull(11));
        return new CustomerMessageView(messageId, Mine: false, (MessageAuthor)row.GetInt32(0) == MessageAuthor.Automatic, row.GetString(1),
            (MessageStatus)row.GetInt32(2), Time(row, 3), file);
    }

    /// <summary>All of a business's inbox counts, every member's "mine" included.</summary>
    public Dictionary<string, int> Counters(int businessId)
    {
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        using var row = Read("SELECT Key, Count FROM InboxCounters WHERE BusinessId = $business", businessId);
        while (row.Read())
        {
            counters[row.GetString(0)] = row.GetInt32(1);
        }
        return counters;
    }

    public void Insert(Contact contact) => contact.Id = checked((int)Identity(
        """
        INSERT INTO Contacts (BusinessId, Name, Phone, IsBlocked, CreatedAt) VALUES ($business, $name, $phone, 0, $createdAt)
        RETURNING Id
        """, contact.BusinessId, contact.Name, contact.Phone, contact.CreatedAt));

    public void Insert(ContactIdentity identity) => identity.Id = checked((int)Identity(
        """
        INSERT INTO ContactIdentities (BusinessId, ContactId, Channel, ExternalId) VALUES ($business, $contact, $channel, $externalId)
        RETURNING Id
        """, identity.BusinessId, identity.Contact.Id, identity.Channel, identity.ExternalId));

    /// <summary>A new chat, open and empty; what its messages change is written by <see cref="Update(Data.Chat)"/>.</summary>
    public void Insert(Chat chat) => chat.Id = checked((int)Identity(
        """
        INSERT INTO Chats (BusinessId, ContactId, Channel, Status, UnreadCount, CreatedAt, LastMessageAt, LastMessagePreview)
        VALUES ($business, $contact, $channel, $status, 0, $createdAt, $createdAt, '')
        RETURNING Id
        """, chat.BusinessId, chat.Contact.Id, chat.Channel, chat.Status, chat.CreatedAt));

    public void Insert(ChatEvent chatEvent) => chatEvent.Id = Identity(
        """
        INSERT INTO ChatEvents (BusinessId, ChatId, Kind, ActorUserId, "From", "To", At) VALUES ($business, $chat, $kind, $actor, $from, $to, $at)
        RETURNING Id
        """, chatEvent.BusinessId, chatEvent.ChatId, chatEvent.Kind, chatEvent.ActorUserId, chatEvent.From, chatEvent.To, chatEvent.At);

    /// <summary>A customer's message; the search index takes it in afterwards (<see cref="MessageSearchIndex"/>).</summary>
    public void Insert(Message message)
    {
        message.ChatId = message.Chat.Id;
        message.Id = Identity(
            """
            INSERT INTO Messages (BusinessId, ChatId, Channel, Direction, Author, Kind, Body, Status, ExternalId, CustomerTimestamp, CreatedAt, FromBlockedContact)
            VALUES ($business, $chat, $channel, $direction, $author, $kind, $body, $status, $externalId, $customerTimestamp, $createdAt, $blocked)
            RETURNING Id
            """, message.BusinessId, message.ChatId, message.Channel, message.Direction, message.Author, message.Kind, message.Body, message.Status,
            message.ExternalId, message.CustomerTimestamp, message.CreatedAt, message.FromBlockedContact);
        if (message.Attachment is { } file)
        {
            (file.BusinessId, file.MessageId, file.Message) = (message.BusinessId, message.Id, message);
            file.Id = Identity(
                """
                INSERT INTO Attachments (BusinessId, MessageId, Kind, ContentType, FileName, Size, Width, Height, StorageKey, ThumbnailKey, CreatedAt)
                VALUES ($business, $message, $kind, $contentType, $fileName, $size, $width, $height, $storageKey, $thumbnailKey, $createdAt)
                RETURNING Id
                """, file.BusinessId, file.MessageId, file.Kind, file.ContentType, file.FileName, file.Size, file.Width, file.Height,
                file.StorageKey, file.ThumbnailKey, file.CreatedAt);
        }
    }

    public void Insert(WhatsAppMediaFetch fetch) => fetch.Id = Identity(
        """
        INSERT INTO WhatsAppMediaFetches (BusinessId, MessageId, MediaType, MediaId, MimeType, Sha256, FileName, Voice, Attempts, NextAttemptAt, State, CreatedAt)
        VALUES ($business, $message, $mediaType, $mediaId, $mimeType, $sha256, $fileName, $voice, $attempts, $nextAttemptAt, $state, $createdAt)
        RETURNING Id
        """, fetch.BusinessId, fetch.Message.Id, fetch.MediaType, fetch.MediaId, fetch.MimeType, fetch.Sha256, fetch.FileName, fetch.Voice,
        fetch.Attempts, fetch.NextAttemptAt, fetch.State, fetch.CreatedAt);

    public void Insert(OutboxItem item) => item.Id = Identity(
        "INSERT INTO Outbox (BusinessId, MessageId, Attempts, NextAttemptAt, CreatedAt) VALUES ($business, $message, 0, $nextAttemptAt, $createdAt) RETURNING Id",
        item.BusinessId, item.Message.Id, item.NextAttemptAt, item.CreatedAt);

    /// <summary>Our WhatsApp message with this wamid, as far as a status webhook changes it (its body is not read).</summary>
    public Message? OurMessage(int businessId, string externalId)
    {
        using var row = Read(
            $"SELECT {OurMessageColumns} FROM Messages WHERE Channel = $channel AND ExternalId = $externalId AND BusinessId = $business",
            ChannelKind.WhatsApp, externalId, businessId);
        return row.Read() ? OurMessageOf(row, businessId) : null;
    }

    /// <summary>Our WhatsApp message by its id, if it is still waiting for the wamid its send returns.</summary>
    public Message? OurUnsentMessage(int businessId, long id)
    {
        using var row = Read(
            $"""
            SELECT {OurMessageColumns} FROM Messages
            WHERE Id = $id AND BusinessId = $business AND Channel = $channel AND Direction = $outbound AND ExternalId IS NULL
            """, id, businessId, ChannelKind.WhatsApp, MessageDirection.Outbound);
        return row.Read() ? OurMessageOf(row, businessId) : null;
    }

    /// <summary>One of our messages on any channel, by its id, as far as its send and its statuses change it; null once erased.</summary>
    public Message? OutboundMessage(long id)
    {
        using var row = Read($"SELECT {OurMessageColumns}, BusinessId, Channel FROM Messages WHERE Id = $id AND Direction = $outbound", id, MessageDirection.Outbound);
        if (!row.Read())
        {
            return null;
        }
        var message = OurMessageOf(row, row.GetInt32(8));
        message.Channel = (ChannelKind)row.GetInt32(9);
        return message;
    }

    private const string OurMessageColumns = "Id, ChatId, Status, FailureReason, ExternalId, CreatedAt, PricingCategory, Billable";

    private static Message OurMessageOf(SqliteDataReader row, int businessId) => new()
    {
        Id = row.GetInt64(0),
        BusinessId = businessId,
        ChatId = row.GetInt32(1),
        Channel = ChannelKind.WhatsApp,
        Direction = MessageDirection.Outbound,
        Body = string.Empty,
        Status = (MessageStatus)row.GetInt32(2),
        FailureReason = NullableString(row, 3),
        ExternalId = NullableString(row, 4),
        CreatedAt = Time(row, 5),
        PricingCategory = NullableString(row, 6),
        Billable = row.IsDBNull(7) ? null : row.GetBoolean(7),
    };

    /// <summary>Writes what status webhooks changed on our message, its wamid aside (<see cref="Identify"/>).</summary>
    public void UpdateStatus(Message message) => Execute(
        """
        UPDATE Messages SET Status = $status, FailureReason = $failureReason, StatusChangedAt = $statusChangedAt,
            PricingCategory = $pricingCategory, Billable = $billable
        WHERE Id = $id
        """, message.Status, message.FailureReason, message.StatusChangedAt, message.PricingCategory, message.Billable, message.Id);

    /// <summary>
    /// Writes the wamid a status brought for our message found by its callback data. Apart from the other columns, since
    /// SQLite rewrites an index's entries for every column an UPDATE sets, changed or not.
    /// </summary>
    public void Identify(Message message) => Execute("UPDATE Messages SET ExternalId = $externalId WHERE Id = $id", message.ExternalId, message.Id);

    /// <summary>A status for a message not known yet, kept until our send returns its wamid.</summary>
    public void Insert(PendingStatus pending) => pending.Id = Identity(
        """
        INSERT INTO PendingStatuses (BusinessId, ExternalId, Status, FailureReason, PricingCategory, Billable, ReceivedAt)
        VALUES ($business, $externalId, $status, $failureReason, $pricingCategory, $billable, $receivedAt)
        RETURNING Id
        """, pending.BusinessId, pending.ExternalId, pending.Status, pending.FailureReason, pending.PricingCategory, pending.Billable, pending.ReceivedAt);

    /// <summary>The statuses kept for a wamid because they came before our send returned it, oldest first.</summary>
    public List<StatusUpdate> KeptStatuses(int businessId, string externalId)
    {
        var kept = new List<StatusUpdate>();
        using var row = Read(
            "SELECT Status, FailureReason, PricingCategory, Billable FROM PendingStatuses WHERE ExternalId = $externalId AND BusinessId = $business ORDER BY Id",
            externalId, businessId);
        while (row.Read())
        {
            kept.Add(new StatusUpdate(externalId, (MessageStatus)row.GetInt32(0), CallbackData: null, NullableString(row, 1), NullableString(row, 2),
                row.IsDBNull(3) ? null : row.GetBoolean(3)));
        }
        return kept;
    }

    public void RemoveKeptStatuses(int businessId, string externalId) =>
        Execute("DELETE FROM PendingStatuses WHERE ExternalId = $externalId AND BusinessId = $business", externalId, businessId);

    public void RemovePendingStatusesBefore(DateTimeOffset before) => Execute("DELETE FROM PendingStatuses WHERE ReceivedAt < $before", before);

    public void RemoveFromOutbox(long messageId) => Execute("DELETE FROM Outbox WHERE MessageId = $message", messageId);

    public void Insert(EpisodeStat episode) => episode.Id = Identity(
        "INSERT INTO EpisodeStat (BusinessId, ChatId, StartedAt, Reopened) VALUES ($business, $chat, $startedAt, $reopened) RETURNING Id",
        episode.BusinessId, episode.ChatId, episode.StartedAt, episode.Reopened);

    /// <summary>Writes what a group of customer messages changes on a chat.</summary>
    public void Update(Chat chat) => Execute(
        """
        UPDATE Chats SET Status = $status, UnreadCount = $unread, LastMessageAt = $lastMessageAt, LastMessageId = $lastMessageId,
            LastMessagePreview = $preview, LastCustomerMessageAt = $lastCustomerMessageAt, EpisodeStartedAt = $episodeStartedAt,
            LastAwaySentAt = $lastAwaySentAt, LastAwayPeriod = $lastAwayPeriod
        WHERE Id = $id
        """, chat.Status, chat.UnreadCount, chat.LastMessageAt, chat.LastMessageId, chat.LastMessagePreview, chat.LastCustomerMessageAt,
        chat.EpisodeStartedAt, chat.LastAwaySentAt, chat.LastAwayPeriod, chat.Id);

    /// <summary>Writes what a group of customer messages changes on a contact, its name aside (<see cref="Rename"/>).</summary>
    public void Update(Contact contact) => Execute(
        "UPDATE Contacts SET FirstMessageAt = $firstMessageAt, LastMessageAt = $lastMessageAt WHERE Id = $id",
        contact.FirstMessageAt, contact.LastMessageAt, contact.Id);

    /// <summary>
    /// Writes the name a message gave a contact who had none. Apart from the other columns, since SQLite rewrites an
    /// index's entries for every column an UPDATE sets, changed or not.
    /// </summary>
    public void Rename(Contact contact) => Execute("UPDATE Contacts SET Name = $name WHERE Id = $id", contact.Name, contact.Id);

    public void AddToCounter(int businessId, string key, int delta) => Execute(InboxCounters.AddSql, businessId, key, delta);

    public void AddToHour(int businessId, DateOnly date, int hour, StatsCounts counts) => Execute(StatsRecorder.AddToHourSql,
        businessId, date, hour, counts.Received, counts.SentByStaff, counts.SentAutomatic, counts.Delivered, counts.Read, counts.Failed, counts.NewContacts);

    public void AddBilled(int businessId, DateOnly date, string category, int messages) => Execute(StatsRecorder.AddBilledSql,
        businessId, date, category, messages);

    public void Dispose()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }
        _connection.Dispose();
    }

    private SqliteDataReader Read(string sql, params object?[] values) => Prepared(sql, values).ExecuteReader();

    private void Execute(string sql, params object?[] values) => Prepared(sql, values).ExecuteNonQuery();

    private long Identity(string sql, params object?[] values) => (long)Prepared(sql, values).ExecuteScalar()!;

    /// <summary>
    /// The statement, prepared on first use, with <paramref name="values"/> bound to its $parameters in the order they first
    /// appear in it.
    /// </summary>
    private SqliteCommand Prepared(string sql, object?[] values)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in ParameterPattern().Matches(sql).Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            _prepared[sql] = command;
        }
        if (command.Parameters.Count != values.Length)
        {
            throw new ArgumentException($"The statement takes {command.Parameters.Count} values, not {values.Length}.", nameof(values));
        }
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = AsColumn(values[i]);
        }
        command.Transaction = _transaction;
        return command;
    }

    private static object AsColumn(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset time => time.UtcTicks,
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture),
        _ => value,
    };

    private static DateTimeOffset Time(SqliteDataReader row, int i) => new(row.GetInt64(i), TimeSpan.Zero);

    private static DateTimeOffset? NullableTime(SqliteDataReader row, int i) => row.IsDBNull(i) ? null : Time(row, i);

    private static string? NullableString(SqliteDataReader row, int i) => row.IsDBNull(i) ? null : row.GetString(i);

    [GeneratedRegex(@"\$\w+")]
    private static partial Regex ParameterPattern();
}

/// <summary>What an inbound group needs of a business.</summary>
internal sealed record BusinessFacts(string Name, OpeningHours Hours, BusinessClock Clock, AutoReplySettings AutoReplies);
