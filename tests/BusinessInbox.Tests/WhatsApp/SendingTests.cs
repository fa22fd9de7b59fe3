using System.Globalization;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class SendingTests
{
    private const string Customer = "16505551234";

    private static async Task<(StaffSession Staff, int ChatId)> CustomerAsksAsync(WhatsAppWorld world)
    {
        await world.PostOkAsync(CustomerText("wamid.question", "Are you open today?", Customer));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        return (await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail), chatId);
    }

    private static string Id(long messageId) => messageId.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_staff_reply_in_a_WhatsApp_chat_reaches_the_Graph_API_as_the_documented_request_and_keeps_the_wamid()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Yes, we are open until 18:00.");

        await staff.StatusAsync(reply.Id, MessageStatus.Sent);
        var request = world.Graph.Sends.Should().ContainSingle().Subject;
        request.Path.Should().Be($"/v23.0/{PhoneNumberId}/messages");
        request.Authorization.Should().Be("Bearer " + AccessToken);
        var json = request.Json!;
        json.ToJsonString().Should().Be(System.Text.Json.Nodes.JsonNode.Parse($$"""
            { "messaging_product": "whatsapp", "recipient_type": "individual", "to": "{{Customer}}",
              "type": "text", "text": { "preview_url": false, "body": "Yes, we are open until 18:00." },
              "biz_opaque_callback_data": "{{Id(reply.Id)}}" }
            """)!.ToJsonString());
        (await world.MessageAsync(reply.Id)).ExternalId.Should().Be("wamid.fake1");
    }

    [Fact]
    public async Task Statuses_arriving_out_of_order_end_at_read()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Thanks!");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);

        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "read")))));
        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "delivered")))));
        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "sent")))));

        await staff.StatusAsync(reply.Id, MessageStatus.Read);
        var stored = await world.MessageAsync(reply.Id);
        stored.Status.Should().Be(MessageStatus.Read);
        (stored.PricingCategory, stored.Billable).Should().Be(("service", false));
        staff.Statuses.Where(s => s.Ids.Contains(reply.Id)).Select(s => s.Status).Should().NotContain(MessageStatus.Delivered);
    }

    [Fact]
    public async Task Statuses_that_arrive_among_customers_messages_move_the_ticks_and_every_message_is_stored()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Thanks!");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);

        // One delivery with a new customer's message and the reply's first status, while other customers write.
        var others = Enumerable.Range(1, 12).Select(i => world.PostOkAsync(CustomerText($"wamid.other{i}", $"Question {i}", $"1650555{i:D4}")));
        var mixed = world.PostOkAsync(Payload(Entry(
            Messages("16505550099", "Ana", Text("16505550099", "wamid.ana", "Do you deliver?")),
            Statuses(Status("wamid.fake1", "delivered")))));
        await Task.WhenAll([.. others, mixed]);
        await staff.StatusAsync(reply.Id, MessageStatus.Delivered);
        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "read")))));

        await staff.StatusAsync(reply.Id, MessageStatus.Read);
        (await world.MessageAsync(reply.Id)).Status.Should().Be(MessageStatus.Read);
        var customers = (await world.MessagesAsync()).Where(m => m.Direction == MessageDirection.Inbound).Select(m => m.ExternalId);
        customers.Should().BeEquivalentTo(["wamid.question", "wamid.ana", .. Enumerable.Range(1, 12).Select(i => $"wamid.other{i}")]);
    }

    [Fact]
    public async Task Replies_to_many_customers_at_once_are_each_sent_once_and_each_moves_to_delivered()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        for (var i = 1; i <= 12; i++)
        {
            await world.PostOkAsync(CustomerText($"wamid.question{i}", $"Question {i}", $"1650555{i:D4}"));
        }
        var chatIds = (await world.MessagesAsync()).Select(m => m.ChatId).ToList();
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);

        var replies = await Task.WhenAll(chatIds.Select(chatId => staff.Hub.InvokeAsync<MessageView>("Send", chatId, "On our way!")));
        foreach (var reply in replies)
        {
            await staff.StatusAsync(reply.Id, MessageStatus.Sent);
        }
        var wamids = await Task.WhenAll(replies.Select(async r => (await world.MessageAsync(r.Id)).ExternalId!));
        await world.PostOkAsync(Payload(Entry(Statuses([.. wamids.Select(w => Status(w, "delivered"))]))));

        foreach (var reply in replies)
        {
            await staff.StatusAsync(reply.Id, MessageStatus.Delivered);
        }
        world.Graph.Sends.Should().HaveCount(12);
        wamids.Should().OnlyHaveUniqueItems().And.AllSatisfy(w => w.Should().StartWith("wamid.fake"));
        (await world.App.WithDbAsync(db => db.Outbox.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task A_failed_status_for_a_closed_window_shows_a_readable_reason()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Are you still there?");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);

        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "failed",
            errors: new[] { new { code = 131047, title = "Re-engagement message", message = "Re-engagement message", error_data = new { details = "Message failed to send because more than 24 hours have passed since the customer last replied to this number." } } })))));

        var push = await staff.StatusAsync(reply.Id, MessageStatus.Failed);
        push.Reason.Should().Be("24-hour window closed — send a template");
        (await world.MessageAsync(reply.Id)).FailureReason.Should().Be("24-hour window closed — send a template");
    }

    [Fact]
    public async Task A_send_refused_with_the_window_closed_error_fails_at_once_with_the_reason()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        world.Graph.ThenAnswer(GraphAnswer.Error(131047, "Re-engagement message"));

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Hello again");

        (await staff.StatusAsync(reply.Id, MessageStatus.Failed)).Reason.Should().Be("24-hour window closed — send a template");
        world.Graph.Sends.Should().ContainSingle();
    }

    [Fact]
    public async Task An_expired_token_fails_the_reply_and_flags_the_channel_so_no_further_send_is_tried()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        world.Graph.ThenAnswer(GraphAnswer.Error(190, "Error validating access token: Session has expired", status: 401));

        var first = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "One");
        (await staff.StatusAsync(first.Id, MessageStatus.Failed)).Reason.Should().Be("WhatsApp access token expired or invalid");
        var second = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Two");
        (await staff.StatusAsync(second.Id, MessageStatus.Failed)).Reason.Should().Be("WhatsApp access token expired or invalid");

        world.Graph.Sends.Should().ContainSingle();
        (await world.App.WithDbAsync(db => db.WhatsAppChannels.SingleAsync())).Status.Should().Be(WhatsAppChannelStatus.TokenFailed);
    }

    [Fact]
    public async Task A_rate_limit_error_object_is_retried_after_a_backoff_and_the_reply_is_delivered_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await WhatsAppWorld.StartAsync(clock);
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        world.Graph.ThenAnswer(GraphAnswer.Error(130429, "Rate limit hit", status: 400));

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Coming right up");

        var row = await Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == reply.Id)),
            o => o is { Attempts: 1 }, "the rate-limited send to be rescheduled");
        var failedAt = clock.GetUtcNow();
        (row!.NextAttemptAt - failedAt).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(4));
        (await world.MessageAsync(reply.Id)).Status.Should().Be(MessageStatus.Queued);

        await Eventually.ReturnsAsync(() =>
        {
            if (world.Graph.Sends.Count < 2)
            {
                clock.Advance(TimeSpan.FromMilliseconds(250));
            }
            return Task.FromResult(world.Graph.Sends.Count);
        }, n => n >= 2, "the retry");
        clock.GetUtcNow().Should().BeOnOrAfter(row.NextAttemptAt, "no retry is made before its time");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);
        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "delivered", Id(reply.Id))))));
        await staff.StatusAsync(reply.Id, MessageStatus.Delivered);

        world.Graph.Sends.Should().HaveCount(2);
        (await world.MessageAsync(reply.Id)).ExternalId.Should().Be("wamid.fake1");
    }

    [Fact]
    public async Task A_send_that_timed_out_is_reconciled_from_a_later_delivered_webhook_and_not_sent_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await WhatsAppWorld.StartAsync(clock);
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        world.Graph.ThenAnswer(new GraphAnswer(200, new { messaging_product = "whatsapp", messages = new[] { new { id = "wamid.slow" } } }, TimeSpan.FromSeconds(30)));

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Your parcel left today");
        await Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == reply.Id)),
            o => o is { Attempts: 1 }, "the timed-out send to be rescheduled");

        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.slow", "delivered", Id(reply.Id))))));

        await staff.StatusAsync(reply.Id, MessageStatus.Delivered);
        (await world.App.WithDbAsync(db => db.Outbox.CountAsync(o => o.MessageId == reply.Id))).Should().Be(0);
        await staff.DisposeAsync();
        // Small steps: the dispatcher's timers follow the fake clock.
        for (var i = 0; i < 20; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(3));
        }
        // A later reply goes out; by then the first would have been retried, had it still been queued.
        await world.App.CommandAsync(c => c.ReplyAsync(world.Shop.Id, chatId, world.Shop.OwnerId, "Anything else?", privateNote: false, default));
        await Eventually.ReturnsAsync(() => Task.FromResult(world.Graph.Sends.Count), n => n >= 2, "the later reply to be sent");
        world.Graph.Sends.Select(s => s.Json!["text"]!["body"]!.GetValue<string>()).Should().Equal("Your parcel left today", "Anything else?");
        (await world.MessageAsync(reply.Id)).ExternalId.Should().Be("wamid.slow");
    }

    [Fact]
    public async Task A_send_that_timed_out_and_is_never_confirmed_is_marked_as_maybe_not_sent_after_the_configured_hours_and_can_be_retried()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await WhatsAppWorld.StartAsync(clock);
        var (staff, chatId) = await CustomerAsksAsync(world);
        world.Graph.ThenAnswer(new GraphAnswer(200, new { messaging_product = "whatsapp", messages = new[] { new { id = "wamid.lost" } } }, TimeSpan.FromSeconds(30)));
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "See you tomorrow");
        var parked = await Eventually.ReturnsAsync(
            () => world.App.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == reply.Id)),
            o => o is { Attempts: 1 }, "the timed-out send to wait for a confirmation");
        (parked!.NextAttemptAt - clock.GetUtcNow()).Should().Be(TimeSpan.FromHours(3), "WhatsApp:UnconfirmedAfter is three hours by default");
        await staff.DisposeAsync();

        // Small steps with no live connection open: the dispatcher's timers follow the fake clock.
        for (var i = 0; i < 58; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(3));
        }
        (await world.MessageAsync(reply.Id)).Status.Should().Be(MessageStatus.Queued, "without news it keeps waiting until the three hours are up");
        world.Graph.Sends.Should().ContainSingle("a send that may have arrived is never repeated on its own");
        var failed = await Eventually.ReturnsAsync(async () =>
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            return await world.MessageAsync(reply.Id);
        }, m => m.Status == MessageStatus.Failed, "the unconfirmed message to be marked");
        failed.FailureReason.Should().Be("No confirmation from the channel — it may not have been sent");
        world.Graph.Sends.Should().ContainSingle();

        await using var again = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        await again.Hub.InvokeAsync("Retry", reply.Id);
        await again.StatusAsync(reply.Id, MessageStatus.Sent);
        world.Graph.Sends.Should().HaveCount(2).And.OnlyContain(r => r.Json!["biz_opaque_callback_data"]!.GetValue<string>() == Id(reply.Id));
    }

    [Fact]
    public async Task A_status_that_overtakes_the_send_call_is_kept_and_applied_when_the_send_returns()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var (staff, chatId) = await CustomerAsksAsync(world);
        await using var _ = staff;
        // Without callback data, only the wamid links them; it arrives before the send call returns.
        await world.PostOkAsync(Payload(Entry(Statuses(Status("wamid.fake1", "delivered")))));

        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Quick!");

        await staff.StatusAsync(reply.Id, MessageStatus.Delivered);
        (await world.MessageAsync(reply.Id)).Status.Should().Be(MessageStatus.Delivered);
        (await world.App.WithDbAsync(db => db.PendingStatuses.CountAsync())).Should().Be(0);
    }
}
