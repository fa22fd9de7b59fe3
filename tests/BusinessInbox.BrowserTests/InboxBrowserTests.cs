using System.Text.RegularExpressions;
using BusinessInbox.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class InboxBrowserTests(BrowserFixture fixture)
{
    private const string Markup = "<img src=x onerror=alert(1)>";

    /// <summary>The inbox has connected and shown its (empty) list: from now on it only changes live.</summary>
    private static Task InboxIsLiveAsync(IPage page) =>
        Expect(page.GetByText("No conversations here yet.")).ToBeVisibleAsync();

    private static async Task CustomerWritesAsync(IPage page, string slug, string text, string? name = null)
    {
        await page.GotoAsync($"/c/{slug}");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Online");
        if (name is not null)
        {
            await page.GetByLabel("Your name (optional)").FillAsync(name);
        }
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await page.GetByLabel("Message", new() { Exact = true }).PressAsync("Enter");
    }

    [Fact]
    public async Task The_owner_sets_up_the_first_business_with_the_code_from_the_console_and_lands_in_the_inbox()
    {
        await using var app = new BrowserApp();
        app.StartServer();
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions(BrowserFixture.Desktop) { BaseURL = app.BaseUrl });
        var watched = await WatchedPage.OpenAsync(context);
        var page = watched.Page;

        await page.GotoAsync("/setup");
        await page.GetByLabel("Setup code").FillAsync(app.SetupCode);
        await page.GetByLabel("Business name").FillAsync("Corner Bakery");
        await page.GetByLabel("Short link name").FillAsync("corner-bakery");
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByLabel("Your name").FillAsync("Lena");
        await page.GetByLabel("E-mail").FillAsync("lena@corner-bakery.test");
        await page.GetByLabel("Password").FillAsync(BrowserApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create business" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/inbox$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Corner Bakery" })).ToBeVisibleAsync();
        await InboxIsLiveAsync(page);
        watched.ShouldHaveNoProblems();
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_customer_message_appears_in_the_inbox_live_and_the_reply_reaches_the_customer_with_read_ticks()
    {
        var (_, slug, _, owner) = await fixture.App.CreateBusinessAsync();
        var staff = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(staff.Page, owner);
        await InboxIsLiveAsync(staff.Page);
        var customer = await fixture.OpenAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 400, Height = 800 } });

        await CustomerWritesAsync(customer.Page, slug, "Hello! Do you have rye bread today?", "Ada");

        var chat = staff.Page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = "Ada" });
        await Expect(chat).ToBeVisibleAsync();
        await Expect(chat.GetByLabel("1 unread")).ToBeVisibleAsync();
        await Expect(chat).ToContainTextAsync("Do you have rye bread today?");
        var customerThread = customer.Page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(customerThread.GetByRole(AriaRole.Img, new() { Name = "Delivered", Exact = true })).ToBeVisibleAsync();

        await chat.ClickAsync();
        var staffThread = staff.Page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(staffThread).ToContainTextAsync("Hello! Do you have rye bread today?");
        await Expect(customerThread.GetByRole(AriaRole.Img, new() { Name = "Read", Exact = true })).ToBeVisibleAsync();
        await Expect(chat.GetByLabel("1 unread")).ToBeHiddenAsync();

        await staff.Page.GetByLabel("Reply").FillAsync("Yes, fresh from the oven.\nShall I keep one for you?");
        await staff.Page.GetByLabel("Reply").PressAsync("Enter");

        await Expect(customerThread).ToContainTextAsync("Shall I keep one for you?");
        await Expect(staffThread.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Shall I keep one" })
            .GetByRole(AriaRole.Img, new() { Name = "Read", Exact = true })).ToBeVisibleAsync();
        // Staff do not see ticks on what the customer wrote.
        await Expect(staffThread.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "rye bread" }).GetByRole(AriaRole.Img)).ToHaveCountAsync(0);

        await Expect(staffThread.GetByText("Today", new() { Exact = true })).ToBeVisibleAsync();

        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Assign to me" }).ClickAsync();
        await Expect(staffThread.GetByText("Lena assigned this chat to Lena")).ToBeVisibleAsync();
        await Expect(chat).ToContainTextAsync("Assigned to Lena");
        await staff.Page.GetByRole(AriaRole.Switch, new() { Name = "Private note" }).CheckAsync();
        await staff.Page.GetByLabel("Reply").FillAsync("Regular customer, keep a rye loaf on Saturdays.");
        await staff.Page.GetByLabel("Reply").PressAsync("Enter");
        var note = staffThread.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "keep a rye loaf" });
        await Expect(note).ToContainTextAsync("Private note");
        await Expect(staff.Page.GetByRole(AriaRole.Switch, new() { Name = "Private note" })).Not.ToBeCheckedAsync();

        await Screenshots.SaveAsync(staff.Page, "inbox.png");
        await Expect(customerThread).Not.ToContainTextAsync("keep a rye loaf");

        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Expect(staffThread.GetByText("Resolved by Lena")).ToBeVisibleAsync();
        await Expect(chat).ToContainTextAsync("Resolved");
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await Expect(staffThread.GetByText("Reopened by Lena")).ToBeVisibleAsync();
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Unassigned" }).ClickAsync();
        await Expect(staff.Page.GetByText("No conversations here yet.")).ToBeVisibleAsync();
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Mine" }).ClickAsync();
        await Expect(chat).ToBeVisibleAsync();
        await Screenshots.SaveAsync(customer.Page, "customer-chat.png");
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task Markup_typed_into_names_and_messages_shows_as_text_everywhere_and_never_runs()
    {
        var (_, slug, _, owner) = await fixture.App.CreateBusinessAsync(name: Markup, ownerName: Markup);
        var staff = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(staff.Page, owner);
        await InboxIsLiveAsync(staff.Page);
        // The business name (brand) and the member's name (account menu), both as text.
        await Expect(staff.Page.GetByRole(AriaRole.Navigation).GetByText(Markup)).ToHaveCountAsync(2);
        var customer = await fixture.OpenAsync();

        await CustomerWritesAsync(customer.Page, slug, Markup, Markup);
        await Expect(customer.Page.GetByRole(AriaRole.Heading, new() { Name = Markup })).ToBeVisibleAsync();

        var chat = staff.Page.GetByRole(AriaRole.Listitem).GetByRole(AriaRole.Button, new() { Name = Markup }).First;
        await Expect(chat.GetByText(Markup)).ToHaveCountAsync(2);
        await chat.ClickAsync();
        await Expect(staff.Page.GetByRole(AriaRole.Heading, new() { Name = Markup })).ToBeVisibleAsync();
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Assign to me" }).ClickAsync();
        var staffThread = staff.Page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(staffThread.GetByText($"{Markup} assigned this chat to {Markup}")).ToBeVisibleAsync();
        await Expect(chat).ToContainTextAsync($"Assigned to {Markup}");
        await Expect(staff.Page.GetByLabel("Assigned to", new() { Exact = true })).ToContainTextAsync(Markup);

        await staff.Page.GetByLabel("Reply").FillAsync(Markup);
        await staff.Page.GetByLabel("Reply").PressAsync("Enter");
        // The customer's message, the assignment and the reply.
        await Expect(staffThread.GetByRole(AriaRole.Listitem).Filter(new() { HasText = Markup })).ToHaveCountAsync(3);
        await Expect(customer.Page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Listitem)
            .Filter(new() { HasText = Markup })).ToHaveCountAsync(2);

        await Expect(staff.Page.Locator("img")).ToHaveCountAsync(0);
        await Expect(customer.Page.Locator("img")).ToHaveCountAsync(0);
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task Searching_a_two_character_chinese_word_lists_only_the_chats_that_have_it()
    {
        var (_, slug, _, owner) = await fixture.App.CreateBusinessAsync();
        var customer = await fixture.OpenAsync();
        await CustomerWritesAsync(customer.Page, slug, "你好，请问明天营业吗？", "王小明");
        await Expect(customer.Page.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        var other = await fixture.OpenAsync();
        await CustomerWritesAsync(other.Page, slug, "国营，业务很忙吗？", "李娜");
        await Expect(other.Page.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        var staff = await fixture.OpenAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 375, Height = 740 }, HasTouch = true, IsMobile = true });
        await BrowserFixture.SignInAsync(staff.Page, owner);
        var wang = staff.Page.GetByRole(AriaRole.Button, new() { Name = "王小明" });
        var li = staff.Page.GetByRole(AriaRole.Button, new() { Name = "李娜" });
        await Expect(li).ToBeVisibleAsync();

        await staff.Page.GetByLabel("Search conversations").FillAsync("营业");

        await Expect(li).ToBeHiddenAsync();
        await Expect(wang).ToBeVisibleAsync();
        await Expect(wang).ToContainTextAsync("明天营业吗");
        await Screenshots.SaveAsync(staff.Page, "inbox-search-phone.png");
        staff.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
        await other.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task On_a_phone_the_inbox_shows_the_list_then_the_thread_with_a_way_back()
    {
        var (_, slug, _, owner) = await fixture.App.CreateBusinessAsync();
        var phone = new BrowserNewContextOptions { ViewportSize = new() { Width = 375, Height = 740 }, HasTouch = true, IsMobile = true };
        var customer = await fixture.OpenAsync(phone);
        await CustomerWritesAsync(customer.Page, slug, "Are you open on Sunday?", "Sam");
        await Expect(customer.Page.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        var staff = await fixture.OpenAsync(phone);
        await BrowserFixture.SignInAsync(staff.Page, owner);

        var chat = staff.Page.GetByRole(AriaRole.Button, new() { Name = "Sam" });
        await Expect(chat).ToBeVisibleAsync();
        await Expect(staff.Page.GetByLabel("Reply")).ToBeHiddenAsync();
        await Screenshots.SaveAsync(staff.Page, "inbox-phone-list.png");

        await chat.TapAsync();
        var back = staff.Page.GetByRole(AriaRole.Button, new() { Name = "Back to conversations" });
        await Expect(back).ToBeVisibleAsync();
        await Expect(staff.Page.GetByRole(AriaRole.List, new() { Name = "Messages" })).ToContainTextAsync("Are you open on Sunday?");
        await Expect(staff.Page.GetByLabel("Reply")).ToBeVisibleAsync();
        await Expect(chat).ToBeHiddenAsync();
        await Screenshots.SaveAsync(staff.Page, "inbox-phone.png");

        await back.TapAsync();
        await Expect(chat).ToBeVisibleAsync();
        await Expect(back).ToBeHiddenAsync();
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_customer_composer_starts_with_the_link_text_counts_an_emoji_as_one_character_and_refuses_more_than_4096()
    {
        var (_, slug, _, _) = await fixture.App.CreateBusinessAsync();
        var customer = await fixture.OpenAsync();
        var page = customer.Page;
        await page.GotoAsync($"/c/{slug}?text={Uri.EscapeDataString("I'd like to order a cake")}");
        var message = page.GetByLabel("Message", new() { Exact = true });
        var send = page.GetByRole(AriaRole.Button, new() { Name = "Send" });
        await Expect(message).ToHaveValueAsync("I'd like to order a cake");
        await Expect(send).ToBeEnabledAsync();

        await message.FillAsync(string.Concat(Enumerable.Repeat("😀", 4096)));
        await Expect(page.GetByText("4096 / 4096")).ToBeVisibleAsync();
        await Expect(send).ToBeEnabledAsync();

        await message.FillAsync(string.Concat(Enumerable.Repeat("😀", 4097)));
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("A message can have at most 4096 characters; this one has 4097.");
        await Expect(send).ToBeDisabledAsync();

        await message.FillAsync("   ");
        await Expect(send).ToBeDisabledAsync();
        customer.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_inbox_that_lost_its_connection_catches_up_on_what_it_missed_when_it_is_back()
    {
        var business = await fixture.App.CreateBusinessAsync();
        var customer = await fixture.OpenAsync();
        await CustomerWritesAsync(customer.Page, business.Slug, "First question", "Noor");
        var staff = await fixture.OpenAsync();
        // The inbox's WebSocket passes through the test, which can cut it as a lost network would.
        IWebSocketRoute? toPage = null;
        IWebSocketRoute? toServer = null;
        await staff.Page.RouteWebSocketAsync(new Regex("/hubs/inbox"), ws =>
        {
            toServer = ws.ConnectToServer();
            toPage = ws;
        });
        await BrowserFixture.SignInAsync(staff.Page, business.OwnerEmail);
        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Noor" }).ClickAsync();
        var staffThread = staff.Page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(staffThread).ToContainTextAsync("First question");

        // The connection drops, and coming back is held until the customer has written again.
        var back = new TaskCompletionSource();
        await staff.Page.RouteAsync("**/hubs/inbox/negotiate**", async route =>
        {
            await back.Task;
            await route.ContinueAsync();
        });
        await toPage!.CloseAsync(new() { Code = 4000, Reason = "Network lost" });
        await toServer!.CloseAsync();
        await Expect(staff.Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Reconnecting…");
        var customerMessage = customer.Page.GetByLabel("Message", new() { Exact = true });
        await customerMessage.FillAsync("Second question, sent while the shop was away");
        await customerMessage.PressAsync("Enter");
        await Expect(customer.Page.GetByRole(AriaRole.Img, new() { Name = "Sent", Exact = true })).ToBeVisibleAsync();
        await Expect(staffThread).Not.ToContainTextAsync("Second question");
        back.SetResult();

        await Expect(staffThread).ToContainTextAsync("Second question, sent while the shop was away");
        await Expect(staff.Page.GetByRole(AriaRole.Status)).ToBeHiddenAsync();
        // Caught up while the chat is open and visible: the customer sees it read.
        await Expect(customer.Page.GetByRole(AriaRole.Img, new() { Name = "Read", Exact = true })).ToHaveCountAsync(2);
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_message_whose_confirmation_was_lost_with_the_connection_is_sent_again_and_stored_once()
    {
        var business = await fixture.App.CreateBusinessAsync();
        var staff = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(staff.Page, business.OwnerEmail);
        await InboxIsLiveAsync(staff.Page);
        var customer = await fixture.OpenAsync();
        // The first message reaches the server, then the connection drops before the answer gets back.
        var cut = false;
        await customer.Page.RouteWebSocketAsync(new Regex("/hubs/chat"), ws =>
        {
            var server = ws.ConnectToServer();
            var dropThis = false;
            ws.OnMessage(frame =>
            {
                Forward(server, frame);
                if (!cut && frame.Text?.Contains("\"target\":\"Send\"", StringComparison.Ordinal) == true)
                {
                    cut = dropThis = true;
                    _ = ws.CloseAsync(new() { Code = 4000, Reason = "Network lost" });
                    _ = server.CloseAsync();
                }
            });
            server.OnMessage(frame =>
            {
                if (!dropThis)
                {
                    Forward(ws, frame);
                }
            });
        });

        await CustomerWritesAsync(customer.Page, business.Slug, "Only once, please", "Omar");

        var customerThread = customer.Page.GetByRole(AriaRole.List, new() { Name = "Messages" });
        await Expect(customerThread.GetByRole(AriaRole.Img, new() { Name = "Delivered", Exact = true })).ToBeVisibleAsync();
        await Expect(customerThread.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Only once, please" })).ToHaveCountAsync(1);
        cut.Should().BeTrue("the connection was cut after the message was sent");
        var chat = staff.Page.GetByRole(AriaRole.Button, new() { Name = "Omar" });
        await Expect(chat.GetByLabel("1 unread")).ToBeVisibleAsync();
        await chat.ClickAsync();
        await Expect(staff.Page.GetByRole(AriaRole.List, new() { Name = "Messages" }).GetByRole(AriaRole.Listitem)
            .Filter(new() { HasText = "Only once, please" })).ToHaveCountAsync(1);
        staff.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await staff.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    private static void Forward(IWebSocketRoute to, IWebSocketFrame frame)
    {
        if (frame.Text is { } text)
        {
            to.Send(text);
        }
        else
        {
            to.Send(frame.Binary!);
        }
    }
}
