using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace BusinessInbox.Tests.Inbox;

public sealed class LiveInboxTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Staff_see_a_customer_message_live_and_the_customer_sees_the_reply_live()
    {
        var shop = await _app.CreateBusinessAsync("cafe");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        await using var staff = _app.Hub("/hubs/inbox", owner.CookieHeader);
        var arrived = new TaskCompletionSource<(ChatSummary Chat, MessageView Message)>();
        staff.On<List<AddedMessage>>(nameof(IInboxClient.MessagesAdded), added =>
        {
            if (added.FirstOrDefault(a => a.Message.Direction == MessageDirection.Inbound) is { } inbound)
            {
                arrived.TrySetResult((inbound.Chat, inbound.Message));
            }
        });
        await staff.StartAsync();
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        var reply = new TaskCompletionSource<CustomerMessageView>();
        customer.Hub.On<CustomerMessageView>(nameof(ICustomerClient.Message), m =>
        {
            if (!m.Mine)
            {
                reply.TrySetResult(m);
            }
        });

        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "m1", "Do you have oat milk?", "Lena");
        var (chat, message) = await arrived.Task.Within("the staff hub to announce the message");

        chat.ContactName.Should().Be("Lena");
        chat.UnreadCount.Should().Be(1);
        message.Body.Should().Be("Do you have oat milk?");

        await staff.InvokeAsync<MessageView>("Send", chat.Id, "Yes, we do!");
        var answer = await reply.Task.Within("the customer hub to deliver the reply");
        answer.Body.Should().Be("Yes, we do!");
        answer.Status.Should().Be(MessageStatus.Sent);
    }
}
