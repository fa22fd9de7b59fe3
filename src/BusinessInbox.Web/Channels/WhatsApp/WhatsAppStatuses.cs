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
/// Status webhooks are written in groups by <see cref="WhatsAppStatusWriter"/>.
/// </summary>
public sealed class WhatsAppStatuses(InboxDb db, WriteGate gate, TimeProvider clock, InboxNotifier notifier, WhatsAppStatusWriter writer)
{
    internal static readonly TimeSpan PendingKeptFor = TimeSpan.FromDays(7);

    /// <summary>Applies a status webhook; completes once it is stored.</summary>
    public Task ApplyAsync(int businessId, StatusUpdate update, CancellationToken ct) => writer.ApplyAsync(businessId, update, ct);

    /// <summary>Our send returned <paramref name="externalId"/>: records it and applies statuses that arrived first.</summary>
    public async Task SendReturnedAsync(int businessId, long messageId, string externalId, CancellationToken ct)
    {
        Message? changed = null;
        using (await gate.EnterAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Messages.Where(m => m.Id == messageId && m.BusinessId == businessId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ExternalId, externalId), ct);
            var pending = await db.PendingStatuses.Where(p => p.BusinessId == businessId && p.ExternalId == externalId).OrderBy(p => p.Id).ToListAsync(ct);
            if (pending.Count > 0)
            {
                var message = await db.Messages.SingleAsync(m => m.Id == messageId, ct);
                var tally = new Stats.StatsRecorder.Tally(db);
                foreach (var p in pending)
                {
                    var update = new StatusUpdate(externalId, p.Status, null, p.FailureReason, p.PricingCategory, p.Billable);
                    if (await ApplyToAsync(db, message, update, clock.GetUtcNow(), tally, ct))
                    {
                        changed = message;
                    }
                }
                await db.SaveChangesAsync(ct);
                await tally.SaveAsync(ct);
                await db.PendingStatuses.Where(p => p.BusinessId == businessId && p.ExternalId == externalId).ExecuteDeleteAsync(ct);
            }
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }
        await NotifyAsync(notifier, changed);
    }

    /// <summary>Whether <paramref name="next"/> moves a message forward from <paramref name="current"/>.</summary>
    public static bool Advances(MessageStatus current, MessageStatus next) => next switch
    {
        MessageStatus.Failed => current is MessageStatus.Queued or MessageStatus.Sent,
        MessageStatus.Sent => current == MessageStatus.Queued,
        MessageStatus.Delivered or MessageStatus.Read => current == MessageStatus.Failed || current < next,
        _ => false,
    };

    /// <summary>Our message a status is for when its wamid is not known yet: the callback data we sent carries its id.</summary>
    internal static Task<Message?> FindByCallbackAsync(InboxDb db, int businessId, StatusUpdate update, CancellationToken ct) =>
        long.TryParse(update.CallbackData, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? db.Messages.SingleOrDefaultAsync(m =>
                m.Id == id && m.BusinessId == businessId && m.Channel == ChannelKind.WhatsApp
                && m.Direction == MessageDirection.Outbound && m.ExternalId == null, ct)
            : Task.FromResult<Message?>(null);

    /// <summary>
    /// Applies the update to a tracked message inside the caller's transaction (saved with its next SaveChanges; the
    /// statistics go to <paramref name="tally"/>); returns whether the message's status moved.
    /// </summary>
    internal static async Task<bool> ApplyToAsync(InboxDb db, Message message, StatusUpdate update, DateTimeOffset now, Stats.StatsRecorder.Tally tally, CancellationToken ct)
    {
        var advances = Advances(message.Status, update.Status);
        var wasQueued = message.Status == MessageStatus.Queued;
        var (wasStatus, wasBillable) = (message.Status, message.Billable == true);
        message.ExternalId ??= update.ExternalId;
        message.PricingCategory = update.PricingCategory ?? message.PricingCategory;
        message.Billable = update.Billable ?? message.Billable;
        if (advances)
        {
            message.Status = update.Status;
            message.FailureReason = update.Status == MessageStatus.Failed ? update.FailureReason ?? "WhatsApp could not deliver the message" : null;
            message.StatusChangedAt = now;
        }
        await tally.StatusMovedAsync(message.BusinessId, message.CreatedAt, wasStatus, message.Status, ct);
        if (!wasBillable && message is { Billable: true, PricingCategory: { } category })
        {
            await tally.BilledAsync(message.BusinessId, message.CreatedAt, category, ct);
        }
        if (advances && wasQueued)
        {
            // WhatsApp has it although our send call never returned (a timeout): it must not be sent again.
            await db.Outbox.Where(o => o.MessageId == message.Id).ExecuteDeleteAsync(ct);
        }
        return advances;
    }

    internal static Task NotifyAsync(InboxNotifier notifier, Message? message) => message is null
        ? Task.CompletedTask
        : notifier.StaffStatusAsync(message.BusinessId, message.ChatId, [message.Id], message.Status, message.FailureReason);
}
