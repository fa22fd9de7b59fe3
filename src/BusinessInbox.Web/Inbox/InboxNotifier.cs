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

    public Task MessageChangedAsync(int businessId, MessageView message) =>
        Safely(() => staff.Clients.Group(BusinessGroup(businessId)).MessageChanged(message));

    public Task StaffStatusAsync(int businessId, int chatId, long[] ids, MessageStatus status, string? reason) =>
        ids.Length == 0 ? Task.CompletedTask : Safely(() => staff.Clients.Group(BusinessGroup(businessId)).MessagesStatus(chatId, ids, status, reason));

    public Task ChatChangedAsync(int businessId, ChatSummary chat, ChatEventView? change) =>
        Safely(() => staff.Clients.Group(BusinessGroup(businessId)).ChatChanged(chat, change));

    public Task ChatsRemovedAsync(int businessId, IEnumerable<int> chatIds) =>
        Task.WhenAll(chatIds.Select(id => Safely(() => staff.Clients.Group(BusinessGroup(businessId)).ChatRemoved(id))));
    public Task ReactionChangedAsync(int businessId, int chatId, long messageId, string? reaction) =>
        Safely(() => staff.Clients.Group(BusinessGroup(businessId)).ReactionChanged(chatId, messageId, reaction));

    public Task LabelsChangedAsync(int businessId, IReadOnlyList<Labels.LabelView> labels) =>
        Safely(() => staff.Clients.Group(BusinessGroup(businessId)).LabelsChanged(labels));

    /// <summary>A member's own connections to one business (a person may be signed in to several).</summary>
    public static string MemberGroup(int businessId, string userId) => $"business:{businessId}:member:{userId}";

    /// <summary>Sends each member the counts as the hub's Counters method gives them: with their own "mine".</summary>
    public async Task CountersAsync(InboxDb db, int businessId, CancellationToken ct) => await CountersAsync(businessId,
        await InboxCounters.ReadAllAsync(db, businessId, ct),
        await db.Memberships.AsNoTracking().Where(m => m.BusinessId == businessId).Select(m => m.UserId).ToListAsync(ct));

    /// <summary>As <see cref="CountersAsync(InboxDb, int, CancellationToken)"/>, with the counts and the members already read.</summary>
    public async Task CountersAsync(int businessId, IReadOnlyDictionary<string, int> all, IEnumerable<string> members)
    {
        foreach (var userId in members)
        {
            var counters = InboxCounters.ForMember(all, userId);
            await Safely(() => staff.Clients.Group(MemberGroup(businessId, userId)).Counters(counters));
        }
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
