using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace BusinessInbox.Channels.WebChat;

/// <summary>
/// The web-chat visitor's identity: a random id in a signed, encrypted, HTTP-only cookie, so a customer
/// keeps their thread across visits and nobody can claim another visitor's thread by guessing ids.
/// </summary>
public sealed class VisitorCookie(IDataProtectionProvider protection, TimeProvider clock)
{
    public const string Name = "bi_visitor";
    private readonly IDataProtector _protector = protection.CreateProtector("BusinessInbox.WebChat.Visitor");

    public string? Read(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }
        try
        {
            var id = _protector.Unprotect(value);
            return id.Length == 32 && id.All(char.IsAsciiHexDigitLower) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Returns the visitor id, issuing a new cookie when there is none (or it was tampered with).</summary>
    public string Ensure(HttpContext http)
    {
        if (Read(http) is { } existing)
        {
            return existing;
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        http.Response.Cookies.Append(Name, _protector.Protect(id), new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            IsEssential = true,
            Expires = clock.GetUtcNow().AddYears(1),
            Path = "/",
        });
        return id;
    }
}
