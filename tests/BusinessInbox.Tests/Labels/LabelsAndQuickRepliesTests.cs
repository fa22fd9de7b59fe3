using System.Net;
using System.Net.Http.Json;
using BusinessInbox.AutoReplies;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Labels;
using BusinessInbox.QuickReplies;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.Tests.Labels;

public sealed class LabelsAndQuickRepliesTests : IAsyncLifetime
{
    private readonly InboxApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(await client.GetStringAsync(path.Split('?')[0]));
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private Task<List<LabelView>> LabelsOfAsync(int businessId) => _app.WithDbAsync(db => LabelService.ListAsync(db, businessId, default));

    private Task<int> LabelIdAsync(int businessId, string name) =>
        _app.WithDbAsync(db => db.Labels.Where(l => l.BusinessId == businessId && l.Name == name).Select(l => l.Id).SingleAsync());

    [Fact]
    public async Task A_new_business_starts_with_the_five_WhatsApp_labels()
    {
        var shop = await _app.CreateBusinessAsync("fresh");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        var labels = await staff.Hub.InvokeAsync<List<LabelView>>("Labels");

        labels.Select(l => l.Name).Should().BeEquivalentTo("New customer", "New order", "Pending payment", "Paid", "Order complete");
        labels.Should().OnlyContain(l => LabelColors.IsValid(l.Color));
    }

    [Fact]
    public async Task A_label_name_that_differs_only_in_letter_case_is_refused_with_a_clear_message()
    {
        var shop = await _app.CreateBusinessAsync("cases");
        await _app.AddMemberAsync(shop, "admin@cases.test", MemberRole.Admin);
        var admin = await _app.SignInAsync("admin@cases.test");

        var created = await PostFormAsync(admin.Client, "/settings/labels", new() { ["Name"] = "Wholesale", ["Color"] = "7" });
        created.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await admin.Client.GetStringAsync("/settings/labels")).Should().Contain("Label &quot;Wholesale&quot; created.");

        var duplicate = await PostFormAsync(admin.Client, "/settings/labels", new() { ["Name"] = "  PAID ", ["Color"] = "2" });
        duplicate.StatusCode.Should().Be(HttpStatusCode.OK);
        (await duplicate.Content.ReadAsStringAsync()).Should().Contain("There is already a label called &quot;PAID&quot;");

        var labels = await LabelsOfAsync(shop.Id);
        labels.Should().HaveCount(6);
        labels.Should().ContainSingle(l => l.Name == "Wholesale" && l.Color == 7);

        // The database itself refuses a second "paid", whoever writes it.
        var bypass = () => _app.WithDbAsync(db =>
        {
            db.Labels.Add(new Label { BusinessId = shop.Id, Name = "paid", NormalizedName = LabelService.Normalize("paid") });
            return db.SaveChangesAsync();
        });
        await bypass.Should().ThrowAsync<DbUpdateException>();
    }

    [Fact]
    public async Task An_agent_can_use_labels_but_not_manage_them()
    {
        var shop = await _app.CreateBusinessAsync("agents");
        await _app.AddMemberAsync(shop, "agent@agents.test", MemberRole.Agent);
        var agent = await _app.SignInAsync("agent@agents.test");

        (await agent.Client.GetAsync("/settings/labels")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.Client.GetAsync("/settings/quick-replies")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_label_of_another_business_cannot_be_applied_and_nothing_changes()
    {
        var mine = await _app.CreateBusinessAsync("mine");
        var theirs = await _app.CreateBusinessAsync("theirs");
        var chat = await _app.CustomerWritesAsync(mine.Id, "visitor", "Hello");
        var paid = await LabelIdAsync(mine.Id, "Paid");
        var theirPaid = await LabelIdAsync(theirs.Id, "Paid");
        await using var staff = await StaffSession.StartAsync(_app, mine.OwnerEmail);
        await staff.Hub.InvokeAsync("SetChatLabels", chat.ChatId, new[] { paid });

        var attempt = () => staff.Hub.InvokeAsync("SetChatLabels", chat.ChatId, new[] { paid, theirPaid });

        (await attempt.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not found");
        var summary = await staff.Hub.InvokeAsync<ThreadView>("Thread", chat.ChatId, null);
        summary.Chat.Labels.Select(l => l.Id).Should().Equal(paid);
    }

    [Fact]
    public async Task A_label_put_on_a_chat_shows_live_for_every_member_and_deleting_the_label_takes_it_off()
    {
        var shop = await _app.CreateBusinessAsync("live-labels");
        await _app.AddMemberAsync(shop, "agent@live-labels.test", MemberRole.Agent);
        var chat = await _app.CustomerWritesAsync(shop.Id, "visitor", "Where is my order?", "Lena");
        var newOrder = await LabelIdAsync(shop.Id, "New order");
        await using var owner = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        await using var agent = await StaffSession.StartAsync(_app, "agent@live-labels.test");

        await agent.Hub.InvokeAsync("SetChatLabels", chat.ChatId, new[] { newOrder });

        var pushed = await Eventually.ReturnsAsync(
            () => Task.FromResult(owner.Changes.LastOrDefault(c => c.Chat.Id == chat.ChatId).Chat),
            c => c is not null && c.Labels.Count == 1, "the owner to see the new label");
        pushed!.Labels.Single().Name.Should().Be("New order");

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LabelService>().DeleteAsync(shop.Id, newOrder, default);
        }
        var thread = await owner.Hub.InvokeAsync<ThreadView>("Thread", chat.ChatId, null);
        thread.Chat.Labels.Should().BeEmpty();
    }

    [Fact]
    public async Task The_label_filter_returns_only_labelled_chats_across_pages_in_the_hub_and_the_api()
    {
        var shop = await _app.CreateBusinessAsync("filtered");
        var paid = await LabelIdAsync(shop.Id, "Paid");
        var pending = await LabelIdAsync(shop.Id, "Pending payment");
        var chats = new List<int>();
        for (var i = 0; i < 9; i++)
        {
            chats.Add((await _app.CustomerWritesAsync(shop.Id, $"visitor-{i}", $"Message {i}", $"Customer {i}")).ChatId);
        }
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        var labelled = new[] { chats[0], chats[3], chats[4], chats[8] };
        foreach (var id in labelled)
        {
            await staff.Hub.InvokeAsync("SetChatLabels", id, new[] { paid });
        }
        await staff.Hub.InvokeAsync("SetChatLabels", chats[5], new[] { pending });

        var seen = new List<ChatSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Cursor: cursor, Limit: 2, Labels: [paid]));
            seen.AddRange(page.Chats);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        pages.Should().BeGreaterThan(1);
        seen.Select(c => c.Id).Should().BeEquivalentTo(labelled).And.OnlyHaveUniqueItems();
        seen.Should().OnlyContain(c => c.Labels.Any(l => l.Name == "Paid"));
        (await staff.Hub.InvokeAsync<ChatPage>("ListChats", new InboxFilter(Labels: [paid, pending]))).Chats.Select(c => c.Id)
            .Should().BeEquivalentTo(labelled.Append(chats[5]));

        using var api = await BusinessInbox.Tests.Api.ApiTests.ApiClientAsync(_app, shop.Id);
        var fromApi = await api.GetFromJsonAsync<ChatPage>($"/api/v1/conversations?label={pending}", Json);
        fromApi!.Chats.Select(c => c.Id).Should().Equal(chats[5]);
        fromApi.Chats[0].Labels.Single().Hex.Should().Be(LabelColors.Palette[10].Hex);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    [Fact]
    public async Task A_duplicate_shortcut_is_refused_with_a_clear_message()
    {
        var shop = await _app.CreateBusinessAsync("shortcuts");
        var owner = await _app.SignInAsync(shop.OwnerEmail);

        (await PostFormAsync(owner.Client, "/settings/quick-replies", new() { ["Shortcut"] = "/thanks", ["Text"] = "Thank you, {contact.name}!" }))
            .StatusCode.Should().Be(HttpStatusCode.Redirect);
        var duplicate = await PostFormAsync(owner.Client, "/settings/quick-replies", new() { ["Shortcut"] = "Thanks", ["Text"] = "Another text" });
        (await duplicate.Content.ReadAsStringAsync()).Should().Contain("There is already a quick reply /thanks.");
        var bad = await PostFormAsync(owner.Client, "/settings/quick-replies", new() { ["Shortcut"] = "two words", ["Text"] = "Hi {customer}" });
        var html = await bad.Content.ReadAsStringAsync();
        html.Should().Contain("Use 1 to 25 lowercase letters").And.Contain("Unknown placeholder {customer}");

        var stored = await _app.WithDbAsync(db => db.QuickReplies.Where(q => q.BusinessId == shop.Id).Select(q => new { q.Shortcut, q.Text }).ToListAsync());
        stored.Should().ContainSingle().Which.Should().Be(new { Shortcut = "thanks", Text = "Thank you, {contact.name}!" });
    }

    [Fact]
    public async Task A_quick_reply_is_filled_in_with_the_contact_and_business_of_the_chat()
    {
        var shop = await _app.CreateBusinessAsync("fill-in", name: "Corner Bakery");
        var other = await _app.CreateBusinessAsync("other-shop");
        var chat = await _app.CustomerWritesAsync(shop.Id, "visitor", "Hi", "Lena");
        var theirChat = await _app.CustomerWritesAsync(other.Id, "visitor", "Hi", "Sam");
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<QuickReplyService>();
            (await service.SaveAsync(shop.Id, null, "thanks", "Thanks {contact.name}, love from {business.name}.", default)).Should().BeEmpty();
            (await service.SaveAsync(other.Id, null, "secret", "Their text", default)).Should().BeEmpty();
        }
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);

        var replies = await staff.Hub.InvokeAsync<List<QuickReplyView>>("QuickReplies");
        replies.Should().ContainSingle().Which.Shortcut.Should().Be("thanks");
        var text = await staff.Hub.InvokeAsync<string>("RenderQuickReply", chat.ChatId, replies[0].Id);

        text.Should().Be("Thanks Lena, love from Corner Bakery.");
        var theirId = await _app.WithDbAsync(db => db.QuickReplies.Where(q => q.BusinessId == other.Id).Select(q => q.Id).SingleAsync());
        var foreignReply = () => staff.Hub.InvokeAsync<string>("RenderQuickReply", chat.ChatId, theirId);
        (await foreignReply.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not found");
        var foreignChat = () => staff.Hub.InvokeAsync<string>("RenderQuickReply", theirChat.ChatId, replies[0].Id);
        (await foreignChat.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not found");
    }

    [Theory]
    [InlineData(Recipients.OnlyLabels, true)]
    [InlineData(Recipients.ExceptLabels, false)]
    public async Task Automatic_replies_can_go_only_to_or_skip_the_chats_with_chosen_labels(Recipients recipients, bool labelledGetsIt)
    {
        var shop = await _app.CreateBusinessAsync("vip-shop");
        var vip = await LabelIdAsync(shop.Id, "Paid");
        var labelled = await _app.CustomerWritesAsync(shop.Id, "vip", "hello");
        var plain = await _app.CustomerWritesAsync(shop.Id, "walk-in", "hello");
        await using var staff = await StaffSession.StartAsync(_app, shop.OwnerEmail);
        await staff.Hub.InvokeAsync("SetChatLabels", labelled.ChatId, new[] { vip });
        await _app.WithDbAsync(async db =>
        {
            var business = await db.Businesses.SingleAsync(b => b.Id == shop.Id);
            business.AutoReplies = AutoReplySettings.Off with
            {
                KeywordRules = [new KeywordRule(1, ["price"], "Our prices are on the menu.")],
                Recipients = recipients,
                RecipientLabels = [vip],
            };
            await db.SaveChangesAsync();
        });

        await _app.CustomerWritesAsync(shop.Id, "vip", "price?");
        await _app.CustomerWritesAsync(shop.Id, "walk-in", "price?");

        var answered = await _app.WithDbAsync(db => db.Messages.Where(m => m.Author == MessageAuthor.Automatic).Select(m => m.ChatId).ToListAsync());
        answered.Should().Equal(labelledGetsIt ? labelled.ChatId : plain.ChatId);
    }

    [Fact]
    public async Task Another_business_label_or_quick_reply_cannot_be_edited_or_deleted_from_the_settings_pages()
    {
        var mine = await _app.CreateBusinessAsync("page-mine");
        var theirs = await _app.CreateBusinessAsync("page-theirs");
        var theirLabel = await LabelIdAsync(theirs.Id, "Paid");
        int theirReply;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<QuickReplyService>().SaveAsync(theirs.Id, null, "secret", "Their answer", default)).Should().BeEmpty();
            theirReply = await _app.WithDbAsync(db => db.QuickReplies.Where(q => q.BusinessId == theirs.Id).Select(q => q.Id).SingleAsync());
        }
        var owner = await _app.SignInAsync(mine.OwnerEmail);

        (await owner.Client.GetAsync($"/settings/labels?edit={theirLabel}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await owner.Client.GetAsync($"/settings/quick-replies?edit={theirReply}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await PostFormAsync(owner.Client, $"/settings/labels?edit={theirLabel}", new() { ["Name"] = "Mine now", ["Color"] = "1", ["edit"] = $"{theirLabel}" }))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await PostFormAsync(owner.Client, "/settings/labels?handler=Delete", new() { ["id"] = $"{theirLabel}" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await PostFormAsync(owner.Client, $"/settings/quick-replies?edit={theirReply}", new() { ["Shortcut"] = "mine", ["Text"] = "Mine now", ["edit"] = $"{theirReply}" }))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await PostFormAsync(owner.Client, "/settings/quick-replies?handler=Delete", new() { ["id"] = $"{theirReply}" })).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await LabelsOfAsync(theirs.Id)).Should().ContainSingle(l => l.Id == theirLabel && l.Name == "Paid");
        (await _app.WithDbAsync(db => db.QuickReplies.SingleAsync(q => q.Id == theirReply))).Text.Should().Be("Their answer");
    }

    [Fact]
    public async Task The_auto_replies_page_saves_label_recipients_and_asks_for_a_label_when_none_is_chosen()
    {
        var shop = await _app.CreateBusinessAsync("recipients");
        var paid = await LabelIdAsync(shop.Id, "Paid");
        var owner = await _app.SignInAsync(shop.OwnerEmail);
        var form = new Dictionary<string, string> { ["Recipients"] = "OnlyLabels", ["SilenceDays"] = "14", ["StaffQuietMinutes"] = "10" };

        var missing = await PostFormAsync(owner.Client, "/settings/auto-replies", new(form));
        (await missing.Content.ReadAsStringAsync()).Should().Contain("Choose at least one label for these recipients.");

        var saved = await PostFormAsync(owner.Client, "/settings/auto-replies", new(form) { ["RecipientLabels"] = $"{paid}" });
        saved.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var settings = await _app.WithDbAsync(db => db.Businesses.Where(b => b.Id == shop.Id).Select(b => b.AutoReplies).SingleAsync());
        settings.Recipients.Should().Be(Recipients.OnlyLabels);
        settings.RecipientLabels.Should().Equal(paid);
        (await owner.Client.GetStringAsync("/settings/auto-replies")).Should().Contain($"id=\"recipient-label-{paid}\" value=\"{paid}\" checked=\"checked\"");
    }
}
