using System.Collections.Concurrent;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class ReactionsAndEchoesTests
{
    private const string Customer = "16505551234";

    private static object Reaction(string id, string onMessage, string emoji) =>
        new { from = Customer, id, timestamp = "1739321100", type = "reaction", reaction = new { message_id = onMessage, emoji } };

    private static object Echo(string id, string body, string to = Customer) =>
        new { from = "15550783881", to, id, timestamp = "1739321200", type = "text", text = new { body } };

    private static ConcurrentQueue<(int ChatId, long MessageId, string? Reaction)> RecordReactions(StaffSession staff)
    {
        var pushes = new ConcurrentQueue<(int, long, string?)>();
        staff.Hub.On<int, long, string?>(nameof(IInboxClient.ReactionChanged), (chat, message, reaction) => pushes.Enqueue((chat, message, reaction)));
        return pushes;
    }

    [Fact]
    public async Task A_customers_reaction_is_shown_live_on_the_reply_it_reacts_to_and_an_empty_emoji_removes_it()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await world.PostOkAsync(CustomerText("wamid.question", "Can I pick it up at 5?", Customer));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var pushes = RecordReactions(staff);
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Yes, see you then.");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);

        await world.PostOkAsync(Payload(Entry(Messages(Customer, "Sheena", Reaction("wamid.rx1", "wamid.fake1", "❤️")))));

        await Eventually.ReturnsAsync(() => Task.FromResult(pushes.ToArray()), p => p.Contains((chatId, reply.Id, "❤️")), "the reaction to reach the inbox live");
        var thread = await staff.Hub.InvokeAsync<ThreadView>("Thread", chatId, null);
        thread.Messages.Select(m => (m.Body, m.Reaction)).Should().Equal(("Can I pick it up at 5?", null), ("Yes, see you then.", "❤️"));

        await world.PostOkAsync(Payload(Entry(Messages(Customer, "Sheena", Reaction("wamid.rx2", "wamid.fake1", "")))));

        await Eventually.ReturnsAsync(() => Task.FromResult(pushes.ToArray()), p => p.Contains((chatId, reply.Id, null)), "the removal to reach the inbox live");
        (await world.MessageAsync(reply.Id)).Reaction.Should().BeNull();
        (await world.MessagesAsync()).Should().HaveCount(2, "a reaction is never a message of its own");
    }

    [Fact]
    public async Task A_reaction_on_the_customers_own_message_is_shown_on_it_and_one_on_an_unknown_message_changes_nothing()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await world.PostOkAsync(CustomerText("wamid.photo", "This one?", Customer));

        await world.PostOkAsync(Payload(Entry(Messages(Customer, "Sheena", Reaction("wamid.rx3", "wamid.photo", "👍"), Reaction("wamid.rx4", "wamid.unknown", "😮")))));

        var stored = (await world.MessagesAsync()).Should().ContainSingle().Subject;
        (stored.Body, stored.Reaction).Should().Be(("This one?", "👍"));
    }

    [Fact]
    public async Task A_message_sent_from_the_shops_own_phone_appears_live_as_a_staff_message_stored_once_and_never_sent_again()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await world.PostOkAsync(CustomerText("wamid.ask", "Do you deliver?", Customer));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);

        await world.PostOkAsync(Echoes(Echo("wamid.echo1", "Yes, within the city.")));
        await world.PostOkAsync(Echoes(Echo("wamid.echo1", "Yes, within the city.")));

        var added = await Eventually.ReturnsAsync(() => Task.FromResult(staff.Added.FirstOrDefault(m => m.Body == "Yes, within the city.")), m => m is not null, "the echo to appear live");
        (added!.ChatId, added.Direction, added.Author, added.AuthorName, added.Status)
            .Should().Be((chatId, MessageDirection.Outbound, MessageAuthor.Staff, "+15550783881", MessageStatus.Sent));
        (await world.MessagesAsync()).Select(m => m.Body).Should().Equal("Do you deliver?", "Yes, within the city.");
        (await world.App.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(0);
        world.Graph.Sends.Should().BeEmpty();
        var chat = await world.App.WithDbAsync(db => db.Chats.AsNoTracking().SingleAsync(c => c.Id == chatId));
        (chat.LastMessagePreview, chat.UnreadCount).Should().Be(("Yes, within the city.", 0));

        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.echo1", "read")))));
        await staff.StatusAsync(added.Id, MessageStatus.Read);
    }

    [Fact]
    public async Task A_status_that_arrives_before_the_echo_of_the_shops_phone_message_is_applied_when_the_echo_comes()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await world.PostOkAsync(CustomerText("wamid.ask", "Do you deliver?", Customer));
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.echo-late", "delivered")))));

        await world.PostOkAsync(Echoes(Echo("wamid.echo-late", "Yes, tomorrow.")));

        var echo = (await world.MessagesAsync()).Single(m => m.ExternalId == "wamid.echo-late");
        await staff.StatusAsync(echo.Id, MessageStatus.Delivered);
        (await world.MessageAsync(echo.Id)).Status.Should().Be(MessageStatus.Delivered);
        (await world.App.WithDbAsync(db => db.PendingStatuses.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task A_message_from_the_shops_phone_to_a_new_customer_starts_their_chat()
    {
        await using var world = await WhatsAppWorld.StartAsync();

        await world.PostOkAsync(Echoes(Echo("wamid.echo-new", "Your table is booked for 8.", to: "4915112345678")));

        var stored = (await world.MessagesAsync()).Should().ContainSingle().Subject;
        (stored.Direction, stored.SentFromPhone).Should().Be((MessageDirection.Outbound, "+15550783881"));
        var contact = await world.App.WithDbAsync(db => db.Chats.Where(c => c.Id == stored.ChatId).Select(c => c.Contact).SingleAsync());
        contact.Phone.Should().Be("+4915112345678");
    }
}
