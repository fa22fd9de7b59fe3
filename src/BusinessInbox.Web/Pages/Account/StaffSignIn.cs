using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Pages.Account;

/// <summary>Signs a member in to one of their businesses (the first they joined, unless one is named).</summary>
public sealed class StaffSignIn(SignInManager<AppUser> signIn, InboxDb db)
{
    public async Task<bool> SignInAsync(AppUser user, int? businessId, CancellationToken ct)
    {
        var memberships = db.Memberships.Where(m => m.UserId == user.Id);
        if (businessId is { } id)
        {
            memberships = memberships.Where(m => m.BusinessId == id);
        }
        var chosen = await memberships.OrderBy(m => m.JoinedAt).ThenBy(m => m.BusinessId).Select(m => (int?)m.BusinessId).FirstOrDefaultAsync(ct);
        if (chosen is null)
        {
            return false;
        }
        await signIn.SignInWithClaimsAsync(user, isPersistent: true, [MembershipClaims.BusinessClaim(chosen.Value)]);
        return true;
    }
}
