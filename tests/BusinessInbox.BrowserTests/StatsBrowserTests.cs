using System.Text.RegularExpressions;
using BusinessInbox.BrowserTests.Infrastructure;
using BusinessInbox.Data;
using BusinessInbox.Inbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class StatsBrowserTests(BrowserFixture fixture)
{
    /// <summary>Three customer messages from two new contacts and one staff reply, through the real ingest and reply paths.</summary>
    private async Task<TestBusiness> ShopWithTrafficAsync()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Stats Shop");
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var inbound = scope.ServiceProvider.GetRequiredService<InboundMessages>();
        Task<InboundResult> Receive(string visitor, string text) => inbound.ReceiveAsync(
            new InboundMessage(shop.Id, ChannelKind.WebChat, visitor, "Customer " + visitor, null, Guid.NewGuid().ToString("n"), text), default);
        var first = await Receive("v-1", "Do you have rye bread?");
        await Receive("v-1", "Two loaves, please");
        await Receive("v-2", "Open on Sunday?");
        await scope.ServiceProvider.GetRequiredService<ChatCommands>().ReplyAsync(shop.Id, first.ChatId, shop.OwnerId, "Yes, two are kept for you.", privateNote: false, default);
        return shop;
    }

    [Theory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(375, 740, "phone")]
    public async Task An_admin_picks_the_last_7_days_sees_the_charts_and_their_tables_and_downloads_the_same_figures(int width, int height, string screen)
    {
        var shop = await ShopWithTrafficAsync();
        var admin = await fixture.App.AddMemberAsync(shop, MemberRole.Admin, "Mia");
        var watched = await fixture.OpenAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = width, Height = height }, Locale = "en-GB", AcceptDownloads = true });
        var page = watched.Page;
        await BrowserFixture.SignInAsync(page, admin);

        await page.GotoAsync("/stats?range=today");
        await page.GetByLabel("Period").SelectOptionAsync(new SelectOptionValue { Label = "Last 7 days" });

        await Expect(page).ToHaveURLAsync(new Regex("range=7d"));
        var figures = page.GetByRole(AriaRole.Table).Filter(new() { Has = page.GetByRole(AriaRole.Columnheader, new() { Name = "This period" }) });
        await Expect(figures.Locator("tr[data-figure=received] td").First).ToHaveTextAsync("3");
        await Expect(figures.Locator("tr[data-figure=sent_by_staff] td").First).ToHaveTextAsync("1");
        await Expect(figures.Locator("tr[data-figure=new_contacts] td").First).ToHaveTextAsync("2");
        await Expect(page.Locator("#messages-chart")).ToHaveAttributeAsync("width", new Regex("^[1-9]"));
        await Expect(page.Locator("#frt-chart")).ToHaveAttributeAsync("width", new Regex("^[1-9]"));

        await Screenshots.SaveAsync(page, $"stats-figures-{screen}.png");
        await page.GetByText("Data table: messages per day").ClickAsync();
        var rows = page.Locator("#messages-table tbody tr");
        await Expect(rows).ToHaveCountAsync(7);
        var received = await rows.Locator("td:nth-of-type(1)").AllTextContentsAsync();
        var staff = await rows.Locator("td:nth-of-type(2)").AllTextContentsAsync();
        (received.Sum(int.Parse), staff.Sum(int.Parse)).Should().Be((3, 1));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Customer messages by weekday (rows) and hour (columns)" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, $"stats-{screen}.png");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download figures (CSV)" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        csv.Should().Contain("received,3,0").And.Contain("sent_by_staff,1,0").And.Contain("new_contacts,2,0");

        watched.ShouldHaveNoProblems();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_agent_gets_a_403_page_and_no_statistics_link()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Agent Shop");
        var agent = await fixture.App.AddMemberAsync(shop, MemberRole.Agent, "Omar");
        var watched = await fixture.OpenAsync();
        var page = watched.Page;
        await BrowserFixture.SignInAsync(page, agent);

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Statistics" })).ToHaveCountAsync(0);
        var response = await page.GotoAsync("/stats");

        response!.Status.Should().Be(403);
        page.Url.Should().EndWith("/stats");
        await page.Context.CloseAsync();
    }
}
