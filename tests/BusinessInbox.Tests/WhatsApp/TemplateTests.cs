using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class TemplateTests
{
    private const string Customer = "16505551234";
    private static readonly string[] OrderValues = ["Sheena", "#1042"];
    private static readonly string[] OneValue = ["Sheena"];

    /// <summary>A customer who wrote more than a day ago: only templates may be sent now.</summary>
    private static async Task<int> WindowClosedChatAsync(WhatsAppWorld world)
    {
        await world.PostOkAsync(CustomerText("wamid.yesterday", "Is my order ready?", Customer));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        await world.App.WithDbAsync(db => db.Chats.Where(c => c.Id == chatId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastCustomerMessageAt, DateTimeOffset.UtcNow.AddHours(-30))));
        return chatId;
    }

    private static async Task SyncAsync(WhatsAppWorld world)
    {
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);
        (await SettingsPageTests.PostFormAsync(owner.Client, "SyncTemplates")).Should().Contain("Templates synced: 5.");
    }

    [Fact]
    public async Task Syncing_reads_every_page_of_templates_and_the_settings_page_lists_them_with_language_category_and_status()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);

        var html = await SettingsPageTests.PostFormAsync(owner.Client, "SyncTemplates");

        html.Should().Contain("Templates synced: 5.")
            .And.Contain("order_ready").And.Contain("de_DE").And.Contain("REJECTED").And.Contain("PENDING").And.Contain("MARKETING")
            .And.Contain("Hi {{1}}, your order {{2}} is ready for pickup.");
        var lists = world.Graph.Requests.Where(r => r.Path == "/v23.0/102290129340398/message_templates").ToList();
        lists.Select(r => r.After).Should().Equal(null, "2", "4");
        lists.Should().OnlyContain(r => r.Authorization == "Bearer " + AccessToken);

        world.Graph.Templates.RemoveAt(2);
        (await SettingsPageTests.PostFormAsync(owner.Client, "SyncTemplates")).Should().Contain("Templates synced: 4.").And.NotContain("we_are_back");
    }

    [Fact]
    public async Task Connecting_a_number_syncs_its_templates()
    {
        await using var world = await WhatsAppWorld.StartAsync(connected: false);
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);

        var html = await SettingsPageTests.PostFormAsync(owner.Client, "Save", new()
        {
            ["Input.PhoneNumberId"] = PhoneNumberId, ["Input.WabaId"] = "102290129340398", ["Input.AccessToken"] = "EAAG-a-fresh-connection-token",
        });

        html.Should().Contain("Saved. Templates synced: 5.");
        (await world.App.WithDbAsync(db => db.WhatsAppTemplates.CountAsync(t => t.BusinessId == world.Shop.Id))).Should().Be(5);
    }

    [Fact]
    public async Task The_composer_is_offered_only_approved_templates_that_need_no_more_than_body_values()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await SyncAsync(world);
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);

        var offered = await staff.Hub.InvokeAsync<List<TemplateView>>("Templates");

        offered.Select(t => (t.Name, t.Language, t.ParameterCount)).Should().Equal(("order_ready", "en_US", 2), ("we_are_back", "en_US", 0));
    }

    [Fact]
    public async Task A_template_sent_outside_the_window_reaches_the_Graph_API_as_the_documented_request_and_the_thread_shows_its_text()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await SyncAsync(world);
        var chatId = await WindowClosedChatAsync(world);
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var template = (await staff.Hub.InvokeAsync<List<TemplateView>>("Templates")).First(t => t.Name == "order_ready");

        var sent = await staff.Hub.InvokeAsync<MessageView>("SendTemplate", chatId, template.Id, OrderValues);

        sent.Body.Should().Be("Hi Sheena, your order #1042 is ready for pickup.\n\nFake Shop");
        await staff.StatusAsync(sent.Id, MessageStatus.Sent);
        var request = world.Graph.Sends.Should().ContainSingle().Subject;
        request.Json!.ToJsonString().Should().Be(System.Text.Json.Nodes.JsonNode.Parse($$"""
            { "messaging_product": "whatsapp", "recipient_type": "individual", "to": "{{Customer}}", "type": "template",
              "template": { "name": "order_ready", "language": { "code": "en_US" },
                            "components": [ { "type": "body", "parameters": [ { "type": "text", "text": "Sheena" }, { "type": "text", "text": "#1042" } ] } ] },
              "biz_opaque_callback_data": "{{sent.Id}}" }
            """)!.ToJsonString());
        var thread = await staff.Hub.InvokeAsync<ThreadView>("Thread", chatId, null);
        thread.Messages.Select(m => m.Body).Should().Equal("Is my order ready?", "Hi Sheena, your order #1042 is ready for pickup.\n\nFake Shop");
        thread.Chat.LastMessagePreview.Should().StartWith("Hi Sheena");
    }

    [Fact]
    public async Task A_template_without_parameters_is_sent_without_components_and_a_failed_one_can_be_retried()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await SyncAsync(world);
        var chatId = await WindowClosedChatAsync(world);
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var template = (await staff.Hub.InvokeAsync<List<TemplateView>>("Templates")).First(t => t.Name == "we_are_back");
        world.Graph.ThenAnswer(GraphAnswer.Error(131026, "Message undeliverable"));

        var sent = await staff.Hub.InvokeAsync<MessageView>("SendTemplate", chatId, template.Id, Array.Empty<string>());
        await staff.StatusAsync(sent.Id, MessageStatus.Failed);
        await staff.Hub.InvokeAsync("Retry", sent.Id);

        await staff.StatusAsync(sent.Id, MessageStatus.Sent);
        world.Graph.Sends.Should().HaveCount(2).And.OnlyContain(r =>
            r.Json!["type"]!.GetValue<string>() == "template" && r.Json!["template"]!.ToJsonString() == """{"name":"we_are_back","language":{"code":"en_US"}}""");
    }

    [Theory]
    [InlineData(new[] { "Sheena" }, "This template needs 2 values.")]
    [InlineData(new[] { "Sheena", " " }, "Fill in value {{2}}.")]
    [InlineData(new[] { "Sheena", "line\nbreak" }, "Value {{2}} cannot contain line breaks")]
    public async Task Missing_or_unusable_values_are_refused_with_a_clear_message_and_nothing_is_sent(string[] values, string refusal)
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await SyncAsync(world);
        var chatId = await WindowClosedChatAsync(world);
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var template = (await staff.Hub.InvokeAsync<List<TemplateView>>("Templates")).First(t => t.Name == "order_ready");

        var send = () => staff.Hub.InvokeAsync<MessageView>("SendTemplate", chatId, template.Id, values);

        (await send.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain(refusal);
        (await world.MessagesAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task A_template_that_is_not_approved_cannot_be_sent()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        await SyncAsync(world);
        var chatId = await WindowClosedChatAsync(world);
        await using var staff = await StaffSession.StartAsync(world.App, world.Shop.OwnerEmail);
        var pending = await world.App.WithDbAsync(db => db.WhatsAppTemplates.Where(t => t.Name == "new_arrivals").Select(t => t.Id).SingleAsync());

        var send = () => staff.Hub.InvokeAsync<MessageView>("SendTemplate", chatId, pending, OneValue);

        (await send.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("The template was not found.");
        world.Graph.Sends.Should().BeEmpty();
    }
}
