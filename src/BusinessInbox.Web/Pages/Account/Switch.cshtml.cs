using BusinessInbox.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BusinessInbox.Pages.Account;

/// <summary>The header's business switcher posts here: the member signs in again to another of their businesses.</summary>
public sealed class SwitchModel(UserManager<AppUser> users, StaffSignIn staffSignIn) : PageModel
{
    public IActionResult OnGet() => Redirect("/inbox");

    public async Task<IActionResult> OnPostAsync(int businessId, CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        // Not a member of that business: the same answer as for a business that does not exist.
        if (user is null || !await staffSignIn.SignInAsync(user, businessId, ct))
        {
            return NotFound();
        }
        return Redirect("/inbox");
    }
}
