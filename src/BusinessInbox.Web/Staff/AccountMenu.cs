using System.Security.Claims;
using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Staff;

public sealed record BusinessChoice(int Id, string Name);

public sealed record AccountMenuView(string DisplayName, int CurrentBusinessId, IReadOnlyList<BusinessChoice> Businesses);

/// <summary>What the header shows of the signed-in member: their name and the businesses they can switch to.</summary>
public sealed class AccountMenu(InboxDb db)
{
    public async Task<AccountMenuView> LoadAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        var userId = principal.UserId();
        var name = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        var businesses = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId)
            .OrderBy(m => m.Business.Name).ThenBy(m => m.BusinessId)
            .Select(m => new BusinessChoice(m.BusinessId, m.Business.Name))
            .ToListAsync(ct);
        return new AccountMenuView(string.IsNullOrWhiteSpace(name) ? principal.Identity?.Name ?? "" : name, principal.BusinessIdOf(), businesses);
    }
}
