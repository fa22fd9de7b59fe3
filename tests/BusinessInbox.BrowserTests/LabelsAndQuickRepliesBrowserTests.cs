using System.Text.RegularExpressions;
using BusinessInbox.BrowserTests.Infrastructure;
using BusinessInbox.Data;
using BusinessInbox.QuickReplies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class LabelsAndQuickRepliesBrowserTests(BrowserFixture fixture)
{
    private static readonly BrowserNewContextOptions Desktop = new() { ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "en-GB" };
    private static readonly BrowserNewContextOptions Phone = new() { ViewportSize = new() { Width = 375, Height = 740 }, HasTouch = true, IsMobile = true };

    private async Task<WatchedPage> OpenAsync(BrowserNewContextOptions options)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions(options) { BaseURL = fixture.App.BaseUrl });
        return await WatchedPage.OpenAsync(context);
    }

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(BrowserApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/inbox$"));
    }

    private static async Task CustomerWritesAsync(IPage page, string slug, string text, string name)
    {
        await page.GotoAsync($"/c/{slug}");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Online");
        await page.GetByLabel("Your name (optional)").FillAsync(name);
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await page.GetByLabel("Message", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Messages" })).ToContainTextAsync(text);
    }

    [Fact]
    public async Task An_agent_types_slash_th_picks_thanks_with_the_keyboard_and_sends_it_with_the_customers_name_filled_in()
    {
        var business = await fixture.App.CreateBusinessAsync();
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var replies = scope.ServiceProvider.GetRequiredService<QuickReplyService>();
            (await replies.SaveAsync(business.Id, null, "th-hours", "Today we are open {business.hours_today}.", default)).Should().BeEmpty();
            (await replies.SaveAsync(business.Id, null, "thanks", "Thank you, {contact.name}! See you soon.", default)).Should().BeEmpty();
            (await replies.SaveAsync(business.Id, null, "menu", "Here is our menu.", default)).Should().BeEmpty();
        }
        var agentEmail = await fixture.App.AddMemberAsync(business, MemberRole.Agent, "Omar");
        var customer = await OpenAsync(Desktop);
        await CustomerWritesAsync(customer.Page, business.Slug, "The cake was lovely", "Ada");
        var staff = await OpenAsync(Desktop);
        var page = staff.Page;
        await SignInAsync(page, agentEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Ada" }).ClickAsync();
        var reply = page.GetByLabel("Reply");
        // On a desktop the opened chat puts the caret in the composer; the agent types once it is there.
        await Expect(reply).ToBeFocusedAsync();

        await reply.PressSequentiallyAsync("Great! /th");
        var picker = page.GetByRole(AriaRole.Listbox, new() { Name = "Quick replies" });
        await Expect(picker.GetByRole(AriaRole.Option)).ToHaveCountAsync(2);
        await Expect(picker.GetByRole(AriaRole.Option, new() { Selected = true })).ToContainTextAsync("/th-hours");
        await reply.PressAsync("ArrowDown");
        var thanks = picker.GetByRole(AriaRole.Option, new() { Selected = true });
        await Expect(thanks).ToContainTextAsync("/thanks");
        await Expect(reply).ToHaveAttributeAsync("aria-activedescendant", (await thanks.GetAttributeAsync("id"))!);
        await Screenshots.SaveAsync(page, "quick-replies.png");
        await reply.PressAsync("Enter");

        await Expect(picker).ToBeHiddenAsync();
        await Expect(reply).ToHaveValueAsync("Great! Thank you, Ada! See you soon.");
        // The caret is after the inserted text: the agent can go on writing before sending.
        await reply.PressSequentiallyAsync(" Bye");
        await Expect(reply).ToHaveValueAsync("Great! Thank you, Ada! See you soon. Bye");
        await reply.PressAsync("Enter");

        await Expect(customer.Page.GetByRole(AriaRole.List, new() { Name = "Messages" })).ToContainTextAsync("Great! Thank you, Ada! See you soon. Bye");
        await Expect(reply).ToHaveValueAsync("");

        // Esc closes the list without inserting anything; a click picks an option.
        await reply.PressSequentiallyAsync("/menu");
        await Expect(picker.GetByRole(AriaRole.Option)).ToHaveCountAsync(1);
        await reply.PressAsync("Escape");
        await Expect(picker).ToBeHiddenAsync();
        await Expect(reply).ToHaveValueAsync("/menu");
        await reply.FillAsync("");
        await reply.PressSequentiallyAsync("/menu");
        await picker.GetByRole(AriaRole.Option, new() { Name = "/menu" }).ClickAsync();
        await Expect(reply).ToHaveValueAsync("Here is our menu.");
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_creates_a_label_puts_it_on_a_chat_and_the_label_filter_shows_only_that_chat()
    {
        var business = await fixture.App.CreateBusinessAsync();
        var adminEmail = await fixture.App.AddMemberAsync(business, MemberRole.Admin, "Mia");
        var customer = await OpenAsync(Desktop);
        await CustomerWritesAsync(customer.Page, business.Slug, "Can I order 40 rolls?", "Ada");
        var other = await OpenAsync(Desktop);
        await CustomerWritesAsync(other.Page, business.Slug, "Are you open today?", "Ben");
        var staff = await OpenAsync(Desktop);
        var page = staff.Page;
        await SignInAsync(page, adminEmail);

        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Labels" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Wholesale");
        await page.GetByTitle("Purple").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Purple" })).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create label" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Label \"Wholesale\" created.");
        await page.GetByLabel("Name").FillAsync("wholesale");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create label" }).ClickAsync();
        await Expect(page.GetByText("There is already a label called \"wholesale\"")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "labels-settings.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Inbox" }).ClickAsync();
        var ada = page.GetByRole(AriaRole.Button, new() { Name = "Ada" });
        var ben = page.GetByRole(AriaRole.Button, new() { Name = "Ben" });
        await Expect(ben).ToBeVisibleAsync();
        await ada.ClickAsync();
        await page.Locator(".bi-label-picker summary").ClickAsync();
        await page.GetByLabel("Find a label for this chat").FillAsync("whole");
        await page.GetByRole(AriaRole.Group, new() { Name = "Labels of this chat" }).GetByRole(AriaRole.Checkbox, new() { Name = "Wholesale" }).CheckAsync();
        await Expect(page.Locator(".bi-thread-labels")).ToContainTextAsync("Wholesale");
        await Expect(ada).ToContainTextAsync("Wholesale");
        await Expect(ben).Not.ToContainTextAsync("Wholesale");
        await Screenshots.SaveAsync(page, "labels-inbox.png");
        await page.Keyboard.PressAsync("Escape");

        await page.Locator(".bi-label-filter summary").ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Show chats with these labels" }).GetByRole(AriaRole.Checkbox, new() { Name = "Wholesale" }).CheckAsync();
        await Expect(ben).ToBeHiddenAsync();
        await Expect(ada).ToBeVisibleAsync();
        await Expect(page.Locator(".bi-chat-list").GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        staff.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
        await other.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_phone_the_label_and_quick_reply_pages_and_the_label_picker_fit_the_screen()
    {
        var business = await fixture.App.CreateBusinessAsync();
        var customer = await OpenAsync(Phone);
        await CustomerWritesAsync(customer.Page, business.Slug, "Hello", "Sam");
        var staff = await OpenAsync(Phone);
        var page = staff.Page;
        await SignInAsync(page, business.OwnerEmail);

        foreach (var (path, shot) in new[] { ("/settings/labels", "labels-phone.png"), ("/settings/quick-replies", "quick-replies-phone.png") })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue(path + " must not scroll sideways");
            await Screenshots.SaveAsync(page, shot);
        }
        await page.GotoAsync("/inbox");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sam" }).TapAsync();
        await page.Locator(".bi-label-picker summary").TapAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Labels of this chat" }).GetByRole(AriaRole.Checkbox, new() { Name = "Paid" }).CheckAsync();
        await Expect(page.Locator(".bi-thread-labels")).ToContainTextAsync("Paid");
        (await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue("the inbox must not scroll sideways");
        await Screenshots.SaveAsync(page, "labels-inbox-phone.png");
        staff.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }
}
