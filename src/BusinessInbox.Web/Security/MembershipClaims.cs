using System.Globalization;
using System.Security.Claims;
using BusinessInbox.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Security;

/// <summary>
/// Adds the user's role in the current business on every request, read from the database, so that a
/// removed or demoted member loses access on their very next request rather than when the cookie expires.
/// </summary>
public sealed class MembershipClaims(InboxDb db) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity
            || identity.AuthenticationType == ApiTokenAuthentication.SchemeName
            || principal.HasClaim(c => c.Type == ClaimTypes.Role))
        {
            return principal;
        }
        var userId = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || principal.TryBusinessId() is not { } businessId)
        {
            return principal;
        }
        var membership = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.BusinessId == businessId)
            .Select(m => new { m.Role, m.Business.Name })
            .SingleOrDefaultAsync();
        if (membership is null)
        {
            return principal;
        }
        var extra = new ClaimsIdentity();
        extra.AddClaim(new Claim(ClaimTypes.Role, membership.Role.ToString()));
        extra.AddClaim(new Claim(InboxClaims.BusinessName, membership.Name));
        var result = principal.Clone();
        result.AddIdentity(extra);
        return result;
    }

    public static Claim BusinessClaim(int businessId) => new(InboxClaims.BusinessId, businessId.ToString(CultureInfo.InvariantCulture));
}
