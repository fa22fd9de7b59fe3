using BusinessInbox.Channels.WebChat;
using BusinessInbox.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// Tells connected browsers that the database changed. Called after commit; the database stays the
/// truth and a browser that missed a notification catches up by asking for what changed.
/// </summary>
public sealed class InboxNotifier(
    IHubContext<InboxHub, IInboxClient> staff,
    IHubContext<CustomerChatHub, ICustomerClient> customers,
    ILogger<InboxNotifier> logger)
{
    public static string BusinessGroup(int businessId) => "business:" + businessId;
    public static string CustomerGroup(int chatId) => "chat:" + chatId;

    public Task MessageAddedAsync(int businessId, ChatSummary chat, MessageView message) =>
        Safely(() => staff.Clients.Group(BusinessGroup(businessId)).MessageAdded(chat, message));

    public Task StaffStatusAsync(int businessId, int chatId, long[] ids, MessageStatus status, string? reason) =>
        ids.Length == 0 ? Task.CompletedTask : Safely(() => staff.Clients.Group(BusinessGroup(businessId)).MessagesStatus(chatId, ids, status, reason));

    public Task ChatChangedAsync(int businessId, ChatSummary chat, ChatEventView? change) =>
        Safely(() => staff.Clients.Group(BusinessGroup(businessId)).ChatChanged(chat, change));

    public async Task CountersAsync(InboxDb db, int businessId, CancellationToken ct)
    {
        var counters = await db.InboxCounters.AsNoTracking().Where(c => c.BusinessId == businessId).ToDictionaryAsync(c => c.Key, c => c.Count, ct);
        await Safely(() => staff.Clients.Group(BusinessGroup(businessId)).Counters(counters));
    }

    public Task CustomerMessageAsync(int chatId, CustomerMessageView message) =>
        Safely(() => customers.Clients.Group(CustomerGroup(chatId)).Message(message));

    public Task CustomerStatusAsync(int chatId, long[] ids, MessageStatus status) =>
        ids.Length == 0 ? Task.CompletedTask : Safely(() => customers.Clients.Group(CustomerGroup(chatId)).MessagesStatus(ids, status));

    // A notification that cannot be delivered must never fail the write that caused it.
    private async Task Safely(Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "A live notification could not be sent");
        }
    }
}
