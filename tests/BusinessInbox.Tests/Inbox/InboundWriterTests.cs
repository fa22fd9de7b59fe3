using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.WhatsApp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Inbox;

/// <summary>The group write of customer messages, beyond what the channels' own tests show.</summary>
public sealed class InboundWriterTests : IAsyncLifetime
{
    private WhatsAppWorld _world = null!;

    public async Task InitializeAsync() => _world = await WhatsAppWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private InboundMessage From(string phone, string id, string body, int? businessId = null) =>
        new(businessId ?? _world.Shop.Id, ChannelKind.WhatsApp, phone, "Customer " + phone[^2..], "+" + phone, id, body);

    [Fact]
    public async Task A_message_that_cannot_be_stored_fails_alone_and_the_messages_around_it_and_after_it_are_stored()
    {
        var inbound = _world.App.Services.GetRequiredService<InboundMessages>();

        // Sent together, so that they can share a group; the middle one names a business that does not exist.
        var first = inbound.ReceiveAsync(From("4917000000001", "wamid.ok-1", "First"), default);
        var broken = inbound.ReceiveAsync(From("4917000000002", "wamid.broken", "Nobody's", businessId: 999_999), default);
        var second = inbound.ReceiveAsync(From("4917000000003", "wamid.ok-2", "Second"), default);

        await FluentActions.Awaiting(() => broken).Should().ThrowAsync<Exception>();
        (await Task.WhenAll(first, second)).Should().OnlyContain(r => !r.Duplicate);
        var third = await inbound.ReceiveAsync(From("4917000000001", "wamid.ok-3", "Third"), default);

        (await _world.MessagesAsync()).Select(m => m.Body).Should().BeEquivalentTo("First", "Second", "Third");
        var chat = await _world.App.WithDbAsync(db => db.Chats.AsNoTracking().SingleAsync(c => c.Id == third.ChatId));
        chat.UnreadCount.Should().Be(2);
        chat.LastMessageId.Should().Be(third.MessageId);
        chat.LastMessagePreview.Should().Be("Third");
    }

    [Fact]
    public async Task A_message_repeated_within_one_group_is_stored_once_and_both_callers_get_its_row()
    {
        var inbound = _world.App.Services.GetRequiredService<InboundMessages>();
        var message = From("4917000000004", "wamid.twice", "Once");

        var answers = await Task.WhenAll(inbound.ReceiveAsync(message, default), inbound.ReceiveAsync(message, default));

        answers.Select(a => a.MessageId).Distinct().Should().ContainSingle();
        answers.Count(a => a.Duplicate).Should().Be(1);
        (await _world.MessagesAsync()).Should().ContainSingle();
    }
}
