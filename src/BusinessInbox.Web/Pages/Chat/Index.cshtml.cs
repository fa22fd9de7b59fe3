using BusinessInbox.Channels.WebChat;
using BusinessInbox.Data;
using BusinessInbox.Hosting;
using BusinessInbox.Inbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Chat;

/// <summary>The business's public chat page, <c>/c/{slug}</c>: no sign-in, a visitor cookie keeps the thread.</summary>
[EnableRateLimiting(HostingExtensions.CustomerRateLimit)]
public sealed class IndexModel(InboxDb db, VisitorCookie visitors) : PageModel
{
    public string BusinessName { get; private set; } = "";
    public string Slug { get; private set; } = "";

    /// <summary>A message to pre-fill, as in wa.me links; never sent on its own.</summary>
    [BindProperty(SupportsGet = true, Name = "text")]
    public string? Prefill { get; set; }

    public int MaxLength => MessageText.MaxLength;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().Where(b => b.Slug == slug).Select(b => new { b.Name, b.Slug }).SingleOrDefaultAsync(ct);
        if (business is null)
        {
            return NotFound();
        }
        BusinessName = business.Name;
        Slug = business.Slug;
        if (Prefill is { Length: > MessageText.MaxLength })
        {
            Prefill = Prefill[..MessageText.MaxLength];
        }
        visitors.Ensure(HttpContext);
        return Page();
    }
}
