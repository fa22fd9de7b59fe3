using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Hours;

/// <summary>"Open now · closes 18:00" for the current business, shown to staff in the header.</summary>
public sealed class OpenStateViewComponent(InboxDb db, TimeProvider clock) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        if (UserClaimsPrincipal.TryBusinessId() is not { } businessId)
        {
            return Content("");
        }
        var business = await db.Businesses.AsNoTracking().Where(b => b.Id == businessId)
            .Select(b => new { b.TimeZone, b.Hours }).SingleOrDefaultAsync();
        if (business is null)
        {
            return Content("");
        }
        var hours = business.Hours.In(business.TimeZone);
        var now = clock.GetUtcNow();
        var clockOfBusiness = new BusinessClock(hours);
        return View(new OpenStateView(clockOfBusiness.IsOpen(now), HoursText.Status(hours, clockOfBusiness, now)));
    }
}

public sealed record OpenStateView(bool IsOpen, string Text);
