using System.Net;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class SettingsPageTests
{
    private const string NewToken = "EAAG-brand-new-token-98765wxyz";

    internal static async Task<string> PostFormAsync(HttpClient client, string handler, Dictionary<string, string>? fields = null)
    {
        var page = await client.GetStringAsync("/settings/whatsapp");
        var form = new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = InboxApp.AntiforgeryToken(page) };
        var response = await client.PostAsync($"/settings/whatsapp?handler={handler}", new FormUrlEncodedContent(form));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private static Dictionary<string, string> Connection(string phoneNumberId = PhoneNumberId, string? token = NewToken) => new()
    {
        ["Input.PhoneNumberId"] = phoneNumberId,
        ["Input.WabaId"] = "102290129340398",
        ["Input.AccessToken"] = token ?? "",
    };

    [Fact]
    public async Task An_owner_connects_a_number_and_the_token_is_stored_encrypted_and_never_shown_back()
    {
        await using var world = await WhatsAppWorld.StartAsync(connected: false);
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);

        var fields = Connection();
        fields["Input.SendReadReceipts"] = "true";
        var html = await PostFormAsync(owner.Client, "Save", fields);

        html.Should().Contain("Saved.").And.Contain("…wxyz").And.NotContain(NewToken);
        var channel = await world.App.WithDbAsync(db => db.WhatsAppChannels.AsNoTracking().SingleAsync());
        (channel.BusinessId, channel.PhoneNumberId, channel.SendReadReceipts).Should().Be((world.Shop.Id, PhoneNumberId, true));
        channel.AccessTokenProtected.Should().NotContain(NewToken);
        world.App.Services.GetRequiredService<WhatsAppSecrets>().Unprotect(channel.AccessTokenProtected).Should().Be(NewToken);
        (await owner.Client.GetStringAsync("/settings/whatsapp")).Should().NotContain(NewToken).And.Contain("http://localhost/webhooks/whatsapp");
    }

    [Fact]
    public async Task After_the_owner_changes_the_number_messages_to_the_new_number_arrive_at_once_and_the_old_number_reaches_nobody()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);
        await world.PostOkAsync(CustomerText("wamid.before", "Before the change"));
        const string newNumber = "106540352249999";

        await PostFormAsync(owner.Client, "Save", Connection(newNumber, token: null));
        await world.PostOkAsync(CustomerText("wamid.old-number", "To the old number"));
        await world.PostOkAsync(CustomerText("wamid.new-number", "To the new number").Replace(PhoneNumberId, newNumber, StringComparison.Ordinal));

        (await world.MessagesAsync()).Select(m => m.Body).Should().BeEquivalentTo("Before the change", "To the new number");
    }

    [Fact]
    public async Task A_phone_number_id_connected_to_another_business_is_refused()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var other = await world.App.CreateBusinessAsync("other-shop");
        var owner = await world.App.SignInAsync(other.OwnerEmail);

        var html = await PostFormAsync(owner.Client, "Save", Connection());

        html.Should().Contain("This phone number id is already connected to another business.");
        (await world.App.WithDbAsync(db => db.WhatsAppChannels.CountAsync())).Should().Be(1);
    }

    [Fact]
    public async Task Testing_the_connection_shows_the_numbers_name_or_the_exact_Graph_error()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);

        (await PostFormAsync(owner.Client, "Test")).Should().Contain("Connected: Fake Shop (+1 555-078-3881)");
        world.Graph.Requests.Last().Should().Match<GraphRequest>(r => r.Path == $"/v23.0/{PhoneNumberId}" && r.Authorization == "Bearer " + AccessToken);

        world.Graph.ThenAnswer(GraphAnswer.Error(100, "Unsupported get request. Object with ID 106540352242922 does not exist", status: 400));
        (await PostFormAsync(owner.Client, "Test")).Should().Contain("Unsupported get request. Object with ID 106540352242922 does not exist").And.Contain("code 100");
    }

    [Fact]
    public async Task Subscribing_calls_subscribed_apps_for_the_business_account_and_shows_the_result()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);

        (await PostFormAsync(owner.Client, "Subscribe")).Should().Contain("Subscribed");

        world.Graph.Requests.Should().Contain(r => r.Method == "POST" && r.Path == "/v23.0/102290129340398/subscribed_apps" && r.Authorization == "Bearer " + AccessToken);
    }

    [Fact]
    public async Task After_a_send_fails_with_an_expired_token_the_owner_sees_a_banner_everywhere_until_a_new_token_passes_a_connection_test()
    {
        const string banner = "WhatsApp refused the access token: replies to WhatsApp customers are not being sent.";
        await using var world = await WhatsAppWorld.StartAsync();
        await world.PostOkAsync(CustomerText("wamid.hello", "Hello?"));
        var chatId = (await world.MessagesAsync()).Single().ChatId;
        const string agentEmail = "agent@wa-shop.test";
        await world.App.AddMemberAsync(world.Shop, agentEmail, MemberRole.Agent);
        world.Graph.ThenAnswer(GraphAnswer.Error(190, "Error validating access token: Session has expired", status: 401));
        await world.App.CommandAsync(c => c.ReplyAsync(world.Shop.Id, chatId, world.Shop.OwnerId, "Hi!", privateNote: false, default));
        await Eventually.ReturnsAsync(() => world.App.WithDbAsync(db => db.WhatsAppChannels.SingleAsync()), c => c.Status == WhatsAppChannelStatus.TokenFailed, "the channel to be flagged");
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);
        var agent = await world.App.SignInAsync(agentEmail);

        var inbox = WebUtility.HtmlDecode(await owner.Client.GetStringAsync("/inbox"));
        inbox.Should().Contain(banner).And.Contain("href=\"/settings/whatsapp\"");
        WebUtility.HtmlDecode(await owner.Client.GetStringAsync("/contacts")).Should().Contain(banner);
        WebUtility.HtmlDecode(await agent.Client.GetStringAsync("/inbox")).Should().NotContain(banner, "only the owner can replace the token");

        (await PostFormAsync(owner.Client, "Save", Connection())).Should().NotContain(banner).And.Contain("test the connection to confirm it works");
        (await world.App.WithDbAsync(db => db.WhatsAppChannels.SingleAsync())).Status.Should().Be(WhatsAppChannelStatus.TokenUntested);

        (await PostFormAsync(owner.Client, "Test")).Should().Contain("Connected: Fake Shop").And.NotContain("test the connection to confirm it works");
        WebUtility.HtmlDecode(await owner.Client.GetStringAsync("/inbox")).Should().NotContain("bi-token-banner");
        (await world.App.WithDbAsync(db => db.WhatsAppChannels.SingleAsync())).Status.Should().Be(WhatsAppChannelStatus.Connected);
    }

    [Fact]
    public async Task A_connection_test_refused_for_an_invalid_token_flags_the_channel()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);
        world.Graph.ThenAnswer(GraphAnswer.Error(190, "Invalid OAuth access token", status: 401));

        (await PostFormAsync(owner.Client, "Test")).Should().Contain("code 190").And.Contain("WhatsApp refused the access token");

        (await world.App.WithDbAsync(db => db.WhatsAppChannels.SingleAsync())).Status.Should().Be(WhatsAppChannelStatus.TokenFailed);
    }

    [Fact]
    public async Task A_signed_body_that_cannot_be_read_is_listed_for_its_owner_only()
    {
        await using var world = await WhatsAppWorld.StartAsync();
        var other = await world.App.CreateBusinessAsync("nosy-shop");
        (await world.PostAsync($$$"""{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"{{{PhoneNumberId}}}"},"messages":[{"type":"text"}]}}]}]}""")).StatusCode.Should().Be(HttpStatusCode.OK);

        var mine = await (await world.App.SignInAsync(world.Shop.OwnerEmail)).Client.GetStringAsync("/settings/whatsapp");
        var theirs = await (await world.App.SignInAsync(other.OwnerEmail)).Client.GetStringAsync("/settings/whatsapp");

        mine.Should().Contain("A message has no id.");
        theirs.Should().NotContain("A message has no id.").And.Contain("None.");
    }

    [Fact]
    public async Task A_shop_with_its_own_Meta_app_receives_webhooks_at_its_own_address_signed_with_its_own_secret()
    {
        const string ownSecret = "fedcba9876543210fedcba9876543210";
        await using var world = await WhatsAppWorld.StartAsync();
        var owner = await world.App.SignInAsync(world.Shop.OwnerEmail);
        var fields = Connection(token: null);
        fields["Input.OwnAppSecret"] = ownSecret;
        fields["Input.OwnVerifyToken"] = "our-own-verify-token";
        (await PostFormAsync(owner.Client, "Save", fields)).Should().Contain($"/webhooks/whatsapp/{world.Shop.Slug}").And.NotContain(ownSecret);

        var path = $"/webhooks/whatsapp/{world.Shop.Slug}";
        (await world.Http.GetStringAsync($"{path}?hub.mode=subscribe&hub.verify_token=our-own-verify-token&hub.challenge=77")).Should().Be("77");
        (await world.Http.GetAsync($"{path}?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=77")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var body = CustomerText("wamid.own-app", "Via our own app");
        (await world.PostAsync(body, Sign(body), path)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the deployment's secret is not this shop's");
        (await world.PostAsync(body, Sign(body, ownSecret), path)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await world.MessagesAsync()).Should().ContainSingle().Which.Body.Should().Be("Via our own app");
        (await world.Http.GetAsync("/webhooks/whatsapp/no-such-shop?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
