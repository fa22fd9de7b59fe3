using Microsoft.Playwright;

namespace BusinessInbox.BrowserTests.Infrastructure;

/// <summary>
/// Screenshots of what the tests saw, next to the test output; with BI_UPDATE_DOCS_IMAGES=1 also into
/// docs/images for the README.
/// </summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        }
        catch (PlaywrightException ex) when (ex.Message.Contains("Unable to capture screenshot", StringComparison.Ordinal))
        {
            // Headless Chromium now and then has no frame to give right after a page loads: capture once the next one is drawn.
            await page.EvaluateAsync("() => new Promise(requestAnimationFrame)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        }
        if (Environment.GetEnvironmentVariable("BI_UPDATE_DOCS_IMAGES") == "1" && RepositoryRoot() is { } root)
        {
            var docs = Path.Combine(root, "docs", "images");
            Directory.CreateDirectory(docs);
            File.Copy(path, Path.Combine(docs, name), overwrite: true);
        }
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BusinessInbox.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
