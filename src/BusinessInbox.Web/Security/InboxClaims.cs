using System.Globalization;
using System.Security.Claims;
using BusinessInbox.Data;

namespace BusinessInbox.Security;

/// <summary>The claims a signed-in principal carries, and how to read them.</summary>
public static class InboxClaims
{
    /// <summary>The business the user is working in now (kept in the auth cookie, switched in the header).</summary>
    public const string BusinessId = "bi:business";
    public const string BusinessName = "bi:business_name";

    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The principal has no user id.");

    public static int BusinessIdOf(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(BusinessId) ?? throw new InvalidOperationException("The principal has no business."), CultureInfo.InvariantCulture);

    public static int? TryBusinessId(this ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(BusinessId), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static MemberRole? RoleOf(this ClaimsPrincipal user) =>
        Enum.TryParse<MemberRole>(user.FindFirstValue(ClaimTypes.Role), out var role) ? role : null;
}

public static class Policies
{
    /// <summary>Any member of the current business.</summary>
    public const string Agent = nameof(Agent);
    /// <summary>Admins and owners.</summary>
    public const string Admin = nameof(Admin);
    public const string Owner = nameof(Owner);
    /// <summary>A caller with a business API token.</summary>
    public const string Api = nameof(Api);
}
