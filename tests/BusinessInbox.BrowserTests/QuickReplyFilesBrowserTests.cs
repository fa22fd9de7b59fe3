using BusinessInbox.BrowserTests.Infrastructure;
using BusinessInbox.Data;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class QuickReplyFilesBrowserTests(BrowserFixture fixture)
{
    private static byte[] CatalogueCover()
    {
        using var bitmap = new SKBitmap(900, 600);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xF4, 0xE1, 0xC1));
            using var paint = new SKPaint { Color = new SKColor(0x8E, 0x44, 0xAD) };
            canvas.DrawRect(150, 120, 250, 360, paint);
            paint.Color = new SKColor(0x27, 0xAE, 0x60);
            canvas.DrawRect(500, 120, 250, 360, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Jpeg, 85).ToArray();
    }

    private static Task<bool> FitsTheScreenAsync(IPage page) =>
        page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth");

    [Fact]
    public async Task The_owner_adds_slash_catalog_with_a_photo_and_an_agent_sends_it_with_its_text_from_the_picker()
    {
        var business = await fixture.App.CreateBusinessAsync();
        var agentEmail = await fixture.App.AddMemberAsync(business, MemberRole.Agent, "Omar");

        // The owner saves the quick reply with a photo.
        var owner = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(owner.Page, business.OwnerEmail);
        await owner.Page.GotoAsync("/settings/quick-replies");
        await owner.Page.GetByLabel("Shortcut").FillAsync("catalog");
        await owner.Page.GetByLabel("Text", new() { Exact = true }).FillAsync("Here is our new catalogue, {contact.name}!");
        await owner.Page.GetByLabel("File (optional)").SetInputFilesAsync(new FilePayload { Name = "catalog.jpg", MimeType = "image/jpeg", Buffer = CatalogueCover() });
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Create quick reply" }).ClickAsync();
        await Expect(owner.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Quick reply /catalog saved.");
        await Expect(owner.Page.GetByRole(AriaRole.Link, new() { Name = "File of /catalog: catalog.jpg" })).ToContainTextAsync("📎 catalog.jpg");
        await Screenshots.SaveAsync(owner.Page, "quick-reply-file-settings.png");
        await owner.Page.SetViewportSizeAsync(375, 740);
        await owner.Page.GetByRole(AriaRole.Link, new() { Name = "Edit /catalog" }).ClickAsync();
        await Expect(owner.Page.GetByLabel("Replace the file")).ToBeVisibleAsync();
        await Expect(owner.Page.GetByLabel("Remove the file")).Not.ToBeCheckedAsync();
        await owner.Page.GetByLabel("Replace the file").ScrollIntoViewIfNeededAsync();
        (await FitsTheScreenAsync(owner.Page)).Should().BeTrue("the quick replies page must not scroll sideways on a phone");
        await Screenshots.SaveAsync(owner.Page, "quick-reply-file-settings-phone.png");

        // A customer writes; the agent answers with /cat and Enter.
        var customer = await fixture.OpenAsync();
        await customer.Page.GotoAsync($"/c/{business.Slug}");
        await Expect(customer.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Online");
        await customer.Page.GetByLabel("Your name (optional)").FillAsync("Ada");
        await customer.Page.GetByLabel("Message", new() { Exact = true }).FillAsync("Do you have a catalogue?");
        await customer.Page.GetByLabel("Message", new() { Exact = true }).PressAsync("Enter");
        var agent = await fixture.OpenAsync();
        var page = agent.Page;
        await BrowserFixture.SignInAsync(page, agentEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Ada" }).ClickAsync();
        var thread = page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(thread).ToContainTextAsync("Do you have a catalogue?");
        var reply = page.GetByLabel("Reply");

        await reply.PressSequentiallyAsync("/cat");
        var picker = page.GetByRole(AriaRole.Listbox, new() { Name = "Quick replies" });
        await Expect(picker.GetByRole(AriaRole.Option, new() { Selected = true })).ToContainTextAsync("📎 catalog.jpg");
        await reply.PressAsync("Enter");

        await Expect(reply).ToHaveValueAsync("Here is our new catalogue, Ada!");
        var staged = page.Locator(".bi-attachment-pending");
        await Expect(staged).ToBeVisibleAsync();
        await Expect(staged).ToContainTextAsync("catalog.jpg ·");
        await Expect(staged.GetByRole(AriaRole.Button, new() { Name = "Remove the file" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "quick-reply-file-staged.png");
        await reply.PressAsync("Enter");

        var photo = thread.GetByRole(AriaRole.Img, new() { Name = "Open the photo catalog.jpg" });
        await Expect(photo).ToBeVisibleAsync();
        await Expect(thread).ToContainTextAsync("Here is our new catalogue, Ada!");
        await Expect(staged).ToBeHiddenAsync();
        await Expect(reply).ToHaveValueAsync("");
        var customerPhoto = customer.Page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Img, new() { Name = "Open the photo catalog.jpg" });
        await Expect(customerPhoto).ToBeVisibleAsync();
        (await customerPhoto.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0")).Should().BeGreaterThan(0, "the customer's copy of the photo loads");

        // On a phone the staged file fits too, and the agent can take it away before sending.
        await page.SetViewportSizeAsync(375, 740);
        await reply.PressSequentiallyAsync("/catalog");
        await reply.PressAsync("Tab");
        await Expect(staged).ToContainTextAsync("catalog.jpg ·");
        (await FitsTheScreenAsync(page)).Should().BeTrue("the composer must not scroll sideways on a phone");
        await Screenshots.SaveAsync(page, "quick-reply-file-staged-phone.png");
        await staged.GetByRole(AriaRole.Button, new() { Name = "Remove the file" }).ClickAsync();
        await Expect(staged).ToBeHiddenAsync();
        await Expect(reply).ToHaveValueAsync("Here is our new catalogue, Ada!");

        owner.ShouldHaveNoProblems();
        agent.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await owner.Page.Context.CloseAsync();
        await page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }
}
