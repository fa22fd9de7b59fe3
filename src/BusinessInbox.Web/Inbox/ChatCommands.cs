using BusinessInbox.Data;
using BusinessInbox.Workers;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>What staff do to a chat: reply, write a private note, mark read, assign, change status, retry a failed send.</summary>
public sealed class ChatCommands(
    InboxDb db, WriteGate gate, TimeProvider clock, InboxNotifier notifier, OutboxSignal outbox, Channels.WhatsApp.WhatsAppReadReceipts readReceipts)
{
    /// <summary>Stores a reply with its outbox row in one transaction; the dispatcher delivers it.</summary>
    public Task<MessageView> ReplyAsync(int businessId, int chatId, string? userId, string? text, bool privateNote, CancellationToken ct) =>
        WriteAsync(businessId, chatId, userId, text, privateNote, attachment: null, template: null, ct);

    /// <summary>A reply (or note) that may carry a file already in the attachment store; its text is then an optional caption.</summary>
    public Task<MessageView> ReplyWithAttachmentAsync(
        int businessId, int chatId, string? userId, string? text, bool privateNote, Attachments.Attachment? attachment, CancellationToken ct) =>
        WriteAsync(businessId, chatId, userId, text, privateNote, attachment, template: null, ct);

    /// <summary>A WhatsApp template (allowed outside the 24-hour window): the thread shows <paramref name="renderedText"/>.</summary>
    public Task<MessageView> SendTemplateAsync(int businessId, int chatId, string? userId, string renderedText, Channels.WhatsApp.WhatsAppTemplateSend template, CancellationToken ct) =>
        WriteAsync(businessId, chatId, userId, renderedText, privateNote: false, attachment: null, template, ct);

    private async Task<MessageView> WriteAsync(int businessId, int chatId, string? userId, string? text, bool privateNote,
        Attachments.Attachment? attachment, Channels.WhatsApp.WhatsAppTemplateSend? template, CancellationToken ct)
    {
        var (body, error) = attachment is not null && string.IsNullOrWhiteSpace(text) ? ("", null) : MessageText.Check(text);
        if (error is not null)
        {
            throw InboxException.Invalid(error);
        }
        long[] readIds = [];
        Message message;
        using (await gate.EnterAsync(ct))
        {
            var chat = await FindAsync(businessId, chatId, ct);
            var now = clock.GetUtcNow();
            if (template is not null && chat.Channel != ChannelKind.WhatsApp)
            {
                throw InboxException.Invalid("Templates can only be sent in WhatsApp chats.");
            }
            if (!privateNote && template is null && chat.Channel == ChannelKind.WhatsApp && !Channels.WhatsApp.WhatsAppWindow.IsOpen(chat.LastCustomerMessageAt, now))
            {
                // Refused here rather than failing after the fact, which is what staff would otherwise see.
                throw InboxException.Invalid(Channels.WhatsApp.WhatsAppWindow.ClosedMessage);
            }
            if (attachment is not null && !privateNote && chat.Channel == ChannelKind.WhatsApp
                && Channels.WhatsApp.WhatsAppMedia.Refusal(attachment.ContentType, attachment.Size, attachment.Width, attachment.Height, body) is { } refusal)
            {
                throw InboxException.Invalid(refusal);
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            message = new Message
            {
                BusinessId = businessId,
                ChatId = chat.Id,
                Channel = chat.Channel,
                Direction = MessageDirection.Outbound,
                Author = MessageAuthor.Staff,
                Kind = privateNote ? MessageKind.Note : MessageKind.Text,
                AuthorUserId = userId,
                Body = body!,
                Status = privateNote ? MessageStatus.Sent : MessageStatus.Queued,
                CreatedAt = now,
                Attachment = attachment,
            };
            db.Messages.Add(message);
            if (!privateNote)
            {
                db.Outbox.Add(new OutboxItem { BusinessId = businessId, Message = message, NextAttemptAt = now, CreatedAt = now });
                if (template is not null)
                {
                    template.BusinessId = businessId;
                    template.Message = message;
                    db.WhatsAppTemplateSends.Add(template);
                }
                var before = InboxCounters.ChatState.Of(chat);
                chat.LastMessageAt = now;
                chat.LastStaffReplyAt = now;
                chat.LastMessagePreview = MessageText.Preview(attachment is null ? body! : Attachments.AttachmentView.Preview(attachment.Kind, attachment.FileName, body!));
                // Answering a chat reads it, as in WhatsApp.
                chat.UnreadCount = 0;
                await InboxCounters.ApplyAsync(db, businessId, before, InboxCounters.ChatState.Of(chat), ct);
                readIds = await AdvanceInboundAsync(chat.Id, long.MaxValue, MessageStatus.Read, now, ct);
            }
            await db.SaveChangesAsync(ct);
            if (!privateNote)
            {
                chat.LastMessageId = message.Id;
                await Stats.StatsRecorder.MessageWrittenAsync(db, message, ct);
                await Stats.StatsRecorder.StaffRepliedAsync(db, chat.Id, userId, now, ct);
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        if (!privateNote)
        {
            outbox.Wake();
        }
        db.ChangeTracker.Clear();
        var view = (await InboxQueries.MessageAsync(db, message.Id, ct))!;
        var summary = (await InboxQueries.FindChatAsync(db, businessId, chatId, ct))!;
        await notifier.MessagesAddedAsync(businessId, [new AddedMessage(summary, view)]);
        if (readIds.Length > 0)
        {
            await notifier.CustomerStatusAsync(chatId, readIds, MessageStatus.Read);
            await notifier.StaffStatusAsync(businessId, chatId, readIds, MessageStatus.Read, null);
            await notifier.CountersAsync(db, businessId, ct);
            await readReceipts.SendAsync(businessId, readIds, ct);
        }
        return view;
    }

    /// <summary>Opening a chat reads it: the unread badge clears and the customer sees "read".</summary>
    public async Task MarkReadAsync(int businessId, int chatId, CancellationToken ct)
    {
        long[] ids;
        bool countersChanged;
        using (await gate.EnterAsync(ct))
        {
            var chat = await FindAsync(businessId, chatId, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var before = InboxCounters.ChatState.Of(chat);
            countersChanged = chat.UnreadCount > 0;
            chat.UnreadCount = 0;
            await InboxCounters.ApplyAsync(db, businessId, before, InboxCounters.ChatState.Of(chat), ct);
            ids = await AdvanceInboundAsync(chatId, long.MaxValue, MessageStatus.Read, clock.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await NotifyInboundStatusAsync(businessId, chatId, ids, MessageStatus.Read);
        await readReceipts.SendAsync(businessId, ids, ct);
        if (countersChanged)
        {
            var summary = (await InboxQueries.FindChatAsync(db, businessId, chatId, ct))!;
            await notifier.ChatChangedAsync(businessId, summary, null);
            await notifier.CountersAsync(db, businessId, ct);
        }
    }

    /// <summary>A staff browser received the customer's messages up to <paramref name="upToId"/>: the customer sees "delivered".</summary>
    public async Task MarkDeliveredAsync(int businessId, int chatId, long upToId, CancellationToken ct)
    {
        long[] ids;
        using (await gate.EnterAsync(ct))
        {
            await FindAsync(businessId, chatId, ct);
            ids = await AdvanceInboundAsync(chatId, upToId, MessageStatus.Delivered, clock.GetUtcNow(), ct);
        }
        await NotifyInboundStatusAsync(businessId, chatId, ids, MessageStatus.Delivered);
    }

    public async Task AssignAsync(int businessId, int chatId, string? actorId, string? assigneeId, CancellationToken ct)
    {
        ChatEvent change;
        using (await gate.EnterAsync(ct))
        {
            var chat = await FindAsync(businessId, chatId, ct);
            string? assigneeName = null;
            if (assigneeId is not null)
            {
                assigneeName = await db.Memberships.Where(m => m.BusinessId == businessId && m.UserId == assigneeId)
                    .Select(m => m.User.DisplayName).SingleOrDefaultAsync(ct)
                    ?? throw InboxException.Invalid("That person is not a member of this business.");
            }
            if (chat.AssigneeId == assigneeId)
            {
                return;
            }
            var previousName = chat.AssigneeId is null ? null
                : await db.Users.Where(u => u.Id == chat.AssigneeId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var before = InboxCounters.ChatState.Of(chat);
            chat.AssigneeId = assigneeId;
            change = new ChatEvent
            {
                BusinessId = businessId, ChatId = chatId, Kind = ChatEventKind.Assigned, ActorUserId = actorId,
                From = previousName, To = assigneeName, At = clock.GetUtcNow(),
            };
            db.ChatEvents.Add(change);
            await InboxCounters.ApplyAsync(db, businessId, before, InboxCounters.ChatState.Of(chat), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await NotifyChangeAsync(businessId, chatId, change.Id, ct);
    }

    public async Task SetStatusAsync(int businessId, int chatId, string? actorId, ChatStatus status, CancellationToken ct)
    {
        if (!Enum.IsDefined(status))
        {
            throw InboxException.Invalid("Choose open, pending or resolved.");
        }
        ChatEvent change;
        using (await gate.EnterAsync(ct))
        {
            var chat = await FindAsync(businessId, chatId, ct);
            if (chat.Status == status)
            {
                return;
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var before = InboxCounters.ChatState.Of(chat);
            change = new ChatEvent
            {
                BusinessId = businessId, ChatId = chatId, Kind = ChatEventKind.StatusChanged, ActorUserId = actorId,
                From = chat.Status.ToString(), To = status.ToString(), At = clock.GetUtcNow(),
            };
            chat.Status = status;
            if (status == ChatStatus.Resolved)
            {
                // The episode ends; the next customer message starts a new one.
                chat.EpisodeStartedAt = null;
                await Stats.StatsRecorder.ResolvedAsync(db, chatId, actorId, change.At, ct);
            }
            db.ChatEvents.Add(change);
            await InboxCounters.ApplyAsync(db, businessId, before, InboxCounters.ChatState.Of(chat), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await NotifyChangeAsync(businessId, chatId, change.Id, ct);
    }

    /// <summary>Queues a failed message again.</summary>
    public async Task RetryAsync(int businessId, long messageId, CancellationToken ct)
    {
        int chatId;
        using (await gate.EnterAsync(ct))
        {
            var message = await db.Messages.SingleOrDefaultAsync(m => m.Id == messageId && m.BusinessId == businessId, ct)
                ?? throw InboxException.NotFound("The message");
            if (message.Status != MessageStatus.Failed)
            {
                throw InboxException.Invalid("Only a message that failed can be sent again.");
            }
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await Stats.StatsRecorder.StatusMovedAsync(db, businessId, [(message.CreatedAt, message.Status)], MessageStatus.Queued, ct);
            message.Status = MessageStatus.Queued;
            message.FailureReason = null;
            message.StatusChangedAt = now;
            db.Outbox.Add(new OutboxItem { BusinessId = businessId, MessageId = messageId, NextAttemptAt = now, CreatedAt = now });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            chatId = message.ChatId;
        }
        outbox.Wake();
        await notifier.StaffStatusAsync(businessId, chatId, [messageId], MessageStatus.Queued, null);
    }

    private async Task<Chat> FindAsync(int businessId, int chatId, CancellationToken ct) =>
        await db.Chats.SingleOrDefaultAsync(c => c.Id == chatId && c.BusinessId == businessId, ct)
        ?? throw InboxException.NotFound("The conversation");

    /// <summary>Moves the customer's messages up to an id forward to a status (never backwards); returns the ids that moved.</summary>
    private async Task<long[]> AdvanceInboundAsync(int chatId, long upToId, MessageStatus status, DateTimeOffset now, CancellationToken ct)
    {
        var ids = await db.Messages
            .Where(m => m.ChatId == chatId && m.Direction == MessageDirection.Inbound && m.Id <= upToId && m.Status < status)
            .Select(m => m.Id).ToArrayAsync(ct);
        if (ids.Length > 0)
        {
            await db.Messages.Where(m => ids.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, status).SetProperty(m => m.StatusChangedAt, now), ct);
        }
        return ids;
    }

    private async Task NotifyInboundStatusAsync(int businessId, int chatId, long[] ids, MessageStatus status)
    {
        await notifier.CustomerStatusAsync(chatId, ids, status);
        await notifier.StaffStatusAsync(businessId, chatId, ids, status, null);
    }

    private async Task NotifyChangeAsync(int businessId, int chatId, long eventId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var summary = (await InboxQueries.FindChatAsync(db, businessId, chatId, ct))!;
        var change = await db.ChatEvents.AsNoTracking().Where(e => e.Id == eventId)
            .Select(e => new ChatEventView(e.Id, e.ChatId, e.Kind,
                db.Users.Where(u => u.Id == e.ActorUserId).Select(u => u.DisplayName).FirstOrDefault(), e.From, e.To, e.At))
            .SingleAsync(ct);
        await notifier.ChatChangedAsync(businessId, summary, change);
        await notifier.CountersAsync(db, businessId, ct);
    }
}
