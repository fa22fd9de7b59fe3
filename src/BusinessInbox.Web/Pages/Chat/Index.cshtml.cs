using BusinessInbox.Channels.WebChat;
using BusinessInbox.Data;
using BusinessInbox.Hosting;
using BusinessInbox.Hours;
using BusinessInbox.Inbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Chat;

/// <summary>The business's public chat page, <c>/c/{slug}</c>: no sign-in, a visitor cookie keeps the thread.</summary>
[EnableRateLimiting(HostingExtensions.CustomerRateLimit)]
public sealed class IndexModel(InboxDb db, VisitorCookie visitors, TimeProvider clock) : PageModel
{
    public string BusinessName { get; private set; } = "";
    public string Slug { get; private set; } = "";
    public string? Description { get; private set; }
    public string? Address { get; private set; }
    public IReadOnlyList<string> Websites { get; private set; } = [];
    public int? LogoVersion { get; private set; }
    public string OpenStatus { get; private set; } = "";
    public string HoursToday { get; private set; } = "";

    /// <summary>A message to pre-fill, as in wa.me links; never sent on its own.</summary>
    [BindProperty(SupportsGet = true, Name = "text")]
    public string? Prefill { get; set; }

    public int MaxLength => MessageText.MaxLength;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().Where(b => b.Slug == slug).Select(b => new { b.Name, b.Slug, b.TimeZone, b.Hours, b.Description, b.Address, b.Website1, b.Website2, b.LogoVersion })
            .SingleOrDefaultAsync(ct);
        if (business is null)
        {
            return NotFound();
        }
        BusinessName = business.Name;
        Slug = business.Slug;
        Description = business.Description;
        Address = business.Address;
        Websites = new[] { business.Website1, business.Website2 }.OfType<string>().ToList();
        LogoVersion = business.LogoVersion;
        var hours = business.Hours.In(business.TimeZone);
        var businessClock = new BusinessClock(hours);
        var now = clock.GetUtcNow();
        OpenStatus = HoursText.Status(hours, businessClock, now);
        HoursToday = HoursText.Today(hours, businessClock, now);
        if (Prefill is { Length: > MessageText.MaxLength })
        {
            Prefill = Prefill[..MessageText.MaxLength];
        }
        visitors.Ensure(HttpContext);
        return Page();
    }
}
