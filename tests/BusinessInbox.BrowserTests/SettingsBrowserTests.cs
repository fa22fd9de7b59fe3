using System.Text.RegularExpressions;
using BusinessInbox.BrowserTests.Infrastructure;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace BusinessInbox.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class SettingsBrowserTests(BrowserFixture fixture)
{
    private static async Task SetEveryDayAsync(IPage page, string state, string? ranges = null)
    {
        foreach (var day in new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" })
        {
            await page.GetByLabel($"{day}: open or closed").SelectOptionAsync(new SelectOptionValue { Label = state });
            await page.GetByLabel($"{day}: hours").FillAsync(ranges ?? "");
        }
    }

    [Fact]
    public async Task The_owner_edits_the_hours_and_the_customer_page_shows_the_new_open_line()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Hours Shop");
        var owner = await fixture.OpenAsync();
        var customer = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(owner.Page, shop.OwnerEmail);
        await customer.Page.GotoAsync($"/c/{shop.Slug}");
        await Expect(customer.Page.GetByText("Open 24 hours", new() { Exact = true })).ToBeVisibleAsync();

        await owner.Page.GotoAsync("/settings/hours");
        await owner.Page.GetByLabel("Open for selected hours").CheckAsync();
        await SetEveryDayAsync(owner.Page, "Closed");
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Save hours" }).ClickAsync();
        await Expect(owner.Page.GetByText("Opening hours saved.")).ToBeVisibleAsync();
        await customer.Page.ReloadAsync();
        await Expect(customer.Page.GetByText("Closed", new() { Exact = true })).ToBeVisibleAsync();

        await SetEveryDayAsync(owner.Page, "Open 24 hours");
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Save hours" }).ClickAsync();
        await Expect(owner.Page.GetByText("Opening hours saved.")).ToBeVisibleAsync();
        await customer.Page.ReloadAsync();
        await Expect(customer.Page.GetByText("Open now", new() { Exact = true })).ToBeVisibleAsync();

        owner.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await owner.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task Overlapping_hours_are_refused_on_the_page_with_a_message_naming_them()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Careful Shop");
        var owner = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(owner.Page, shop.OwnerEmail);
        await owner.Page.GotoAsync("/settings/hours");

        await owner.Page.GetByLabel("Open for selected hours").CheckAsync();
        await owner.Page.GetByLabel("Monday: open or closed").SelectOptionAsync(new SelectOptionValue { Label = "Open during" });
        await owner.Page.GetByLabel("Monday: hours").FillAsync("09:00–13:00, 12:00–18:00");
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Save hours" }).ClickAsync();

        await Expect(owner.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Monday: 09:00–13:00 overlaps 12:00–18:00.");
        owner.ShouldHaveNoProblems();
        await owner.Page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_owner_uploads_a_logo_and_it_appears_on_the_customer_page()
    {
        var shop = await fixture.App.CreateBusinessAsync(name: "Logo Shop");
        var owner = await fixture.OpenAsync();
        await BrowserFixture.SignInAsync(owner.Page, shop.OwnerEmail);
        var file = Path.Combine(Path.GetTempPath(), $"logo-{Guid.NewGuid():n}.png");
        using (var bitmap = new SKBitmap(300, 300))
        {
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColors.DarkOrange);
            }
            await File.WriteAllBytesAsync(file, SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100).ToArray());
        }

        await owner.Page.GotoAsync("/settings/profile");
        await owner.Page.GetByLabel("Upload a logo (PNG, JPEG or WebP, at most 2 MB)").SetInputFilesAsync(file);
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Upload logo" }).ClickAsync();
        await Expect(owner.Page.GetByText("Logo saved.")).ToBeVisibleAsync();
        await Expect(owner.Page.GetByRole(AriaRole.Img, new() { Name = "Current logo" })).ToBeVisibleAsync();

        var customer = await fixture.OpenAsync();
        await customer.Page.GotoAsync($"/c/{shop.Slug}");
        var logo = customer.Page.GetByRole(AriaRole.Img, new() { Name = "Logo Shop logo" });
        await Expect(logo).ToBeVisibleAsync();
        (await logo.EvaluateAsync<int>("img => img.naturalWidth")).Should().Be(300);

        File.Delete(file);
        owner.ShouldHaveNoProblems();
        customer.ShouldHaveNoProblems();
        await owner.Page.Context.CloseAsync();
        await customer.Page.Context.CloseAsync();
    }
}
