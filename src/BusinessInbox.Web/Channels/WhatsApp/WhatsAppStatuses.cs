using System.Globalization;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>A status webhook for one of our messages.</summary>
public sealed record StatusUpdate(
    string ExternalId, MessageStatus Status, string? CallbackData, string? FailureReason, string? PricingCategory, bool? Billable);

/// <summary>
/// Moves our WhatsApp messages' ticks from status webhooks: forward only (sent &lt; delivered &lt; read), failed
/// unless a later delivered or read proves otherwise. A status can overtake our own send call, so one for an
/// unknown message is matched by the callback data we sent (our message id), else kept until the send returns.
/// </summary>
public sealed class WhatsAppStatuses(InboxDb db, WriteGate gate, TimeProvider clock, InboxNotifier notifier)
{
    private static readonly TimeSpan PendingKeptFor = TimeSpan.FromDays(7);

    public async Task ApplyAsync(int businessId, StatusUpdate update, CancellationToken ct)
    {
        Message? changed;
        using (await gate.EnterAsync(ct))
        {
            var message = await FindAsync(businessId, update, ct);
            if (message is null)
            {
                // Statuses for messages sent from the shop's own phone never find a match: keep them a week at most.
                var stale = clock.GetUtcNow() - PendingKeptFor;
                await db.PendingStatuses.Where(p => p.ReceivedAt < stale).ExecuteDeleteAsync(ct);
                db.PendingStatuses.Add(new PendingStatus
                {
                    BusinessId = businessId, ExternalId = update.ExternalId, Status = update.Status, FailureReason = update.FailureReason,
                    PricingCategory = update.PricingCategory, Billable = update.Billable, ReceivedAt = clock.GetUtcNow(),
                });
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                return;
            }
            changed = await ApplyToAsync(message, update, ct);
        }
        await NotifyAsync(changed);
    }

    /// <summary>Our send returned <paramref name="externalId"/>: records it and applies statuses that arrived first.</summary>
    public async Task SendReturnedAsync(int businessId, long messageId, string externalId, CancellationToken ct)
    {
        var changes = new List<Message?>();
        using (await gate.EnterAsync(ct))
        {
            await db.Messages.Where(m => m.Id == messageId && m.BusinessId == businessId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ExternalId, externalId), ct);
            var pending = await db.PendingStatuses.Where(p => p.BusinessId == businessId && p.ExternalId == externalId).OrderBy(p => p.Id).ToListAsync(ct);
            foreach (var p in pending)
            {
                var message = await db.Messages.SingleAsync(m => m.Id == messageId, ct);
                changes.Add(await ApplyToAsync(message, new StatusUpdate(externalId, p.Status, null, p.FailureReason, p.PricingCategory, p.Billable), ct));
            }
            if (pending.Count > 0)
            {
                await db.PendingStatuses.Where(p => p.BusinessId == businessId && p.ExternalId == externalId).ExecuteDeleteAsync(ct);
            }
        }
        foreach (var change in changes)
        {
            await NotifyAsync(change);
        }
    }

    /// <summary>Whether <paramref name="next"/> moves a message forward from <paramref name="current"/>.</summary>
    public static bool Advances(MessageStatus current, MessageStatus next) => next switch
    {
        MessageStatus.Failed => current is MessageStatus.Queued or MessageStatus.Sent,
        MessageStatus.Sent => current == MessageStatus.Queued,
        MessageStatus.Delivered or MessageStatus.Read => current == MessageStatus.Failed || current < next,
        _ => false,
    };

    private async Task<Message?> FindAsync(int businessId, StatusUpdate update, CancellationToken ct)
    {
        var message = await db.Messages.SingleOrDefaultAsync(m =>
            m.Channel == ChannelKind.WhatsApp && m.ExternalId == update.ExternalId && m.BusinessId == businessId, ct);
        if (message is null && long.TryParse(update.CallbackData, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            message = await db.Messages.SingleOrDefaultAsync(m =>
                m.Id == id && m.BusinessId == businessId && m.Channel == ChannelKind.WhatsApp
                && m.Direction == MessageDirection.Outbound && m.ExternalId == null, ct);
        }
        return message;
    }

    /// <summary>Applies the update; returns the message when its status changed.</summary>
    private async Task<Message?> ApplyToAsync(Message message, StatusUpdate update, CancellationToken ct)
    {
        var advances = Advances(message.Status, update.Status);
        var wasQueued = message.Status == MessageStatus.Queued;
        var (wasStatus, wasBillable) = (message.Status, message.Billable == true);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        message.ExternalId ??= update.ExternalId;
        message.PricingCategory = update.PricingCategory ?? message.PricingCategory;
        message.Billable = update.Billable ?? message.Billable;
        if (advances)
        {
            message.Status = update.Status;
            message.FailureReason = update.Status == MessageStatus.Failed ? update.FailureReason ?? "WhatsApp could not deliver the message" : null;
            message.StatusChangedAt = clock.GetUtcNow();
        }
        await Stats.StatsRecorder.StatusMovedAsync(db, message.BusinessId, [(message.CreatedAt, wasStatus)], message.Status, ct);
        if (!wasBillable && message is { Billable: true, PricingCategory: { } category })
        {
            await Stats.StatsRecorder.BilledAsync(db, message.BusinessId, message.CreatedAt, category, ct);
        }
        await db.SaveChangesAsync(ct);
        if (advances && wasQueued)
        {
            // WhatsApp has it although our send call never returned (a timeout): it must not be sent again.
            await db.Outbox.Where(o => o.MessageId == message.Id).ExecuteDeleteAsync(ct);
        }
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return advances ? message : null;
    }

    private Task NotifyAsync(Message? message) => message is null
        ? Task.CompletedTask
        : notifier.StaffStatusAsync(message.BusinessId, message.ChatId, [message.Id], message.Status, message.FailureReason);
}
