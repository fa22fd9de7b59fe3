using System.Net;
using System.Text;
using System.Text.Json;
using BusinessInbox.Data;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static BusinessInbox.Tests.WhatsApp.WhatsAppWorld;

namespace BusinessInbox.Tests.WhatsApp;

public sealed class WebhookTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private WhatsAppWorld _world = null!;

    public async Task InitializeAsync() => _world = await WhatsAppWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task The_subscription_handshake_with_the_right_token_answers_exactly_the_challenge_as_plain_text()
    {
        var response = await _world.Http.GetAsync($"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=1158201444");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await response.Content.ReadAsStringAsync()).Should().Be("1158201444");
    }

    [Theory]
    [InlineData("subscribe", "wrong-token")]
    [InlineData("unsubscribe", VerifyToken)]
    [InlineData("", VerifyToken)]
    public async Task A_handshake_with_a_wrong_token_or_mode_is_refused(string mode, string token)
    {
        var response = await _world.Http.GetAsync($"/webhooks/whatsapp?hub.mode={mode}&hub.verify_token={token}&hub.challenge=42");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("42");
    }

    [Fact]
    public async Task A_signed_customer_text_appears_in_a_WhatsApp_chat_with_the_contacts_profile_name_and_phone_number()
    {
        await _world.PostOkAsync(CustomerText("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdCNUQ0", "Hi, is the shop open today?"));

        var message = (await _world.MessagesAsync()).Should().ContainSingle().Subject;
        (message.Body, message.Channel, message.ExternalId).Should().Be(("Hi, is the shop open today?", ChannelKind.WhatsApp, "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTdCNUQ0"));
        message.CustomerTimestamp.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1739321024));
        var contact = await _world.App.WithDbAsync(db => db.Chats.Where(c => c.Id == message.ChatId).Select(c => c.Contact).SingleAsync());
        (contact.Name, contact.Phone).Should().Be(("Sheena Nelson", "+16505551234"));
    }

    [Fact]
    public async Task A_missing_or_wrong_signature_is_refused_and_nothing_is_stored()
    {
        var body = CustomerText("wamid.unsigned", "Let me in");

        (await _world.PostAsync(body, signature: null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await _world.PostAsync(body, signature: Sign(body, "another-app-secret-000000000000"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await _world.PostAsync(body, signature: "sha256=zz")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await _world.PostAsync(body + " ", signature: Sign(body))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await _world.MessagesAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_signature_computed_over_re_serialized_JSON_is_refused_while_the_raw_bytes_signature_passes()
    {
        // Meta escapes non-ASCII and '@' as \uXXXX; re-serializing changes the bytes and so the signature.
        const string raw = """{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\u00e9"},"wa_id":"34600111222"}],"messages":[{"from":"34600111222","id":"wamid.escaped","timestamp":"1739321024","type":"text","text":{"body":"Caf\u00e9 \u2615 jose\u0040mail.test"}}]}}]}]}""";
        var reserialized = JsonSerializer.Serialize(JsonDocument.Parse(raw).RootElement, Relaxed);
        reserialized.Should().NotBe(raw);

        (await _world.PostAsync(raw, signature: Sign(reserialized))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await _world.MessagesAsync()).Should().BeEmpty();

        await _world.PostOkAsync(raw);
        (await _world.MessagesAsync()).Should().ContainSingle().Which.Body.Should().Be("Café ☕ jose@mail.test");
    }

    [Fact]
    public async Task Every_message_of_every_entry_is_stored()
    {
        var body = Payload(
            Entry(Messages("4915111111111", "Anna", Text("4915111111111", "wamid.a1", "First"), Text("4915111111111", "wamid.a2", "Second"))),
            Entry(Messages("4915222222222", "Ben", Text("4915222222222", "wamid.b1", "Third"))));

        await _world.PostOkAsync(body);

        (await _world.MessagesAsync()).Select(m => m.Body).Should().BeEquivalentTo("First", "Second", "Third");
        (await _world.App.WithDbAsync(db => db.Chats.CountAsync(c => c.BusinessId == _world.Shop.Id))).Should().Be(2);
    }

    [Fact]
    public async Task The_same_delivery_twice_and_concurrently_is_stored_once()
    {
        var body = CustomerText("wamid.dup", "Only once, please");

        await _world.PostOkAsync(body);
        var again = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _world.PostAsync(body)));

        again.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        (await _world.MessagesAsync()).Should().ContainSingle();
        (await _world.App.WithDbAsync(db => db.Chats.SingleAsync(c => c.BusinessId == _world.Shop.Id))).UnreadCount.Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_first_deliveries_are_stored_once()
    {
        var body = CustomerText("wamid.race", "Racing");

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _world.PostAsync(body)));

        answers.Select(r => r.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        (await _world.MessagesAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Other_message_types_are_shown_as_labelled_text_and_never_dropped()
    {
        const string from = "16505551234";
        await _world.PostOkAsync(Payload(Entry(Messages(from, "Sheena",
            new { from, id = "wamid.img", timestamp = "1739321024", type = "image", image = new { id = "media-1", mime_type = "image/jpeg", sha256 = "x", caption = "Our new shelf" } },
            new { from, id = "wamid.loc", timestamp = "1739321025", type = "location", location = new { latitude = 52.52, longitude = 13.40 } },
            new { from, id = "wamid.rx", timestamp = "1739321026", type = "reaction", reaction = new { message_id = "wamid.img", emoji = "👍" } },
            new { from, id = "wamid.btn", timestamp = "1739321027", type = "interactive", interactive = new { type = "button_reply", button_reply = new { id = "yes", title = "Yes please" } } },
            new { from, id = "wamid.new", timestamp = "1739321028", type = "unsupported", errors = new[] { new { code = 131051, title = "Message type unknown" } } }))));

        var stored = await _world.MessagesAsync();
        stored.Select(m => m.Body).Should().Equal(
            "📷 Photo: Our new shelf",
            "📍 Location: 52.52, 13.4 https://maps.google.com/?q=52.52,13.4",
            "🔘 Reply: Yes please",
            "[Unsupported message]");
        stored[0].Reaction.Should().Be("👍", "a reaction is shown on the message it reacts to");
    }

    [Fact]
    public async Task A_reply_quoting_an_earlier_message_shows_the_quoted_text_first()
    {
        const string from = "16505551234";
        await _world.PostOkAsync(CustomerText("wamid.first", "Do you have the blue mug?", from));

        await _world.PostOkAsync(Payload(Entry(Messages(from, "Sheena",
            new { from, id = "wamid.second", timestamp = "1739321099", type = "text", text = new { body = "And in red?" }, context = new { from, id = "wamid.first" } }))));

        (await _world.MessagesAsync()).Last().Body.Should().Be("↪ “Do you have the blue mug?”\nAnd in red?");
    }

    [Fact]
    public async Task A_delivery_of_three_megabytes_is_accepted()
    {
        var value = new Dictionary<string, object>
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
            ["contacts"] = new[] { new { profile = new { name = "Big" }, wa_id = "16505550000" } },
            ["messages"] = new[] { Text("16505550000", "wamid.big", "A big delivery") },
            ["padding"] = new string('x', 3 * 1024 * 1024),
        };
        var body = Payload(Entry(value));
        Encoding.UTF8.GetByteCount(body).Should().BeGreaterThan(3 * 1024 * 1024);

        await _world.PostOkAsync(body);

        (await _world.MessagesAsync()).Should().ContainSingle().Which.Body.Should().Be("A big delivery");
    }

    [Fact]
    public async Task A_signed_body_that_cannot_be_read_is_quarantined_and_answered_200_with_nothing_half_stored()
    {
        var good = CustomerText("wamid.first", "I would be stored");
        var malformed = good[..^5];

        (await _world.PostAsync(malformed)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _world.PostAsync("""{"object":"page","entry":[]}""")).StatusCode.Should().Be(HttpStatusCode.OK);

        var kept = await _world.App.WithDbAsync(db => db.WebhookQuarantine.AsNoTracking().OrderBy(q => q.Id).ToListAsync());
        kept.Select(q => q.Body).Should().Equal(malformed, """{"object":"page","entry":[]}""");
        (await _world.MessagesAsync()).Should().BeEmpty();
        (await _world.App.WithDbAsync(db => db.Contacts.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task A_delivery_for_a_number_nobody_connected_is_answered_200_and_stores_nothing()
    {
        var body = CustomerText("wamid.elsewhere", "Hello?").Replace(PhoneNumberId, "999999999999999", StringComparison.Ordinal);

        (await _world.PostAsync(body)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await _world.MessagesAsync()).Should().BeEmpty();
    }
}
