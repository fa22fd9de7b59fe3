using System.Text;
using BusinessInbox.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class AttachmentsBrowserTests(BrowserFixture fixture)
{
    internal static byte[] Photo()
    {
        using var bitmap = new SKBitmap(800, 600);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0x8E, 0xC5, 0xE8));
            using var paint = new SKPaint { Color = new SKColor(0xC0, 0x39, 0x2B) };
            canvas.DrawRect(200, 250, 400, 200, paint);
            paint.Color = SKColors.Black;
            canvas.DrawCircle(280, 470, 60, paint);
            canvas.DrawCircle(520, 470, 60, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Jpeg, 85).ToArray();
    }

    private static byte[] Pdf() => Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    [Fact]
    public async Task A_customer_sends_a_photo_and_the_agent_sees_the_thumbnail_live_then_answers_with_a_pdf()
    {
        var (_, slug, _, owner) = await fixture.App.CreateBusinessAsync();
        var staff = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(staff.Page, owner);
        await Expect(staff.Page.GetByText("No conversations here yet.")).ToBeVisibleAsync();
        var customer = await fixture.OpenAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 375, Height = 740 }, HasTouch = true, IsMobile = true });
        var page = customer.Page;
        await page.GotoAsync($"/c/{slug}");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Online");
        await page.GetByLabel("Your name (optional)").FillAsync("Mia");
        var message = page.GetByLabel("Message", new() { Exact = true });

        // A program dressed up as a PDF is refused, and what the customer typed stays.
        await message.FillAsync("Here is my invoice");
        await page.GetByLabel("Photo or PDF file").SetInputFilesAsync(new FilePayload
        {
            Name = "invoice.pdf", MimeType = "application/pdf", Buffer = [(byte)'M', (byte)'Z', .. new byte[2048]],
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This file is not a JPEG, PNG, WebP, GIF or PDF.");
        await Expect(message).ToHaveValueAsync("Here is my invoice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove the file" }).ClickAsync();

        await message.FillAsync("The bike I would like to repair");
        await page.GetByLabel("Photo or PDF file").SetInputFilesAsync(new FilePayload { Name = "bike.jpg", MimeType = "image/jpeg", Buffer = Photo() });
        await Expect(page.GetByText("bike.jpg ·")).ToBeVisibleAsync();
        await message.PressAsync("Enter");
        var customerThread = page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(customerThread.GetByRole(AriaRole.Img, new() { Name = "Open the photo bike.jpg" })).ToBeVisibleAsync();
        await Expect(message).ToHaveValueAsync("");

        var chat = staff.Page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = "Mia" });
        await Expect(chat).ToContainTextAsync("📷 The bike I would like to repair");
        await chat.ClickAsync();
        var staffThread = staff.Page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        var thumbnail = staffThread.GetByRole(AriaRole.Img, new() { Name = "Open the photo bike.jpg" });
        await Expect(thumbnail).ToBeVisibleAsync();
        (await thumbnail.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0")).Should().Be(320);
        (await staffThread.GetByRole(AriaRole.Link, new() { Name = "Open the photo bike.jpg" }).GetAttributeAsync("href")).Should().MatchRegex("^/inbox/attachments/\\d+$");

        await staff.Page.GetByLabel("Photo or PDF file").SetInputFilesAsync(new FilePayload { Name = "Repair prices.pdf", MimeType = "application/pdf", Buffer = Pdf() });
        await staff.Page.GetByLabel("Reply").FillAsync("Our prices; a new chain is 25 €.");
        await staff.Page.GetByLabel("Reply").PressAsync("Enter");
        var card = staffThread.GetByRole(AriaRole.Link, new() { NameRegex = new("^Download Repair prices\\.pdf") });
        await Expect(card).ToBeVisibleAsync();
        await Expect(staff.Page.GetByLabel("Reply")).ToHaveValueAsync("");

        var customerCard = customerThread.GetByRole(AriaRole.Link, new() { NameRegex = new("^Download Repair prices\\.pdf") });
        await Expect(customerCard).ToBeVisibleAsync();
        await Expect(customerThread).ToContainTextAsync("a new chain is 25 €");
        var download = await page.RunAndWaitForDownloadAsync(() => customerCard.ClickAsync());
        download.SuggestedFilename.Should().Be("Repair prices.pdf");

        await Screenshots.SaveAsync(staff.Page, "inbox-attachments.png");
        await Screenshots.SaveAsync(page, "customer-chat-attachments-phone.png");
        await staff.Page.SetViewportSizeAsync(375, 740);
        await Expect(card).ToBeVisibleAsync();
        await Screenshots.SaveAsync(staff.Page, "inbox-attachments-phone.png");
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_photo_can_be_dropped_on_the_thread_or_pasted_into_the_message()
    {
        var (_, slug, _, _) = await fixture.App.CreateBusinessAsync();
        var customer = await fixture.OpenAsync();
        var page = customer.Page;
        await page.GotoAsync($"/c/{slug}");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Online");
        var png = Convert.ToBase64String(Png());
        const string script = """
            ([selector, type, name, base64]) => {
                const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
                const data = new DataTransfer();
                data.items.add(new File([bytes], name, { type: 'image/png' }));
                const target = document.querySelector(selector);
                const event = type === 'paste'
                    ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
                    : new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true });
                target.dispatchEvent(event);
            }
            """;

        await page.EvaluateAsync(script, new object[] { ".bi-customer-scroll", "dragover", "dropped.png", png });
        await page.EvaluateAsync(script, new object[] { ".bi-customer-scroll", "drop", "dropped.png", png });
        await Expect(page.GetByText("dropped.png ·")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove the file" }).ClickAsync();
        await Expect(page.GetByText("dropped.png ·")).ToBeHiddenAsync();

        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Screenshot of the error");
        await page.EvaluateAsync(script, new object[] { "#customer-message", "paste", "pasted.png", png });
        await Expect(page.GetByText("pasted.png ·")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        var thread = page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(thread.GetByRole(AriaRole.Img, new() { Name = "Open the photo pasted.png" })).ToBeVisibleAsync();
        await Expect(thread).ToContainTextAsync("Screenshot of the error");
        customer.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
    }

    private static byte[] Png()
    {
        using var bitmap = new SKBitmap(120, 80);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.MediumSeaGreen);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }
}
