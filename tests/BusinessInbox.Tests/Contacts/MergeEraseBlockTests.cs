using System.Globalization;
using System.IO.Compression;
using System.Net;
using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Accounts;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Contacts;

public sealed class MergeEraseBlockTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<int> ContactOfChatAsync(int chatId) => _app.WithDbAsync(db => db.Chats.Where(c => c.Id == chatId).Select(c => c.ContactId).SingleAsync());

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_blocked_contact_is_kept_but_raises_no_notification_and_gets_no_automatic_reply()
    {
        var shop = await _app.CreateBusinessAsync("blocking");
        await _app.WithDbAsync(async db =>
        {
            var business = await db.Businesses.SingleAsync(b => b.Id == shop.Id);
            business.AutoReplies = new AutoReplySettings(
                new AwayMessage(false, "", AwaySchedule.OutsideOpeningHours), new GreetingMessage(false, ""),
                [new KeywordRule(1, ["price"], "Our prices are on the website.")]);
            await db.SaveChangesAsync();
        });
        var first = await _app.CustomerWritesAsync(shop.Id, "pest", "price?", "Pest");
        await Eventually.ReturnsAsync(() => _app.WithDbAsync(db => db.Messages.CountAsync(m => m.Author == MessageAuthor.Automatic)), n => n == 1, "the keyword reply before blocking");
        await _app.CommandAsync(c => c.MarkReadAsync(shop.Id, first.ChatId, default));
        var contact = await ContactOfChatAsync(first.ChatId);
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;

        var (block, _) = await client.SubmitAsync($"/contacts/{contact}", new() { ["blocked"] = "true" }, "Block");
        block.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await client.GetStringAsync($"/contacts/{contact}")).Should().Contain("Unblock contact");

        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        var second = await _app.CustomerWritesAsync(shop.Id, "pest", "price?? answer me");
        await Eventually.ReturnsAsync(() => Task.FromResult(staff.Added.Any(m => m.Id == second.MessageId)), x => x, "the blocked contact's message to show in the inbox");

        var stored = await _app.WithDbAsync(db => db.Messages.SingleAsync(m => m.Id == second.MessageId));
        stored.FromBlockedContact.Should().BeTrue("the message is kept, flagged");
        (await _app.WithDbAsync(db => db.Chats.SingleAsync(c => c.Id == second.ChatId))).UnreadCount.Should().Be(0, "it asks for no attention");
        var summary = await _app.WithDbAsync(db => InboxQueries.FindChatAsync(db, shop.Id, second.ChatId, default));
        summary!.Blocked.Should().BeTrue("the inbox skips notifications for it");
        (await _app.WithDbAsync(db => db.Messages.CountAsync(m => m.Author == MessageAuthor.Automatic))).Should().Be(1, "nothing automatic goes to a blocked contact");

        (await client.SubmitAsync($"/contacts/{contact}", new() { ["blocked"] = "false" }, "Block")).Response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var third = await _app.CustomerWritesAsync(shop.Id, "pest", "price please");
        (await _app.WithDbAsync(db => db.Messages.SingleAsync(m => m.Id == third.MessageId))).FromBlockedContact.Should().BeFalse();
        await Eventually.ReturnsAsync(() => _app.WithDbAsync(db => db.Messages.CountAsync(m => m.Author == MessageAuthor.Automatic)), n => n == 2, "replies again once unblocked");
    }

    [Fact]
    public async Task Merging_moves_chats_messages_and_notes_and_keeps_the_counters_equal_to_a_recount()
    {
        var shop = await _app.CreateBusinessAsync("merging");
        var a1 = await _app.CustomerWritesAsync(shop.Id, "visitor-a", "Hello from my laptop", "Anna");
        await _app.CustomerWritesAsync(shop.Id, "visitor-a", "Still there?");
        var b1 = await _app.CustomerWritesAsync(shop.Id, "visitor-b", "Hello from my phone", "Anna (phone)");
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<InboundMessages>().ReceiveAsync(
                new InboundMessage(shop.Id, ChannelKind.WhatsApp, "wa-1", "Anna", "+4930333333", "wamid.1", "On WhatsApp too"), default);
        }
        var kept = await ContactOfChatAsync(a1.ChatId);
        var removed = await ContactOfChatAsync(b1.ChatId);
        var whatsApp = await _app.WithDbAsync(db => db.Chats.SingleAsync(c => c.Channel == ChannelKind.WhatsApp));
        // The WhatsApp chat belongs to the removed contact too.
        await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == whatsApp.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ContactId, removed)));
        await _app.WithDbAsync(db => db.ContactIdentities.Where(i => i.ExternalId == "wa-1").ExecuteUpdateAsync(s => s.SetProperty(i => i.ContactId, removed)));
        await _app.WithDbAsync(db => db.Contacts.Where(c => c.Id == removed).ExecuteUpdateAsync(s => s.SetProperty(c => c.Notes, "Prefers pickup")));
        await _app.CommandAsync(c => c.MarkReadAsync(shop.Id, a1.ChatId, default));
        var paid = await _app.WithDbAsync(async db =>
        {
            var id = await db.Labels.Where(l => l.BusinessId == shop.Id && l.Name == "Paid").Select(l => l.Id).SingleAsync();
            db.ChatLabels.Add(new ChatLabel { ChatId = b1.ChatId, LabelId = id });
            await db.SaveChangesAsync();
            return id;
        });
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        await using var watching = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        (await client.GetStringAsync($"/contacts/{kept}/merge?q=phone")).Should().Contain("Anna (phone)");
        var (merge, _) = await client.SubmitAsync($"/contacts/{kept}/merge?q=phone", new() { ["otherId"] = Id(removed), ["keepId"] = Id(kept) }, postTo: $"/contacts/{kept}/merge");
        merge.StatusCode.Should().Be(HttpStatusCode.Redirect);
        merge.Headers.Location!.OriginalString.Should().Be($"/contacts/{kept}");

        await _app.WithDbAsync(async db =>
        {
            (await db.Contacts.AnyAsync(c => c.Id == removed)).Should().BeFalse();
            (await db.Chats.AnyAsync(c => c.Id == b1.ChatId)).Should().BeFalse("the removed contact's empty web chat is deleted");
            var chats = await db.Chats.Where(c => c.ContactId == kept).ToListAsync();
            chats.Select(c => c.Channel).Should().BeEquivalentTo([ChannelKind.WebChat, ChannelKind.WhatsApp]);
            var web = chats.Single(c => c.Channel == ChannelKind.WebChat);
            (await db.Messages.Where(m => m.ChatId == web.Id).Select(m => m.Body).ToListAsync())
                .Should().BeEquivalentTo(["Hello from my laptop", "Still there?", "Hello from my phone"]);
            web.UnreadCount.Should().Be(1, "the moved message is still unread");
            web.LastMessagePreview.Should().Be("Hello from my phone");
            (await db.ContactIdentities.Where(i => i.ContactId == kept).CountAsync()).Should().Be(3);
            (await db.Contacts.SingleAsync(c => c.Id == kept)).Notes.Should().Be("Prefers pickup");
            (await db.ChatEvents.Where(e => e.ChatId == web.Id && e.Kind == ChatEventKind.ContactMerged).Select(e => e.From).SingleAsync()).Should().Be("Anna (phone)");
            (await db.ChatLabels.Where(l => l.ChatId == web.Id).Select(l => l.LabelId).ToListAsync()).Should().Equal([paid], "the removed chat's labels move to the kept chat");
        });
        await Eventually.ReturnsAsync(() => Task.FromResult(watching.Removed.ToArray()), ids => ids.Contains(b1.ChatId), "open inboxes to drop the merged-away chat");
        var (maintained, recount) = await _app.CountersAsync(shop.Id);
        maintained.Should().Equal(recount);
        maintained["all"].Should().Be(2);
    }

    [Fact]
    public async Task The_data_download_holds_everything_and_erasing_leaves_no_row_and_no_search_hit()
    {
        var shop = await _app.CreateBusinessAsync("erasing");
        var chat = await _app.CustomerWritesAsync(shop.Id, "leaver", "Please forget me after this", "Frieda Leaver");
        await _app.CommandAsync(c => c.ReplyAsync(shop.Id, chat.ChatId, shop.OwnerId, "Of course, Frieda", privateNote: false, default));
        await _app.CommandAsync(c => c.SetStatusAsync(shop.Id, chat.ChatId, shop.OwnerId, ChatStatus.Pending, default));
        var other = await _app.CustomerWritesAsync(shop.Id, "stayer", "I stay", "Stayer");
        var contact = await ContactOfChatAsync(chat.ChatId);
        var client = (await _app.SignInAsync(shop.OwnerEmail)).Client;
        await using var watching = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        var zip = await client.GetAsync($"/contacts/{contact}/data");
        zip.StatusCode.Should().Be(HttpStatusCode.OK);
        zip.Content.Headers.ContentType!.MediaType.Should().Be("application/zip");
        using (var archive = new ZipArchive(await zip.Content.ReadAsStreamAsync()))
        {
            archive.Entries.Select(e => e.Name).Should().BeEquivalentTo(["profile.json", "identities.json", "chats.json", "messages.json", "events.json"]);
            using var messages = new StreamReader(archive.GetEntry("messages.json")!.Open());
            var json = await messages.ReadToEndAsync();
            json.Should().Contain("Please forget me after this").And.Contain("Of course, Frieda").And.NotContain("I stay");
            using var profile = new StreamReader(archive.GetEntry("profile.json")!.Open());
            (await profile.ReadToEndAsync()).Should().Contain("Frieda Leaver");
        }

        var (refused, html) = await client.SubmitAsync($"/contacts/{contact}/erase", new() { ["confirm"] = "someone else" });
        refused.StatusCode.Should().Be(HttpStatusCode.OK);
        html.Should().Contain("Nothing was erased");
        (await _app.WithDbAsync(db => db.Contacts.AnyAsync(c => c.Id == contact))).Should().BeTrue();

        var (erased, _) = await client.SubmitAsync($"/contacts/{contact}/erase", new() { ["confirm"] = "frieda leaver" });
        erased.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await client.GetStringAsync(erased.Headers.Location!.OriginalString)).Should().Contain("The contact and all their messages were erased.");
        await Eventually.ReturnsAsync(() => Task.FromResult(watching.Removed.ToArray()), ids => ids.SequenceEqual([chat.ChatId]), "open inboxes to drop the erased chat");

        await _app.WithDbAsync(async db =>
        {
            (await db.Contacts.AnyAsync(c => c.Id == contact)).Should().BeFalse();
            (await db.ContactIdentities.AnyAsync(i => i.ContactId == contact)).Should().BeFalse();
            (await db.Chats.AnyAsync(c => c.Id == chat.ChatId)).Should().BeFalse();
            (await db.Messages.AnyAsync(m => m.ChatId == chat.ChatId || m.Body.Contains("Frieda") || m.Body.Contains("forget me"))).Should().BeFalse();
            (await db.ChatEvents.AnyAsync(e => e.ChatId == chat.ChatId)).Should().BeFalse();
            (await db.Outbox.AnyAsync(o => o.Message.ChatId == chat.ChatId)).Should().BeFalse();
            (await db.Messages.CountAsync(m => m.ChatId == other.ChatId)).Should().Be(1);
        });
        (await client.GetStringAsync("/contacts?q=Frieda")).Should().Contain("No contact matches your search.");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        (await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Search: "forget"))).Chats.Should().BeEmpty();
        var (maintained, recount) = await _app.CountersAsync(shop.Id);
        maintained.Should().Equal(recount);
    }
}
