using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BusinessInbox.BrowserTests.Infrastructure;
using BusinessInbox.Channels.WhatsApp;
using BusinessInbox.Data;
using BusinessInbox.Tests.WhatsApp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class WhatsAppBrowserTests(BrowserFixture fixture)
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string PhoneNumberId = "106540352242922";

    private static string Payload(object value) => JsonSerializer.Serialize(new
    {
        @object = "whatsapp_business_account",
        entry = new[] { new { id = "102290129340398", changes = new[] { new { field = "messages", value } } } },
    });

    private static BrowserApp StartApp(FakeGraphApi graph)
    {
        var app = new BrowserApp();
        app.Settings["WhatsApp:AppSecret"] = Secret;
        app.Settings["WhatsApp:GraphApiBaseUrl"] = graph.BaseUrl;
        app.StartServer();
        return app;
    }

    /// <summary>A business whose WhatsApp number is connected to the fake Graph API.</summary>
    private static async Task<TestBusiness> ConnectedShopAsync(BrowserApp app)
    {
        var shop = await app.CreateBusinessAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        db.WhatsAppChannels.Add(new WhatsAppChannel
        {
            BusinessId = shop.Id, PhoneNumberId = PhoneNumberId, WabaId = "102290129340398",
            AccessTokenProtected = scope.ServiceProvider.GetRequiredService<WhatsAppSecrets>().Protect("EAAG-browser-token-0000"), AccessTokenHint = "…0000",
        });
        await db.SaveChangesAsync();
        return shop;
    }

    /// <summary>The shop's owner signed in to the inbox in a browser window of the given size.</summary>
    private async Task<(IBrowserContext Context, WatchedPage Staff)> SignedInAsync(BrowserApp app, TestBusiness shop, int width, int height)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl, ViewportSize = new() { Width = width, Height = height }, Locale = "en-GB",
        });
        var staff = await WatchedPage.OpenAsync(context);
        await BrowserFixture.SignInAsync(staff.Page, shop.OwnerEmail);
        return (context, staff);
    }

    private static async Task PostSignedAsync(HttpClient http, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/whatsapp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body))));
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_WhatsApp_message_appears_live_with_the_customers_WhatsApp_name_the_reply_reaches_the_Graph_API_and_a_read_status_turns_the_ticks_blue()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        await using var app = StartApp(graph);
        var shop = await ConnectedShopAsync(app);
        using var meta = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var (context, staff) = await SignedInAsync(app, shop, 1280, 800);
        var page = staff.Page;
        await Expect(page.GetByText("No conversations here yet.")).ToBeVisibleAsync();

        var metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId };
        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata,
            contacts = new[] { new { profile = new { name = "Sheena Nelson" }, wa_id = "16505551234" } },
            messages = new[] { new { from = "16505551234", id = "wamid.browser1", timestamp = "1739321024", type = "text", text = new { body = "Hi, is the shop open today?" } } },
        }));

        var chat = page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = "Sheena Nelson" });
        await Expect(chat).ToContainTextAsync("Hi, is the shop open today?");
        await chat.ClickAsync();
        await Expect(page.GetByText(new Regex("WhatsApp · \\d+ h \\d+ min left to reply"))).ToBeVisibleAsync();
        await page.GetByLabel("Reply").FillAsync("Yes, we are open until 18:00.");
        await page.GetByLabel("Reply").PressAsync("Enter");

        var reply = page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "open until 18:00" });
        await Expect(reply.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        var sent = graph.Sends.Should().ContainSingle().Subject.Json!;
        (sent["to"]!.GetValue<string>(), sent["type"]!.GetValue<string>(), sent["text"]!["body"]!.GetValue<string>(), sent["text"]!["preview_url"]!.GetValue<bool>())
            .Should().Be(("16505551234", "text", "Yes, we are open until 18:00.", false));

        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata,
            statuses = new[] { new { id = "wamid.fake1", status = "read", timestamp = "1739321090", recipient_id = "16505551234" } },
        }));

        await Expect(reply.GetByRole(AriaRole.Img, new() { Name = "Read", Exact = true })).ToBeVisibleAsync();

        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata,
            contacts = new[] { new { profile = new { name = "Sheena Nelson" }, wa_id = "16505551234" } },
            messages = new[] { new { from = "16505551234", id = "wamid.browser-rx", timestamp = "1739321100", type = "reaction", reaction = new { message_id = "wamid.fake1", emoji = "🙏" } } },
        }));
        await Expect(reply.GetByLabel("Reaction: 🙏")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "🙏" })).ToHaveCountAsync(1);
        staff.ShouldHaveNoProblems();
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_customers_WhatsApp_photo_appears_in_the_open_thread_when_it_has_been_fetched_and_a_file_too_large_shows_why()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        await using var app = StartApp(graph);
        var shop = await ConnectedShopAsync(app);
        using var meta = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        byte[] jpeg;
        using (var bitmap = new SkiaSharp.SKBitmap(640, 480))
        {
            bitmap.Erase(SkiaSharp.SKColors.SteelBlue);
            using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
            jpeg = image.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 85).ToArray();
        }
        var photo = graph.AddMedia("media-shelf", jpeg, "image/jpeg");
        photo.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graph.AddMedia("media-catalogue", Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n"), "application/pdf").ReportedSize = 101L * 1024 * 1024;
        var (context, staff) = await SignedInAsync(app, shop, 375, 740);
        var page = staff.Page;
        var metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId };
        var contacts = new[] { new { profile = new { name = "Sheena Nelson" }, wa_id = "16505551234" } };

        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata, contacts,
            messages = new[] { new { from = "16505551234", id = "wamid.shelf", timestamp = "1739321024", type = "image", image = new { id = "media-shelf", mime_type = "image/jpeg", caption = "Our new shelf" } } },
        }));
        var chat = page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = "Sheena Nelson" });
        await Expect(chat).ToContainTextAsync("📷 Photo: Our new shelf");
        await chat.ClickAsync();
        var thread = page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(thread.GetByText("📷 Photo: Our new shelf")).ToBeVisibleAsync();
        await Expect(thread.GetByRole(AriaRole.Img, new() { Name = "Open the photo photo.jpg" })).ToHaveCountAsync(0);

        photo.Hold.SetResult();
        var thumbnail = thread.GetByRole(AriaRole.Img, new() { Name = "Open the photo photo.jpg" });
        await Expect(thumbnail).ToBeVisibleAsync();
        await Expect(thumbnail).ToHaveJSPropertyAsync("naturalWidth", 320);

        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata, contacts,
            messages = new[] { new { from = "16505551234", id = "wamid.catalogue", timestamp = "1739321030", type = "document", document = new { id = "media-catalogue", filename = "Catalogue.pdf" } } },
        }));
        await Expect(thread.GetByText("📄 Document: Catalogue.pdf")).ToBeVisibleAsync();
        await Expect(thread.GetByText("Document couldn't be downloaded: larger than 100 MB")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "whatsapp-files-phone.png");
        staff.ShouldHaveNoProblems();
        await context.CloseAsync();
    }

    [Fact]
    public async Task Outside_the_24_hour_window_the_agent_picks_an_approved_template_fills_its_values_sees_the_preview_and_sends_it()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        await using var app = StartApp(graph);
        var shop = await ConnectedShopAsync(app);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<WhatsAppTemplates>().SyncAsync(shop.Id, default);
        }
        using var meta = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
            contacts = new[] { new { profile = new { name = "Sheena Nelson" }, wa_id = "16505551234" } },
            messages = new[] { new { from = "16505551234", id = "wamid.old", timestamp = "1739321024", type = "text", text = new { body = "Is my order ready?" } } },
        }));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
            await db.Chats.ExecuteUpdateAsync(s => s.SetProperty(c => c.LastCustomerMessageAt, DateTimeOffset.UtcNow.AddHours(-30)));
        }
        var (context, staff) = await SignedInAsync(app, shop, 375, 800);
        var page = staff.Page;

        await page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = "Sheena Nelson" }).ClickAsync();
        await Expect(page.GetByText("24-hour window closed: only templates can be sent")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Reply")).ToBeHiddenAsync();
        var template = page.GetByLabel("Template", new() { Exact = true });
        await Expect(template.Locator("option")).ToHaveTextAsync(["Choose a template", "order_ready (en_US, utility)", "we_are_back (en_US, utility)"]);
        await template.SelectOptionAsync(new SelectOptionValue { Label = "order_ready (en_US, utility)" });
        await page.GetByLabel("Value 1").FillAsync("Sheena");
        var preview = page.Locator(".bi-template-preview");
        await Expect(preview).ToHaveTextAsync("Hi Sheena, your order {{2}} is ready for pickup.\n\nFake Shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send template" }).ClickAsync();
        await Expect(page.GetByText("Fill in value 2.")).ToBeVisibleAsync();
        await page.GetByLabel("Value 2").FillAsync("#1042");
        await Expect(preview).ToHaveTextAsync("Hi Sheena, your order #1042 is ready for pickup.\n\nFake Shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send template" }).ClickAsync();

        var sentBubble = page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "your order #1042 is ready" });
        await Expect(sentBubble.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        var sent = graph.Sends.Should().ContainSingle().Subject.Json!;
        (sent["type"]!.GetValue<string>(), sent["template"]!["name"]!.GetValue<string>(), sent["template"]!["components"]![0]!["parameters"]![1]!["text"]!.GetValue<string>())
            .Should().Be(("template", "order_ready", "#1042"));
        staff.ShouldHaveNoProblems();
        await context.CloseAsync();
    }

    [Fact]
    public async Task The_agent_attaches_a_photo_in_a_WhatsApp_chat_and_the_Graph_API_receives_the_upload_and_the_send_after_a_GIF_is_refused_at_once()
    {
        await using var graph = await FakeGraphApi.StartAsync();
        await using var app = StartApp(graph);
        var shop = await ConnectedShopAsync(app);
        using var meta = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var (context, staff) = await SignedInAsync(app, shop, 1280, 800);
        var page = staff.Page;
        var metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId };
        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata,
            contacts = new[] { new { profile = new { name = "Sheena Nelson" }, wa_id = "16505551234" } },
            messages = new[] { new { from = "16505551234", id = "wamid.browser-photo", timestamp = "1739321024", type = "text", text = new { body = "Can I see the blue one?" } } },
        }));
        await page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = "Sheena Nelson" }).ClickAsync();
        await Expect(page.GetByText(new Regex("WhatsApp · \\d+ h \\d+ min left to reply"))).ToBeVisibleAsync();

        await page.GetByLabel("Photo or PDF file").SetInputFilesAsync(new FilePayload { Name = "dance.gif", MimeType = "image/gif", Buffer = "GIF89a"u8.ToArray() });
        await Expect(page.Locator(".bi-staff-composer").GetByRole(AriaRole.Alert)).ToHaveTextAsync("WhatsApp does not accept GIFs: send the picture as a JPEG or PNG photo.");

        await page.GetByLabel("Photo or PDF file").SetInputFilesAsync(new FilePayload { Name = "blue.jpg", MimeType = "image/jpeg", Buffer = AttachmentsBrowserTests.Photo() });
        await Expect(page.Locator(".bi-staff-composer").GetByRole(AriaRole.Alert)).ToHaveTextAsync("");
        await page.GetByLabel("Reply").FillAsync("Here is the blue one");
        await page.GetByLabel("Reply").PressAsync("Enter");

        var reply = page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Here is the blue one" });
        await Expect(reply.GetByRole(AriaRole.Img, new() { Name = "Open the photo blue.jpg" })).ToBeVisibleAsync();
        await Expect(reply.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        var upload = graph.Uploads.Should().ContainSingle().Subject;
        (upload.Type, upload.FileName).Should().Be(("image/jpeg", "blue.jpg"));
        var sent = graph.Sends.Should().ContainSingle().Subject.Json!;
        (sent["type"]!.GetValue<string>(), sent["image"]!["id"]!.GetValue<string>(), sent["image"]!["caption"]!.GetValue<string>())
            .Should().Be(("image", "media.fake1", "Here is the blue one"));

        await PostSignedAsync(meta, Payload(new
        {
            messaging_product = "whatsapp", metadata,
            statuses = new[] { new { id = "wamid.fake1", status = "delivered", timestamp = "1739321090", recipient_id = "16505551234" } },
        }));
        await Expect(reply.GetByRole(AriaRole.Img, new() { Name = "Delivered", Exact = true })).ToBeVisibleAsync();
        staff.ShouldHaveNoProblems();
        await context.CloseAsync();
    }
}
