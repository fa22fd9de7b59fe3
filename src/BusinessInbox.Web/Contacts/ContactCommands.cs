using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Contacts;

/// <summary>
/// Changes to contacts that touch chats, messages and counters: block, merge and erase. Each runs under the
/// write gate in one transaction and keeps the maintained inbox counters right; live views are told afterwards.
/// </summary>
public sealed class ContactCommands(InboxDb db, WriteGate gate, TimeProvider clock, InboxNotifier notifier, Attachments.AttachmentUploads attachments)
{
    /// <summary>False when the contact is not in this business.</summary>
    public async Task<bool> SetBlockedAsync(int businessId, int contactId, bool blocked, CancellationToken ct)
    {
        int changed;
        using (await gate.EnterAsync(ct))
        {
            changed = await db.Contacts.Where(c => c.Id == contactId && c.BusinessId == businessId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.IsBlocked, blocked), ct);
        }
        if (changed > 0)
        {
            await TellChatsAsync(businessId, contactId, ct);
        }
        return changed > 0;
    }

    /// <summary>
    /// Merges <paramref name="removedId"/> into <paramref name="keptId"/>: chats, identities and notes move to the kept
    /// contact; where both have a chat on one channel, the messages move into the kept chat and the other chat is deleted.
    /// False when either contact is not in this business or both are the same.
    /// </summary>
    public async Task<bool> MergeAsync(int businessId, int keptId, int removedId, string actorUserId, CancellationToken ct)
    {
        if (keptId == removedId)
        {
            return false;
        }
        var mergedAway = new List<int>();
        using (await gate.EnterAsync(ct))
        {
            var kept = await db.Contacts.SingleOrDefaultAsync(c => c.Id == keptId && c.BusinessId == businessId, ct);
            var removed = await db.Contacts.SingleOrDefaultAsync(c => c.Id == removedId && c.BusinessId == businessId, ct);
            if (kept is null || removed is null)
            {
                return false;
            }
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var keptChats = await db.Chats.Where(c => c.ContactId == keptId).ToListAsync(ct);
            var removedChats = await db.Chats.Where(c => c.ContactId == removedId).ToListAsync(ct);
            foreach (var from in removedChats)
            {
                var into = keptChats.FirstOrDefault(c => c.Channel == from.Channel);
                if (into is null)
                {
                    from.ContactId = keptId;
                    keptChats.Add(from);
                    continue;
                }
                var intoBefore = InboxCounters.ChatState.Of(into);
                await db.Messages.Where(m => m.ChatId == from.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ChatId, into.Id), ct);
                await db.ChatEvents.Where(e => e.ChatId == from.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ChatId, into.Id), ct);
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT OR IGNORE INTO ChatLabels (ChatId, LabelId) SELECT {into.Id}, LabelId FROM ChatLabels WHERE ChatId = {from.Id}", ct);
                Combine(into, from);
                mergedAway.Add(from.Id);
                await InboxCounters.ApplyAsync(db, businessId, InboxCounters.ChatState.Of(from), null, ct);
                await InboxCounters.ApplyAsync(db, businessId, intoBefore, InboxCounters.ChatState.Of(into), ct);
                db.Chats.Remove(from);
            }
            await db.ContactIdentities.Where(i => i.ContactId == removedId).ExecuteUpdateAsync(s => s.SetProperty(i => i.ContactId, keptId), ct);

            kept.Name ??= removed.Name;
            kept.Phone ??= removed.Phone;
            kept.Email ??= removed.Email;
            kept.Notes = string.Join("\n\n", new[] { kept.Notes, removed.Notes }.Where(n => !string.IsNullOrWhiteSpace(n))) is { Length: > 0 } notes
                ? notes[..Math.Min(notes.Length, 4000)]
                : null;
            // Blocking is a promise to a person; merging must not quietly lift it.
            kept.IsBlocked |= removed.IsBlocked;
            kept.CreatedAt = Min(kept.CreatedAt, removed.CreatedAt);
            kept.FirstMessageAt = new[] { kept.FirstMessageAt, removed.FirstMessageAt }.Min();
            kept.LastMessageAt = new[] { kept.LastMessageAt, removed.LastMessageAt }.Max();
            var removedName = removed.Name ?? removed.Phone ?? removed.Email ?? "#" + removed.Id;
            foreach (var chat in keptChats)
            {
                db.ChatEvents.Add(new ChatEvent
                {
                    BusinessId = businessId, ChatId = chat.Id, Kind = ChatEventKind.ContactMerged, ActorUserId = actorUserId,
                    From = removedName.Length > 100 ? removedName[..100] : removedName, To = null, At = now,
                });
            }
            await db.SaveChangesAsync(ct);
            db.Contacts.Remove(removed);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }
        await notifier.ChatsRemovedAsync(businessId, mergedAway);
        await TellChatsAsync(businessId, keptId, ct);
        await notifier.CountersAsync(db, businessId, ct);
        return true;
    }

    /// <summary>
    /// Erases a contact with their chats, messages, events, identities and files. Past statistics do not change: the
    /// rollups name no contact (decision 0013). False when the contact is not in this business.
    /// </summary>
    public async Task<bool> EraseAsync(int businessId, int contactId, CancellationToken ct)
    {
        List<int> chatIds;
        List<(string Key, string? ThumbnailKey)> files;
        using (await gate.EnterAsync(ct))
        {
            if (!await db.Contacts.AnyAsync(c => c.Id == contactId && c.BusinessId == businessId, ct))
            {
                return false;
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var chats = await db.Chats.AsNoTracking().Where(c => c.ContactId == contactId && c.BusinessId == businessId).ToListAsync(ct);
            chatIds = [.. chats.Select(c => c.Id)];
            foreach (var chat in chats)
            {
                await InboxCounters.ApplyAsync(db, businessId, InboxCounters.ChatState.Of(chat), null, ct);
            }
            files = await Attachments.AttachmentUploads.KeysOfChatsAsync(db, chatIds, ct);
            await db.Attachments.Where(a => chatIds.Contains(a.Message.ChatId)).ExecuteDeleteAsync(ct);
            await db.Outbox.Where(o => chatIds.Contains(o.Message.ChatId)).ExecuteDeleteAsync(ct);
            await db.Messages.Where(m => chatIds.Contains(m.ChatId)).ExecuteDeleteAsync(ct);
            await db.ChatEvents.Where(e => chatIds.Contains(e.ChatId)).ExecuteDeleteAsync(ct);
            await db.Chats.Where(c => chatIds.Contains(c.Id)).ExecuteDeleteAsync(ct);
            await db.ContactIdentities.Where(i => i.ContactId == contactId).ExecuteDeleteAsync(ct);
            await db.Contacts.Where(c => c.Id == contactId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        // Files go once their rows are gone for good; were it the other way round, a failed commit would leave messages without their files.
        await attachments.DeleteFilesAsync(files, CancellationToken.None);
        await notifier.ChatsRemovedAsync(businessId, chatIds);
        await notifier.CountersAsync(db, businessId, ct);
        return true;
    }

    /// <summary>The kept chat takes over the removed chat's state: latest message, unread count, an open status, the assignee.</summary>
    private static void Combine(Chat into, Chat from)
    {
        into.UnreadCount += from.UnreadCount;
        into.CreatedAt = Min(into.CreatedAt, from.CreatedAt);
        if (from.LastMessageAt > into.LastMessageAt)
        {
            into.LastMessageAt = from.LastMessageAt;
            into.LastMessageId = from.LastMessageId;
            into.LastMessagePreview = from.LastMessagePreview;
        }
        into.LastCustomerMessageAt = new[] { into.LastCustomerMessageAt, from.LastCustomerMessageAt }.Max();
        into.LastStaffReplyAt = new[] { into.LastStaffReplyAt, from.LastStaffReplyAt }.Max();
        into.EpisodeStartedAt = new[] { into.EpisodeStartedAt, from.EpisodeStartedAt }.Min();
        if (into.Status == ChatStatus.Resolved && from.Status != ChatStatus.Resolved)
        {
            into.Status = from.Status;
        }
        into.AssigneeId ??= from.AssigneeId;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task TellChatsAsync(int businessId, int contactId, CancellationToken ct)
    {
        var chatIds = await db.Chats.AsNoTracking().Where(c => c.ContactId == contactId && c.BusinessId == businessId).Select(c => c.Id).ToListAsync(ct);
        foreach (var id in chatIds)
        {
            if (await InboxQueries.FindChatAsync(db, businessId, id, ct) is { } summary)
            {
                await notifier.ChatChangedAsync(businessId, summary, null);
            }
        }
    }
}
