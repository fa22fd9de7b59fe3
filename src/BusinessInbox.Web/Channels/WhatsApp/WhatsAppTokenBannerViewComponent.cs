using BusinessInbox.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Channels.WhatsApp;

/// <summary>
/// The owner's site-wide warning that WhatsApp refused the access token: replies to WhatsApp customers are not
/// going out. It stays until a new token is saved and a connection test has proved it works.
/// </summary>
public sealed class WhatsAppTokenBannerViewComponent(Data.InboxDb db) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        if (UserClaimsPrincipal.TryBusinessId() is not { } businessId)
        {
            return Content("");
        }
        var status = await db.WhatsAppChannels.AsNoTracking().Where(c => c.BusinessId == businessId)
            .Select(c => (WhatsAppChannelStatus?)c.Status).SingleOrDefaultAsync();
        return status is null or WhatsAppChannelStatus.Connected ? Content("") : View(status.Value);
    }
}
