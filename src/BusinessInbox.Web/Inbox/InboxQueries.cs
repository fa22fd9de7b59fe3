using System.Globalization;
using System.Linq.Expressions;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

public enum InboxView
{
    All,
    Unread,
    Mine,
    Unassigned,
}

/// <param name="Labels">Chats with any of these labels; none or empty for every chat.</param>
public sealed record InboxFilter(InboxView View = InboxView.All, ChatStatus? Status = null, string? Search = null, string? Cursor = null, int Limit = 30,
    IReadOnlyList<int>? Labels = null);

/// <summary>Read side of the inbox, shared by the staff hub and the JSON API. Every query is scoped to one business.</summary>
public static class InboxQueries
{
    public const int ThreadPageSize = 50;

    internal static readonly Expression<Func<Chat, ChatSummary>> ToSummary = c => new ChatSummary(
        c.Id,
        c.ContactId,
        c.Contact.Name ?? c.Contact.Phone ?? "Visitor " + c.ContactId,
        c.Contact.Phone,
        c.Channel,
        c.Status,
        c.AssigneeId,
        c.Assignee != null ? c.Assignee.DisplayName : null,
        c.UnreadCount,
        c.LastMessageAt,
        c.LastMessagePreview,
        c.Labels.OrderBy(l => l.Label.Name).Select(l => new Labels.LabelView(l.LabelId, l.Label.Name, l.Label.Color)).ToList(),
        c.Contact.IsBlocked,
        c.LastCustomerMessageAt);

    private static readonly Expression<Func<Message, MessageView>> ToMessageView = m => new MessageView(
        m.Id,
        m.ChatId,
        m.Direction,
        m.Author,
        m.Kind,
        m.AuthorUser != null ? m.AuthorUser.DisplayName : m.SentFromPhone,
        m.Body,
        m.Status,
        m.FailureReason,
        m.CreatedAt,
        m.Attachment == null ? null : new Attachments.AttachmentView(m.Attachment.Id, m.Attachment.Kind, m.Attachment.ContentType,
            m.Attachment.FileName, m.Attachment.Size, m.Attachment.Width, m.Attachment.Height, m.Attachment.ThumbnailKey != null),
        m.Reaction);

    public static async Task<ChatPage> ListChatsAsync(InboxDb db, MessageSearchIndex search, int businessId, string userId, InboxFilter filter, CancellationToken ct)
    {
        var limit = Math.Clamp(filter.Limit, 1, 100);
        var chats = db.Chats.AsNoTracking().Where(c => c.BusinessId == businessId);
        chats = filter.View switch
        {
            InboxView.Unread => chats.Where(c => c.UnreadCount > 0),
            InboxView.Mine => chats.Where(c => c.AssigneeId == userId && c.Status != ChatStatus.Resolved),
            InboxView.Unassigned => chats.Where(c => c.AssigneeId == null && c.Status != ChatStatus.Resolved),
            _ => chats,
        };
        if (filter.Status is { } status)
        {
            chats = chats.Where(c => c.Status == status);
        }
        if (filter.Labels is { Count: > 0 } labelIds)
        {
            // EXISTS on the (ChatId, LabelId) key: the keyset order over the chat's own columns is untouched.
            var ids = labelIds.Distinct().Take(100).ToList();
            chats = chats.Where(c => db.ChatLabels.Any(cl => cl.ChatId == c.Id && ids.Contains(cl.LabelId)));
        }
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            chats = await MessageSearch.FilterAsync(db, search, businessId, chats, filter.Search.Trim(), ct);
        }
        if (ParseCursor(filter.Cursor) is { } cursor)
        {
            chats = chats.Where(c => c.LastMessageAt < cursor.At || (c.LastMessageAt == cursor.At && c.Id < cursor.Id));
        }
        var rows = await chats
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id)
            .Take(limit + 1)
            .Select(ToSummary)
            .ToListAsync(ct);
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            var last = rows[^1];
            next = string.Create(CultureInfo.InvariantCulture, $"{last.LastMessageAt.UtcTicks}_{last.Id}");
        }
        return new ChatPage(rows, next);
    }

    public static Task<ChatSummary?> FindChatAsync(InboxDb db, int businessId, int chatId, CancellationToken ct) =>
        db.Chats.AsNoTracking().Where(c => c.BusinessId == businessId && c.Id == chatId).Select(ToSummary).SingleOrDefaultAsync(ct);

    /// <summary>The latest messages of a thread (or those before <paramref name="beforeId"/>), oldest first, with the events between them.</summary>
    public static async Task<ThreadView?> ThreadAsync(InboxDb db, int businessId, int chatId, long? beforeId, CancellationToken ct)
    {
        var chat = await FindChatAsync(db, businessId, chatId, ct);
        if (chat is null)
        {
            return null;
        }
        var query = db.Messages.AsNoTracking().Where(m => m.ChatId == chatId && m.BusinessId == businessId);
        if (beforeId is { } before)
        {
            query = query.Where(m => m.Id < before);
        }
        var messages = await query.OrderByDescending(m => m.Id).Take(ThreadPageSize + 1).Select(ToMessageView).ToListAsync(ct);
        var hasOlder = messages.Count > ThreadPageSize;
        if (hasOlder)
        {
            messages.RemoveAt(ThreadPageSize);
        }
        messages.Reverse();

        var from = hasOlder && messages.Count > 0 ? messages[0].CreatedAt : DateTimeOffset.MinValue;
        var to = beforeId is null || messages.Count == 0 ? DateTimeOffset.MaxValue : messages[^1].CreatedAt;
        var events = await db.ChatEvents.AsNoTracking()
            .Where(e => e.ChatId == chatId && e.BusinessId == businessId && e.At >= from && e.At <= to)
            .OrderBy(e => e.Id)
            .Select(e => new ChatEventView(e.Id, e.ChatId, e.Kind,
                db.Users.Where(u => u.Id == e.ActorUserId).Select(u => u.DisplayName).FirstOrDefault(), e.From, e.To, e.At))
            .ToListAsync(ct);
        return new ThreadView(chat, messages, events, hasOlder);
    }

    /// <summary>Messages of a business after <paramref name="afterId"/>: what a reconnecting browser missed.</summary>
    public static Task<List<MessageView>> MessagesSinceAsync(InboxDb db, int businessId, int chatId, long afterId, CancellationToken ct) =>
        db.Messages.AsNoTracking()
            .Where(m => m.BusinessId == businessId && m.ChatId == chatId && m.Id > afterId)
            .OrderBy(m => m.Id).Take(500).Select(ToMessageView).ToListAsync(ct);

    public static Task<Dictionary<long, MessageView>> MessagesAsync(InboxDb db, IReadOnlyCollection<long> messageIds, CancellationToken ct) =>
        db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).Select(ToMessageView).ToDictionaryAsync(m => m.Id, ct);

    public static Task<MessageView?> MessageAsync(InboxDb db, long messageId, CancellationToken ct) =>
        db.Messages.AsNoTracking().Where(m => m.Id == messageId).Select(ToMessageView).SingleOrDefaultAsync(ct);

    private static (DateTimeOffset At, int Id)? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        var parts = cursor.Split('_');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks)
        {
            return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }
        throw new InvalidCursorException();
    }
}

public sealed class InvalidCursorException() : Exception("The page cursor is not valid; start again from the first page.");
