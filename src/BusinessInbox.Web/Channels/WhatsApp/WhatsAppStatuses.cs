using System.Globalization;
using BusinessInbox.Data;
using BusinessInbox.Inbox;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>A status webhook for one of our messages.</summary>
public sealed record StatusUpdate(
    string ExternalId, MessageStatus Status, string? CallbackData, string? FailureReason, string? PricingCategory, bool? Billable);

/// <summary>
/// Moves our WhatsApp messages' ticks from status webhooks: forward only (sent &lt; delivered &lt; read), failed
/// unless a later delivered or read proves otherwise. A status can overtake our own send call, so one for an
/// unknown message is matched by the callback data we sent (our message id), else kept until the send returns.
/// Status webhooks are written in groups with the customers' messages by <see cref="InboundWriter"/>.
/// </summary>
public sealed class WhatsAppStatuses(InboundWriter writer)
{
    internal static readonly TimeSpan PendingKeptFor = TimeSpan.FromDays(7);

    /// <summary>Applies a status webhook; completes once it is stored, and refuses with <see cref="InboxBusyException"/> when the writer's queue is full.</summary>
    public Task ApplyAsync(int businessId, StatusUpdate update, CancellationToken ct) => writer.ApplyStatusAsync(businessId, update, ct);

    /// <summary>Whether <paramref name="next"/> moves a message forward from <paramref name="current"/>.</summary>
    public static bool Advances(MessageStatus current, MessageStatus next) => next switch
    {
        MessageStatus.Failed => current is MessageStatus.Queued or MessageStatus.Sent,
        MessageStatus.Sent => current == MessageStatus.Queued,
        MessageStatus.Delivered or MessageStatus.Read => current == MessageStatus.Failed || current < next,
        _ => false,
    };

    /// <summary>Our message a status is for when its wamid is not known yet: the callback data we sent carries its id.</summary>
    internal static long? CallbackMessageId(StatusUpdate update) =>
        long.TryParse(update.CallbackData, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>
    /// Applies the update to our message in memory and says what else it changes: the statistics of the hour the message
    /// was written (the difference between its old and new status), its first known billing, and whether WhatsApp has it
    /// although our send call never returned (a timeout), so that it must leave the outbox and not be sent again.
    /// </summary>
    internal static StatusEffect Apply(Message message, StatusUpdate update, DateTimeOffset now)
    {
        var (wasStatus, wasBillable) = (message.Status, message.Billable == true);
        var moved = Advances(message.Status, update.Status);
        message.ExternalId ??= update.ExternalId;
        message.PricingCategory = update.PricingCategory ?? message.PricingCategory;
        message.Billable = update.Billable ?? message.Billable;
        if (moved)
        {
            message.Status = update.Status;
            message.FailureReason = update.Status == MessageStatus.Failed ? update.FailureReason ?? "WhatsApp could not deliver the message" : null;
            message.StatusChangedAt = now;
        }
        return new StatusEffect(
            moved,
            Stats.StatsCounts.OfStatus(message.Status) - Stats.StatsCounts.OfStatus(wasStatus),
            !wasBillable && message is { Billable: true, PricingCategory: { } category } ? category : null,
            LeavesOutbox: moved && wasStatus == MessageStatus.Queued);
    }

    internal static Task NotifyAsync(InboxNotifier notifier, Message? message) => message is null
        ? Task.CompletedTask
        : notifier.StaffStatusAsync(message.BusinessId, message.ChatId, [message.Id], message.Status, message.FailureReason);
}

/// <summary>What a status webhook changed on one of our messages, beyond the message itself (<see cref="WhatsAppStatuses.Apply"/>).</summary>
internal readonly record struct StatusEffect(bool Moved, Stats.StatsCounts Counts, string? BilledAs, bool LeavesOutbox);
