using Microsoft.Playwright;

namespace BusinessInbox.BrowserTests.Infrastructure;

/// <summary>
/// A page that records what must never happen: a dialog (a script that got in through chat text),
/// a Content-Security-Policy violation, or a script error.
/// </summary>
public sealed class WatchedPage
{
    private readonly List<string> _problems = [];

    private WatchedPage(IPage page)
    {
        Page = page;
        page.Dialog += (_, dialog) =>
        {
            lock (_problems)
            {
                _problems.Add($"A dialog opened: {dialog.Type} \"{dialog.Message}\"");
            }
            _ = dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.StartsWith("CSP violation", StringComparison.Ordinal))
            {
                lock (_problems)
                {
                    _problems.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_problems)
            {
                _problems.Add("Script error: " + error);
            }
        };
    }

    public IPage Page { get; }

    public static async Task<WatchedPage> OpenAsync(IBrowserContext context)
    {
        // Injected by the browser outside the page's CSP, so it sees every violation the page causes.
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
            """);
        return new WatchedPage(await context.NewPageAsync());
    }

    public void ShouldHaveNoProblems()
    {
        lock (_problems)
        {
            _problems.Should().BeEmpty("no script may run from chat text and the page must work under its Content-Security-Policy");
        }
    }
}
