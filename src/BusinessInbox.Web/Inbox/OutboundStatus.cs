using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>Moves our own messages through sent → delivered → read, forward only, or to failed with a reason.</summary>
public sealed class OutboundStatus(InboxDb db, WriteGate gate, TimeProvider clock, InboxNotifier notifier, InboundWriter writer)
{
    /// <summary>
    /// The channel accepted the message, under <paramref name="externalId"/> if it gave one. Written with the inbound writer's
    /// next group (<see cref="InboundWriter.SentAsync"/>): the message is sent, its outbox row removed, and WhatsApp statuses
    /// that overtook the send's answer applied, in one transaction; the staff and the customer are told from there.
    /// </summary>
    public Task SentAsync(long messageId, string? externalId, CancellationToken ct) => writer.SentAsync(messageId, externalId, ct);

    /// <summary>The channel refused the message for good, or the retries ran out.</summary>
    public async Task FailedAsync(long outboxId, long messageId, string reason, CancellationToken ct)
    {
        int businessId, chatId;
        using (await gate.EnterAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var failing = await db.Messages.Where(m => m.Id == messageId && m.Status == MessageStatus.Queued)
                .Select(m => new { m.BusinessId, m.CreatedAt }).SingleOrDefaultAsync(ct);
            if (failing is not null)
            {
                await Stats.StatsRecorder.StatusMovedAsync(db, failing.BusinessId, [(failing.CreatedAt, MessageStatus.Queued)], MessageStatus.Failed, ct);
            }
            await db.Messages.Where(m => m.Id == messageId && m.Status == MessageStatus.Queued)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, MessageStatus.Failed)
                    .SetProperty(m => m.FailureReason, reason)
                    .SetProperty(m => m.StatusChangedAt, now), ct);
            await db.Outbox.Where(o => o.Id == outboxId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
            (businessId, chatId) = await db.Messages.Where(m => m.Id == messageId)
                .Select(m => new ValueTuple<int, int>(m.BusinessId, m.ChatId)).SingleAsync(ct);
        }
        await notifier.StaffStatusAsync(businessId, chatId, [messageId], MessageStatus.Failed, reason);
    }

    /// <summary>The customer's page received (or showed) our messages up to <paramref name="upToId"/>.</summary>
    public async Task CustomerReachedAsync(int chatId, long upToId, MessageStatus status, CancellationToken ct)
    {
        if (status is not (MessageStatus.Delivered or MessageStatus.Read))
        {
            return;
        }
        long[] ids;
        int businessId;
        using (await gate.EnterAsync(ct))
        {
            var now = clock.GetUtcNow();
            var candidates = db.Messages.Where(m =>
                m.ChatId == chatId && m.Direction == MessageDirection.Outbound && m.Kind == MessageKind.Text && m.Id <= upToId
                && m.Status >= MessageStatus.Sent && m.Status < status);
            var moving = await candidates.Select(m => new { m.Id, m.CreatedAt, m.Status }).ToArrayAsync(ct);
            ids = moving.Select(m => m.Id).ToArray();
            if (ids.Length == 0)
            {
                return;
            }
            businessId = await db.Chats.Where(c => c.Id == chatId).Select(c => c.BusinessId).SingleAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Messages.Where(m => ids.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, status).SetProperty(m => m.StatusChangedAt, now), ct);
            await Stats.StatsRecorder.StatusMovedAsync(db, businessId, moving.Select(m => (m.CreatedAt, m.Status)), status, ct);
            await tx.CommitAsync(ct);
        }
        await notifier.StaffStatusAsync(businessId, chatId, ids, status, null);
        await notifier.CustomerStatusAsync(chatId, ids, status);
    }
}
