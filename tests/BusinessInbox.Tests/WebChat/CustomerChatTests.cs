using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.WebChat;

public sealed class CustomerChatTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_customer_message_is_stored_once_even_when_the_page_sends_it_twice()
    {
        var shop = await _app.CreateBusinessAsync("bakery");
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        var first = await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "client-1", "Hello, are you open?", "Mia");
        var again = await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "client-1", "Hello, are you open?", "Mia");

        again.Id.Should().Be(first.Id);
        var stored = await _app.WithDbAsync(db => db.Messages.Where(m => m.BusinessId == shop.Id).ToListAsync());
        stored.Should().ContainSingle().Which.Body.Should().Be("Hello, are you open?");
        var chat = await _app.WithDbAsync(db => db.Chats.Include(c => c.Contact).SingleAsync(c => c.BusinessId == shop.Id));
        chat.UnreadCount.Should().Be(1);
        chat.Contact.Name.Should().Be("Mia");
    }

    [Fact]
    public async Task The_customer_sees_their_thread_again_after_reconnecting()
    {
        var shop = await _app.CreateBusinessAsync("florist");
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "c1", "Roses for Friday?", null);
        await customer.Hub.StopAsync();

        await using var again = _app.Hub($"/hubs/chat?slug={shop.Slug}", customer.CookieHeader);
        await again.StartAsync();
        var history = await again.InvokeAsync<List<CustomerMessageView>>("History");

        history.Should().ContainSingle().Which.Should().Match<CustomerMessageView>(m => m.Body == "Roses for Friday?" && m.Mine);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n ")]
    public async Task An_empty_message_is_refused_with_a_clear_reason(string text)
    {
        var shop = await _app.CreateBusinessAsync("grocer");
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        var send = () => customer.Hub.InvokeAsync<CustomerMessageView>("Send", "c1", text, null);

        (await send.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("Write a message first");
        (await _app.WithDbAsync(db => db.Messages.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task A_message_over_4096_characters_is_refused_counting_emoji_as_one_character()
    {
        var shop = await _app.CreateBusinessAsync("toys");
        await using var customer = await _app.NewCustomerAsync(shop.Slug);

        var fits = string.Concat(Enumerable.Repeat("😀", MessageText.MaxLength));
        var tooLong = fits + "a";

        (await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "ok", fits, null)).Body.Should().Be(fits);
        var send = () => customer.Hub.InvokeAsync<CustomerMessageView>("Send", "long", tooLong, null);
        (await send.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("at most 4096 characters");
    }

    [Fact]
    public async Task An_unknown_business_has_no_chat_page()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/c/no-such-shop");

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Page not found");
    }
}
