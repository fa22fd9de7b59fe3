using BusinessInbox.Channels.WebChat;
using BusinessInbox.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Inbox;

/// <summary>
/// Tells connected browsers that the database changed. Called after commit; the database stays the
/// truth and a browser that missed a notification catches up by asking for what changed.
/// </summary>
public sealed class InboxNotifier : IDisposable
{
    private readonly IHubContext<InboxHub, IInboxClient> _staff;
    private readonly IHubContext<CustomerChatHub, ICustomerClient> _customers;
    private readonly ILogger<InboxNotifier> _logger;
    private readonly CounterPushes _counters;

    public InboxNotifier(IHubContext<InboxHub, IInboxClient> staff, IHubContext<CustomerChatHub, ICustomerClient> customers, ILogger<InboxNotifier> logger)
    {
        (_staff, _customers, _logger) = (staff, customers, logger);
        _counters = new CounterPushes(SendCountersAsync);
    }

    public static string BusinessGroup(int businessId) => "business:" + businessId;
    public static string CustomerGroup(int chatId) => "chat:" + chatId;

    public Task MessagesAddedAsync(int businessId, IReadOnlyList<AddedMessage> added) =>
        Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).MessagesAdded(added));

    public Task MessageChangedAsync(int businessId, MessageView message) =>
        Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).MessageChanged(message));

    public Task StaffStatusAsync(int businessId, int chatId, long[] ids, MessageStatus status, string? reason) =>
        ids.Length == 0 ? Task.CompletedTask : Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).MessagesStatus(chatId, ids, status, reason));

    public Task ChatChangedAsync(int businessId, ChatSummary chat, ChatEventView? change) =>
        Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).ChatChanged(chat, change));

    public Task ChatsRemovedAsync(int businessId, IEnumerable<int> chatIds) =>
        Task.WhenAll(chatIds.Select(id => Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).ChatRemoved(id))));
    public Task ReactionChangedAsync(int businessId, int chatId, long messageId, string? reaction) =>
        Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).ReactionChanged(chatId, messageId, reaction));

    public Task LabelsChangedAsync(int businessId, IReadOnlyList<Labels.LabelView> labels) =>
        Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).LabelsChanged(labels));

    /// <summary>A member's own connections to one business (a person may be signed in to several).</summary>
    public static string MemberGroup(int businessId, string userId) => $"business:{businessId}:member:{userId}";

    /// <summary>After a member's action: every member is sent the counts at once, as the hub's Counters method gives them.</summary>
    public async Task CountersAsync(InboxDb db, int businessId, CancellationToken ct) => await _counters.NowAsync(businessId,
        await InboxCounters.ReadAllAsync(db, businessId, ct),
        await db.Memberships.AsNoTracking().Where(m => m.BusinessId == businessId).Select(m => m.UserId).ToListAsync(ct));

    /// <summary>
    /// After stored messages moved a business's counts (<paramref name="all"/>, as the commit left them): paced by
    /// <see cref="CounterPushes"/>, "mine" only to <paramref name="mineChangedFor"/>.
    /// </summary>
    public Task CountersChangedAsync(int businessId, IReadOnlyDictionary<string, int> all, IEnumerable<string> mineChangedFor) =>
        _counters.ChangedAsync(businessId, all, mineChangedFor);

    /// <summary>The tabs every member shares in one send to the business; "mine" to each of <paramref name="members"/>.</summary>
    private async Task SendCountersAsync(int businessId, IReadOnlyDictionary<string, int> all, IReadOnlyCollection<string> members)
    {
        var shared = InboxCounters.Shared(all);
        await Safely(() => _staff.Clients.Group(BusinessGroup(businessId)).Counters(shared));
        foreach (var userId in members)
        {
            var mine = new Dictionary<string, int> { [InboxCounters.MineKey] = all.GetValueOrDefault(InboxCounters.Mine(userId)) };
            await Safely(() => _staff.Clients.Group(MemberGroup(businessId, userId)).Counters(mine));
        }
    }

    public Task CustomerMessageAsync(int chatId, CustomerMessageView message) =>
        Safely(() => _customers.Clients.Group(CustomerGroup(chatId)).Message(message));

    public Task CustomerStatusAsync(int chatId, long[] ids, MessageStatus status) =>
        ids.Length == 0 ? Task.CompletedTask : Safely(() => _customers.Clients.Group(CustomerGroup(chatId)).MessagesStatus(ids, status));

    // A notification that cannot be delivered must never fail the write that caused it.
    private async Task Safely(Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "A live notification could not be sent");
        }
    }

    public void Dispose() => _counters.Dispose();
}
