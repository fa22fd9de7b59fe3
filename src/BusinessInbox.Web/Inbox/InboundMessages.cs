using BusinessInbox.Data;
using BusinessInbox.Workers;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>A customer's message as a channel hands it over.</summary>
public sealed record InboundMessage(
    int BusinessId,
    ChannelKind Channel,
    string ContactExternalId,
    string? ContactName,
    string? ContactPhone,
    string ExternalMessageId,
    string Body,
    DateTimeOffset? CustomerTimestamp = null,
    // A file already in the attachment store; the body is then its caption and may be empty.
    Attachments.Attachment? Attachment = null);

public sealed record InboundResult(long MessageId, int ChatId, bool Duplicate);

/// <summary>
/// Stores what customers write: finds or creates the contact and their chat, stores the message once
/// (duplicates are refused by a unique index), keeps the chat and the inbox counters current, then
/// notifies the staff.
/// </summary>
public sealed class InboundMessages(InboxDb db, WriteGate gate, TimeProvider clock, InboxNotifier notifier, AutoReplySignal autoReplySignal)
{
    public async Task<InboundResult> ReceiveAsync(InboundMessage inbound, CancellationToken ct)
    {
        ChatSummary summary;
        MessageView view;
        using (await gate.EnterAsync(ct))
        {
            var existing = await db.Messages.AsNoTracking()
                .Where(m => m.Channel == inbound.Channel && m.ExternalId == inbound.ExternalMessageId)
                .Select(m => new { m.Id, m.ChatId })
                .FirstOrDefaultAsync(ct);
            if (existing is not null)
            {
                return new InboundResult(existing.Id, existing.ChatId, Duplicate: true);
            }

            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var contact = await FindOrCreateContactAsync(inbound, now, ct);
            var chat = await db.Chats.SingleOrDefaultAsync(c => c.ContactId == contact.Id && c.Channel == inbound.Channel, ct);
            InboxCounters.ChatState? before = null;
            if (chat is null)
            {
                chat = new Chat { BusinessId = inbound.BusinessId, Contact = contact, Channel = inbound.Channel, Status = ChatStatus.Open, CreatedAt = now };
                db.Chats.Add(chat);
            }
            else
            {
                before = InboxCounters.ChatState.Of(chat);
            }

            // A blocked contact's messages are kept but change nothing that would ask for attention.
            var blocked = contact.IsBlocked;
            bool? episodeReopened = chat.EpisodeStartedAt is null ? chat.Status == ChatStatus.Resolved : null;
            var newContact = contact.FirstMessageAt is null;
            if (chat.Status == ChatStatus.Resolved && !blocked)
            {
                db.ChatEvents.Add(new ChatEvent
                {
                    BusinessId = chat.BusinessId, ChatId = chat.Id, Kind = ChatEventKind.StatusChanged,
                    From = nameof(ChatStatus.Resolved), To = nameof(ChatStatus.Open), At = now,
                });
                chat.Status = ChatStatus.Open;
            }
            if (chat.EpisodeStartedAt is null)
            {
                chat.EpisodeStartedAt = now;
            }

            var message = new Message
            {
                BusinessId = inbound.BusinessId,
                Chat = chat,
                Channel = inbound.Channel,
                Direction = MessageDirection.Inbound,
                Author = MessageAuthor.Customer,
                Kind = MessageKind.Text,
                Body = inbound.Body,
                Status = MessageStatus.Sent,
                ExternalId = inbound.ExternalMessageId,
                CustomerTimestamp = inbound.CustomerTimestamp,
                CreatedAt = now,
                FromBlockedContact = blocked,
                Attachment = inbound.Attachment,
            };
            db.Messages.Add(message);
            if (!blocked)
            {
                chat.UnreadCount++;
            }
            chat.LastMessageAt = now;
            chat.LastCustomerMessageAt = now;
            chat.LastMessagePreview = MessageText.Preview(inbound.Attachment is { } file
                ? Attachments.AttachmentView.Preview(file.Kind, file.FileName, inbound.Body) : inbound.Body);
            contact.FirstMessageAt ??= now;
            contact.LastMessageAt = now;

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                // Another process may have stored the same delivery between our check and our insert.
                var stored = await db.Messages.AsNoTracking()
                    .Where(m => m.Channel == inbound.Channel && m.ExternalId == inbound.ExternalMessageId)
                    .Select(m => new { m.Id, m.ChatId }).FirstOrDefaultAsync(ct);
                if (stored is null)
                {
                    throw;
                }
                return new InboundResult(stored.Id, stored.ChatId, Duplicate: true);
            }
            chat.LastMessageId = message.Id;
            await Stats.StatsRecorder.CustomerWroteAsync(db, message, newContact, episodeReopened, ct);
            var autoReplies = await db.Businesses.Where(b => b.Id == inbound.BusinessId).Select(b => b.AutoReplies).SingleAsync(ct);
            if (autoReplies.AnyEnabled && !blocked)
            {
                db.AutoReplyJobs.Add(new AutoReplyJob { BusinessId = inbound.BusinessId, MessageId = message.Id, CreatedAt = now });
            }
            await InboxCounters.ApplyAsync(db, chat.BusinessId, before, InboxCounters.ChatState.Of(chat), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();

            summary = (await InboxQueries.FindChatAsync(db, chat.BusinessId, chat.Id, ct))!;
            view = (await InboxQueries.MessageAsync(db, message.Id, ct))!;
        }

        await notifier.MessageAddedAsync(inbound.BusinessId, summary, view);
        await notifier.CustomerMessageAsync(summary.Id, CustomerViews.Of(view));
        await notifier.CountersAsync(db, inbound.BusinessId, ct);
        autoReplySignal.Wake();
        return new InboundResult(view.Id, summary.Id, Duplicate: false);
    }

    /// <summary>The contact a channel identity (or, failing that, a phone number) belongs to; a new one if none.</summary>
    internal async Task<Contact> FindOrCreateContactAsync(InboundMessage inbound, DateTimeOffset now, CancellationToken ct)
    {
        var contact = await db.ContactIdentities
            .Where(i => i.BusinessId == inbound.BusinessId && i.Channel == inbound.Channel && i.ExternalId == inbound.ContactExternalId)
            .Select(i => i.Contact)
            .SingleOrDefaultAsync(ct);
        if (contact is null && inbound.ContactPhone is not null)
        {
            contact = await db.Contacts.FirstOrDefaultAsync(c => c.BusinessId == inbound.BusinessId && c.Phone == inbound.ContactPhone, ct);
        }
        if (contact is null)
        {
            contact = new Contact { BusinessId = inbound.BusinessId, Phone = inbound.ContactPhone, CreatedAt = now };
            db.Contacts.Add(contact);
        }
        if (contact.Id == 0 || !await db.ContactIdentities.AnyAsync(i => i.ContactId == contact.Id && i.Channel == inbound.Channel && i.ExternalId == inbound.ContactExternalId, ct))
        {
            db.ContactIdentities.Add(new ContactIdentity
            {
                BusinessId = inbound.BusinessId, Contact = contact, Channel = inbound.Channel, ExternalId = inbound.ContactExternalId,
            });
        }
        if (string.IsNullOrWhiteSpace(contact.Name) && !string.IsNullOrWhiteSpace(inbound.ContactName))
        {
            contact.Name = inbound.ContactName.Trim();
        }
        return contact;
    }
}
