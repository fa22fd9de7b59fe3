using Microsoft.Playwright;

namespace BusinessInbox.BrowserTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>One Chromium and one running app, shared by the browser tests to keep the run fast.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>An app with businesses in it; tests that need an empty server start their own.</summary>
    public BrowserApp App { get; } = new();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Debian's Chromium at {ChromiumPath}. Run ./test.sh once as root (it installs chromium and fonts), or apt-get install chromium.");
        }
        // The machines that run the tests are shared and slow at times; waits end as soon as the condition holds.
        Assertions.SetDefaultExpectTimeout(15_000);
        App.StartServer();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A desktop-sized window in an English locale.</summary>
    public static readonly BrowserNewContextOptions Desktop = new() { ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "en-GB" };

    /// <summary>A new browser profile (its own cookies) on the shared app, watched for dialogs, CSP violations and script errors.</summary>
    public async Task<WatchedPage> OpenAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions(options ?? Desktop) { BaseURL = App.BaseUrl });
        return await WatchedPage.OpenAsync(context);
    }

    /// <summary>Signs in through the sign-in form, as a member would.</summary>
    public static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(BrowserApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/inbox$"));
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}
