using BusinessInbox.BrowserTests.Infrastructure;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class ContactsBrowserTests(BrowserFixture fixture)
{
    private async Task<WatchedPage> OpenAsync(int width, int height)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new() { Width = width, Height = height }, Locale = "en-GB", BaseURL = fixture.App.BaseUrl,
        });
        return await WatchedPage.OpenAsync(context);
    }

    private async Task CustomerWritesAsync(int businessId, string visitor, string name, string phone, string text)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<InboundMessages>().ReceiveAsync(
            new InboundMessage(businessId, ChannelKind.WebChat, visitor, name, phone, Guid.NewGuid().ToString("n"), text), default);
    }

    [Theory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(375, 740, "phone")]
    public async Task The_owner_finds_a_contact_blocks_them_and_opens_their_chat(int width, int height, string screen)
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Contact Shop");
        await CustomerWritesAsync(shop.Id, "v-1", "Marta Nowak", "+48221234567", "Is the cake ready?");
        await CustomerWritesAsync(shop.Id, "v-2", "Paul Meyer", "+4930901820", "Thanks for the bread");
        var watched = await OpenAsync(width, height);
        var page = watched.Page;
        await BrowserFixture.SignInAsync(page, shop.OwnerEmail);

        await page.GotoAsync("/contacts");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Marta Nowak" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, $"contacts-{screen}.png");
        await page.GetByLabel("Search contacts").FillAsync("marta");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Paul Meyer" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Marta Nowak" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Marta Nowak" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Phone")).ToHaveValueAsync("+48 22 123 45 67");
        await page.GetByRole(AriaRole.Button, new() { Name = "Block contact" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Blocked.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unblock contact" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, $"contact-{screen}.png");

        await page.GotoAsync("/contacts/import");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Upload a CSV file" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, $"contacts-import-{screen}.png");
        await page.GoBackAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Web chat" }).ClickAsync();
        await Expect(page.GetByText("Is the cake ready?").Last).ToBeVisibleAsync();

        watched.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_open_chat_closes_with_a_notice_when_its_contact_is_erased_elsewhere()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Erase Shop");
        await CustomerWritesAsync(shop.Id, "v-1", "Lea Gone", "+4930555111", "Please delete my data");
        await CustomerWritesAsync(shop.Id, "v-2", "Tom Stays", "+4930555222", "See you tomorrow");
        var watched = await OpenAsync(1280, 900);
        var inbox = watched.Page;
        await BrowserFixture.SignInAsync(inbox, shop.OwnerEmail);
        await inbox.GetByRole(AriaRole.Button, new() { Name = "Lea Gone" }).ClickAsync();
        await Expect(inbox.GetByText("Please delete my data").Last).ToBeVisibleAsync();

        var other = await WatchedPage.OpenAsync(inbox.Context);
        await other.Page.GotoAsync("/contacts?q=Lea");
        await other.Page.GetByRole(AriaRole.Link, new() { Name = "Lea Gone" }).ClickAsync();
        await other.Page.GetByRole(AriaRole.Link, new() { Name = "Erase contact" }).ClickAsync();
        await other.Page.GetByLabel("Type the name Lea Gone to confirm").FillAsync("Lea Gone");
        await other.Page.GetByRole(AriaRole.Button, new() { Name = "Erase for good" }).ClickAsync();
        await Expect(other.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("erased");

        await Expect(inbox.GetByText("This conversation is gone")).ToBeVisibleAsync();
        await Expect(inbox.GetByRole(AriaRole.Button, new() { Name = "Lea Gone" })).ToHaveCountAsync(0);
        await Expect(inbox.GetByRole(AriaRole.Button, new() { Name = "Tom Stays" })).ToBeVisibleAsync();
        watched.ShouldHaveNoProblems();
        other.ShouldHaveNoProblems();
        await inbox.Context.CloseAsync();
    }

    [Fact]
    public async Task The_owner_imports_a_csv_file_and_watches_it_finish()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Import Shop");
        var watched = await OpenAsync(375, 740);
        var page = watched.Page;
        await BrowserFixture.SignInAsync(page, shop.OwnerEmail);

        await page.GotoAsync("/contacts/import");
        await page.Locator("#file").SetInputFilesAsync(new FilePayload
        {
            Name = "customers.csv", MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes("Full name,Mobile,Email\nRosa Diaz,+34 912 345 678,rosa@example.org\nTom,not a phone,\n"),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.GetByText("2 rows in the file.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Phone")).ToHaveValueAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check the rows" }).ClickAsync();
        await Expect(page.GetByText("1 rows can be imported; 1 rows will be left out.")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "contacts-import-check-phone.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 1 contacts" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Importing customers.csv" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "contacts-import-progress-phone.png");

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Done: 1 added, 0 updated, 1 rows left out.");
        await page.GotoAsync("/contacts");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Rosa Diaz" })).ToBeVisibleAsync();

        watched.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
    }
}
