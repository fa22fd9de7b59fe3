using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class WindowAndReceiptsTests
{
    [Fact]
    public async Task A_reply_more_than_24_hours_after_the_customers_last_message_is_refused_with_a_clear_message_and_nothing_is_sent()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await WhatsAppWorld.StartAsync(clock);
        await world.PostOkAsync(CustomerText("wamid.old", "Do you repair bikes?"));
        var chatId = (await world.MessagesAsync()).Single().ChatId;

        // The clock jumps while no live connection is open: a connection would time out across such a jump.
        clock.Advance(TimeSpan.FromHours(23.9));
        await world.App.CommandAsync(c => c.ReplyAsync(world.Shop.Id, chatId, world.Shop.OwnerId, "Yes, we do.", privateNote: false, default));
        await Eventually.ReturnsAsync(() => Task.FromResult(world.Graph.Sends.Count), n => n == 1, "the reply inside the window to be sent");
        clock.Advance(TimeSpan.FromHours(0.2));
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var late = () => staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Still interested?");

        (await late.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("24-hour window closed");
        (await world.MessagesAsync()).Select(m => m.Body).Should().Equal("Do you repair bikes?", "Yes, we do.");
        (await staff.Hub.InvokeAsync<MessageView>("AddNote", chatId, "Call them instead")).Body.Should().Be("Call them instead", "private notes are not messages to the customer");
        world.Graph.Sends.Should().ContainSingle();
    }

    [Fact]
    public async Task With_read_receipts_on_opening_a_chat_marks_the_newest_customer_message_read_on_WhatsApp()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await world.App.WithDbAsync(db => db.WhatsAppChannels.ExecuteUpdateAsync(s => s.SetProperty(c => c.SendReadReceipts, true)));
        await world.PostOkAsync(Payload(Entry(Messages("16505551234", "Sheena", Text("16505551234", "wamid.r1", "One"), Text("16505551234", "wamid.r2", "Two")))));
        var chatId = (await world.MessagesAsync()).First().ChatId;
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);

        await staff.Hub.InvokeAsync("MarkRead", chatId);

        var receipt = world.Graph.Requests.Should().ContainSingle().Subject;
        receipt.Path.Should().Be($"/v23.0/{PhoneNumberId}/messages");
        receipt.Json!.ToJsonString().Should().Be("""{"messaging_product":"whatsapp","status":"read","message_id":"wamid.r2"}""");
    }

    [Fact]
    public async Task Read_receipts_are_off_by_default()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await world.PostOkAsync(CustomerText("wamid.quiet", "Hello"));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);

        await staff.Hub.InvokeAsync("MarkRead", chatId);
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Hi!");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);

        world.Graph.Requests.Should().ContainSingle().Which.Json!["type"]!.GetValue<string>().Should().Be("text");
        (await world.App.WithDbAsync(db => db.Messages.SingleAsync(m => m.ExternalId == "wamid.quiet"))).Status.Should().Be(MessageStatus.Read, "the inbox still shows staff read it");
    }
}
