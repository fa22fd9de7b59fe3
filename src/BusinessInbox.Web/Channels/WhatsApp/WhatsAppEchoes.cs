using System.Globalization;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// What happens on the WhatsApp number besides customer messages: reactions, shown on the message they
/// belong to, and messages the shop sent from its own WhatsApp Business app (coexistence), shown as staff
/// messages and never sent again.
/// </summary>
public sealed class WhatsAppEchoes(
    InboxDb db, InboundWriter writer, WriteGate gate, TimeProvider clock, InboxNotifier notifier, WhatsAppMediaSignal mediaSignal,
    ILogger<WhatsAppEchoes> logger)
{
    private const int MaxReactionLength = 32;

    public async Task ReactAsync(int businessId, WaReaction reaction, CancellationToken ct)
    {
        var emoji = reaction.Emoji is { Length: > MaxReactionLength } tooLong ? StringInfo.GetNextTextElement(tooLong) : reaction.Emoji;
        Message? message;
        using (await gate.EnterAsync(ct))
        {
            message = await db.Messages.SingleOrDefaultAsync(m =>
                m.Channel == ChannelKind.WhatsApp && m.ExternalId == reaction.MessageId && m.BusinessId == businessId, ct);
            if (message is null || message.Reaction == emoji)
            {
                if (message is null)
                {
                    logger.LogInformation("A WhatsApp reaction names a message this business does not have");
                }
                return;
            }
            message.Reaction = emoji;
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        await notifier.ReactionChangedAsync(businessId, message.ChatId, message.Id, emoji);
    }

    /// <summary>Stores a message the shop sent from its phone, once per wamid, as a staff message that is already sent.</summary>
    public async Task StoreAsync(int businessId, WaEcho echo, CancellationToken ct)
    {
        Message message;
        using (await gate.EnterAsync(ct))
        {
            if (await db.Messages.AnyAsync(m => m.Channel == ChannelKind.WhatsApp && m.ExternalId == echo.Id, ct))
            {
                return;
            }
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var contact = await InboundWriter.FindOrCreateContactAsync(db,
                new InboundMessage(businessId, ChannelKind.WhatsApp, echo.To, null, "+" + echo.To, echo.Id, echo.Body), now, unsaved: null, ct);
            var chat = contact.Id == 0 ? null : await db.Chats.SingleOrDefaultAsync(c => c.ContactId == contact.Id && c.Channel == ChannelKind.WhatsApp, ct);
            InboxCounters.ChatState? before = null;
            if (chat is null)
            {
                chat = new Chat { BusinessId = businessId, Contact = contact, Channel = ChannelKind.WhatsApp, Status = ChatStatus.Open, CreatedAt = now };
                db.Chats.Add(chat);
            }
            else
            {
                before = InboxCounters.ChatState.Of(chat);
            }
            message = new Message
            {
                BusinessId = businessId, Chat = chat, Channel = ChannelKind.WhatsApp, Direction = MessageDirection.Outbound,
                Author = MessageAuthor.Staff, Kind = MessageKind.Text, Body = echo.Body, Status = MessageStatus.Sent, ExternalId = echo.Id,
                SentFromPhone = echo.BusinessPhone.Length > 0 ? "+" + echo.BusinessPhone : null, CreatedAt = now, StatusChangedAt = now,
            };
            db.Messages.Add(message);
            if (echo.Media is { } media)
            {
                // Fetched after the message is stored, by the same worker as customers' files (decision 0017).
                db.WhatsAppMediaFetches.Add(WhatsAppMediaFetch.For(media, message, now));
            }
            chat.LastMessageAt = now;
            // The shop answered from its phone: automatic replies hold back as after any staff reply, and the chat is read.
            chat.LastStaffReplyAt = now;
            chat.LastMessagePreview = MessageText.Preview(echo.Body);
            chat.UnreadCount = 0;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another process stored the same echo between our check and our insert.
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return;
            }
            chat.LastMessageId = message.Id;
            await InboxCounters.ApplyAsync(db, businessId, before, InboxCounters.ChatState.Of(chat), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }
        // Statuses for it may have arrived first and been kept: applied as for the answer to one of our sends.
        await writer.SentAsync(message.Id, echo.Id, ct);
        var summary = (await InboxQueries.FindChatAsync(db, businessId, message.ChatId, ct))!;
        var view = (await InboxQueries.MessageAsync(db, message.Id, ct))!;
        await notifier.MessagesAddedAsync(businessId, [new AddedMessage(summary, view)]);
        await notifier.CountersAsync(db, businessId, ct);
        // After MessagesAdded, as for customers' files: the file never arrives before its message.
        if (echo.Media is not null)
        {
            mediaSignal.Wake();
        }
    }
}
