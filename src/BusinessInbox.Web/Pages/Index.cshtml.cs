using BusinessInbox.Security;
using BusinessInbox.Setup;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BusinessInbox.Pages;

/// <summary>The front door: setup on a fresh server, the inbox for members, sign-in for everyone else.</summary>
public sealed class IndexModel(BusinessSetup setup) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await setup.AnyBusinessAsync(ct))
        {
            return Redirect("/setup");
        }
        return Redirect(User.RoleOf() is null ? "/account/login" : "/inbox");
    }
}
