using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Inbox;

public sealed class StaffHubTests : IAsyncLifetime
{
    // Starts at the real time: the tests' cookie jar drops a sign-in cookie whose 14-day expiry is already past on the machine's clock.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly InboxApp _app;

    public StaffHubTests() => _app = new InboxApp { Clock = _clock };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Ticks_move_from_queued_to_read_on_both_sides()
    {
        var shop = await _app.CreateBusinessAsync("ticks");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        await using var customer = await _app.NewCustomerAsync(shop.Slug);
        var customerTicks = customer.RecordStatuses();

        var question = await customer.Hub.InvokeAsync<CustomerMessageView>("Send", "q1", "Is the shop open today?", "Mia");
        var inbound = await Eventually.ReturnsAsync(() => Task.FromResult(staff.Added.FirstOrDefault(m => m.Id == question.Id)),
            m => m is not null, "the staff inbox to show the customer's message");
        var chatId = inbound!.ChatId;

        // The customer's own message: delivered when a staff browser received it, read when staff opened the chat.
        await staff.Hub.InvokeAsync("MarkDelivered", chatId, question.Id);
        await Eventually.ReturnsAsync(() => Task.FromResult(customerTicks.Any(t => t.Status == MessageStatus.Delivered && t.Ids.Contains(question.Id))),
            seen => seen, "the customer to see their message delivered");
        await staff.Hub.InvokeAsync("MarkRead", chatId);
        await Eventually.ReturnsAsync(() => Task.FromResult(customerTicks.Any(t => t.Status == MessageStatus.Read && t.Ids.Contains(question.Id))),
            seen => seen, "the customer to see their message read");
        var counters = await staff.Hub.InvokeAsync<Dictionary<string, int>>("Counters");
        counters["unread"].Should().Be(0);
        var list = await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter());
        list.Chats.Single().UnreadCount.Should().Be(0);

        // The shop's reply: sent by the outbox, delivered to the customer's page, read when the page is visible.
        var reply = await staff.Hub.InvokeAsync<MessageView>("Send", chatId, "Yes, until 6 pm.");
        await staff.StatusAsync(reply.Id, MessageStatus.Sent);
        await customer.Hub.InvokeAsync("Seen", reply.Id, false);
        await staff.StatusAsync(reply.Id, MessageStatus.Delivered);
        (await StatusOf(reply.Id)).Should().Be(MessageStatus.Delivered);
        await customer.Hub.InvokeAsync("Seen", reply.Id, true);
        await staff.StatusAsync(reply.Id, MessageStatus.Read);
        (await StatusOf(reply.Id)).Should().Be(MessageStatus.Read);
        (await StatusOf(question.Id)).Should().Be(MessageStatus.Read);
    }

    [Fact]
    public async Task Assigning_and_changing_status_are_recorded_and_a_new_message_reopens_a_resolved_chat()
    {
        var shop = await _app.CreateBusinessAsync("events");
        var anaId = await _app.AddMemberAsync(shop, "ana@events.test", MemberRole.Agent, "Ana");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        var first = await _app.CustomerWritesAsync(shop.Id, "v-events", "Hello, I ordered a cake");
        var firstEpisode = await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == first.ChatId).Select(c => c.EpisodeStartedAt).SingleAsync());
        firstEpisode.Should().Be(_clock.GetUtcNow());

        await staff.Hub.InvokeAsync("Assign", first.ChatId, anaId);
        var assigned = await Eventually.ReturnsAsync(() => Task.FromResult(staff.Changes.FirstOrDefault(c => c.Change?.Kind == ChatEventKind.Assigned)),
            c => c.Change is not null, "staff to be told about the assignment");
        assigned.Chat.AssigneeName.Should().Be("Ana");
        assigned.Change!.ActorName.Should().Be("Owner of events");
        assigned.Change.From.Should().BeNull();
        assigned.Change.To.Should().Be("Ana");

        await staff.Hub.InvokeAsync("SetStatus", first.ChatId, ChatStatus.Resolved);
        var resolved = await Eventually.ReturnsAsync(() => Task.FromResult(staff.Changes.FirstOrDefault(c => c.Change?.Kind == ChatEventKind.StatusChanged)),
            c => c.Change is not null, "staff to be told about the status change");
        resolved.Chat.Status.Should().Be(ChatStatus.Resolved);
        (resolved.Change!.From, resolved.Change.To).Should().Be(("Open", "Resolved"));

        var thread = await staff.Hub.InvokeAsync<ThreadView>("Thread", first.ChatId, null);
        thread.Events.Select(e => e.To).Should().Equal(["Ana", "Resolved"], "the thread shows the changes between the bubbles");

        _clock.Advance(TimeSpan.FromDays(3));
        await _app.CustomerWritesAsync(shop.Id, "v-events", "The cake was lovely, can I order another?");

        var (status, episode) = await _app.WithDbAsync(db => db.Chats.Where(c => c.Id == first.ChatId)
            .Select(c => new ValueTuple<ChatStatus, DateTimeOffset?>(c.Status, c.EpisodeStartedAt)).SingleAsync());
        status.Should().Be(ChatStatus.Open);
        episode.Should().Be(_clock.GetUtcNow(), "a new episode starts with the first message after the chat was resolved");
        var events = await _app.WithDbAsync(db => db.ChatEvents.Where(e => e.ChatId == first.ChatId).OrderBy(e => e.Id)
            .Select(e => new { e.Kind, e.ActorUserId, e.From, e.To }).ToListAsync());
        events.Should().BeEquivalentTo(
            [
                new { Kind = ChatEventKind.Assigned, ActorUserId = (string?)shop.OwnerId, From = (string?)null, To = (string?)"Ana" },
                new { Kind = ChatEventKind.StatusChanged, ActorUserId = (string?)shop.OwnerId, From = (string?)"Open", To = (string?)"Resolved" },
                new { Kind = ChatEventKind.StatusChanged, ActorUserId = (string?)null, From = (string?)"Resolved", To = (string?)"Open" },
            ],
            o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Each_member_is_pushed_the_tab_counts_with_their_own_mine()
    {
        var shop = await _app.CreateBusinessAsync("counts");
        var anaId = await _app.AddMemberAsync(shop, "ana@counts.test", MemberRole.Agent, "Ana");
        await using var owner = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        await using var ana = await StaffSession.StartAsync(_app, "ana@counts.test");
        var chat = await _app.CustomerWritesAsync(shop.Id, "v-counts", "Hello");

        await owner.Hub.InvokeAsync("Assign", chat.ChatId, anaId);

        var anaCounts = await ana.Hub.InvokeAsync<Dictionary<string, int>>("Counters");
        anaCounts.Should().Contain("mine", 1).And.Contain("unassigned", 0);
        await Eventually.ReturnsAsync(() => Task.FromResult(ana.Counters.ToDictionary()), shown => shown.Count == anaCounts.Count && !shown.Except(anaCounts).Any(),
            "Ana's page to show that one chat is hers");
        var ownerCounts = await owner.Hub.InvokeAsync<Dictionary<string, int>>("Counters");
        ownerCounts.Should().Contain("mine", 0).And.Contain("unassigned", 0);
        await Eventually.ReturnsAsync(() => Task.FromResult(owner.Counters.ToDictionary()), shown => shown.Count == ownerCounts.Count && !shown.Except(ownerCounts).Any(),
            "the owner's page to show that the chat is no longer unassigned");
        owner.Counters.Keys.Should().NotContain(k => k.StartsWith("mine:"), "other members' ids are not sent around");
    }

    [Fact]
    public async Task A_new_customer_chat_moves_every_members_tab_counts()
    {
        var shop = await _app.CreateBusinessAsync("new-chat-counts");
        await _app.AddMemberAsync(shop, "ana@new-chat-counts.test", MemberRole.Agent, "Ana");
        await using var owner = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        await using var ana = await StaffSession.StartAsync(_app, "ana@new-chat-counts.test");

        await _app.CustomerWritesAsync(shop.Id, "v-new-chat", "Hello, are you open?");

        foreach (var (member, session) in new[] { ("the owner", owner), ("Ana", ana) })
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(session.Counters.ToDictionary()),
                shown => shown["all"] == 1 && shown["unread"] == 1 && shown["unassigned"] == 1 && shown["status:open"] == 1 && shown["mine"] == 0,
                $"{member}'s page to count the new chat as unread and unassigned");
        }
    }

    [Fact]
    public async Task A_burst_of_new_chats_is_counted_in_a_few_pushes_that_end_on_the_right_counts()
    {
        var shop = await _app.CreateBusinessAsync("burst-counts");
        await using var owner = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        var pushesBefore = owner.CounterPushes;

        const int chats = 40;
        var burst = System.Diagnostics.Stopwatch.StartNew();
        // One after the other: each is its own stored group, each moves the counts.
        for (var i = 0; i < chats; i++)
        {
            await _app.CustomerWritesAsync(shop.Id, $"v-burst-{i}", "Hi");
        }
        burst.Stop();

        await Eventually.ReturnsAsync(() => Task.FromResult(owner.Counters.ToDictionary()),
            shown => shown["all"] == chats && shown["unread"] == chats && shown["unassigned"] == chats,
            "the owner's page to count every new chat");
        // Five pushes a second at most: one as the burst starts, one for every fifth of a second it lasted, the last after it.
        var allowed = (int)(burst.Elapsed / TimeSpan.FromMilliseconds(200)) + 2;
        (owner.CounterPushes - pushesBefore).Should().BeLessThanOrEqualTo(allowed,
            $"{chats} new chats in {burst.ElapsedMilliseconds} ms are counted in at most five pushes a second");
    }

    [Fact]
    public async Task Filters_and_search_find_the_right_chats_in_any_script()
    {
        var shop = await _app.CreateBusinessAsync("filters");
        var alice = await _app.CustomerWritesAsync(shop.Id, "v-alice", "Do you DELIVER on Sundays?", "Alice Smith", "+4915112345678");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var wang = await _app.CustomerWritesAsync(shop.Id, "v-wang", "你好，请问你们今天营业吗？我想订一个生日蛋糕", "王小明");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var bob = await _app.CustomerWritesAsync(shop.Id, "v-bob", "thanks!", "Bob");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        async Task<int[]> List(InboxFilter filter) =>
            (await staff.Hub.InvokeAsync<ChatPage>("ListChats", filter)).Chats.Select(c => c.Id).ToArray();

        (await List(new InboxFilter(Search: "deliver"))).Should().Equal(alice.ChatId);
        (await List(new InboxFilter(Search: "营业"))).Should().Equal(wang.ChatId);
        (await List(new InboxFilter(Search: "smith"))).Should().Equal(alice.ChatId);
        (await List(new InboxFilter(Search: "15112345"))).Should().Equal(alice.ChatId);
        (await List(new InboxFilter(Search: "100%"))).Should().BeEmpty("LIKE wildcards in the search are taken literally");

        await staff.Hub.InvokeAsync("MarkRead", bob.ChatId);
        await staff.Hub.InvokeAsync("Assign", alice.ChatId, shop.OwnerId);
        await staff.Hub.InvokeAsync("SetStatus", wang.ChatId, ChatStatus.Pending);
        await staff.Hub.InvokeAsync("SetStatus", bob.ChatId, ChatStatus.Resolved);

        (await List(new InboxFilter())).Should().Equal(bob.ChatId, wang.ChatId, alice.ChatId);
        (await List(new InboxFilter(InboxView.Unread))).Should().Equal(wang.ChatId, alice.ChatId);
        (await List(new InboxFilter(InboxView.Mine))).Should().Equal(alice.ChatId);
        (await List(new InboxFilter(InboxView.Unassigned))).Should().Equal(wang.ChatId);
        (await List(new InboxFilter(Status: ChatStatus.Pending))).Should().Equal(wang.ChatId);
        (await List(new InboxFilter(Status: ChatStatus.Resolved))).Should().Equal(bob.ChatId);
        (await List(new InboxFilter(InboxView.Unread, ChatStatus.Open))).Should().Equal(alice.ChatId);

        var counters = await staff.Hub.InvokeAsync<Dictionary<string, int>>("Counters");
        counters.Should().Contain(new Dictionary<string, int>
        {
            ["all"] = 3, ["unread"] = 2, ["mine"] = 1, ["unassigned"] = 1,
            ["status:open"] = 1, ["status:pending"] = 1, ["status:resolved"] = 1,
        });
    }

    [Fact]
    public async Task Keyset_pages_return_every_chat_exactly_once()
    {
        var shop = await _app.CreateBusinessAsync("pages");
        var expected = new List<int>();
        for (var i = 0; i < 23; i++)
        {
            // Several chats share a last-message time, so the id breaks ties.
            if (i % 3 == 0)
            {
                _clock.Advance(TimeSpan.FromSeconds(5));
            }
            expected.Add((await _app.CustomerWritesAsync(shop.Id, $"v-{i}", $"Message {i}")).ChatId);
        }
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        var seen = new List<int>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Cursor: cursor, Limit: 4));
            page.Chats.Count.Should().BeLessThanOrEqualTo(4);
            seen.AddRange(page.Chats.Select(c => c.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 20);

        seen.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(expected);
        seen.Should().Equal(Enumerable.Reverse(expected), "newest first, ties broken by the newer chat");
        pages.Should().Be(6);

        var bad = () => staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Cursor: "not-a-cursor"));
        (await bad.Should().ThrowAsync<HubException>()).WithMessage("*cursor*");
    }

    private Task<MessageStatus> StatusOf(long messageId) =>
        _app.WithDbAsync(db => db.Messages.Where(m => m.Id == messageId).Select(m => m.Status).SingleAsync());
}
