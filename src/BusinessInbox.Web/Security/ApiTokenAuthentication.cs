using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using BusinessInbox.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BusinessInbox.Security;

/// <summary>Authenticates <c>Authorization: Bearer bi_…</c> against the business's stored token hashes.</summary>
public sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    InboxDb db,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        if (!ApiTokens.LooksLikeToken(token))
        {
            return AuthenticateResult.Fail("The API token is not valid.");
        }
        var hash = ApiTokens.Hash(token);
        var row = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Select(t => new { t.Id, t.BusinessId, t.Name })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (row is null)
        {
            return AuthenticateResult.Fail("The API token is not valid or was revoked.");
        }
        var now = clock.GetUtcNow();
        // Last use is shown to the owner; a minute's precision is enough and saves a write per request.
        await db.ApiTokens.Where(t => t.Id == row.Id && (t.LastUsedAt == null || t.LastUsedAt < now.AddMinutes(-1)))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, "api-token:" + row.Id),
                new Claim(ClaimTypes.Name, row.Name),
                MembershipClaims.BusinessClaim(row.BusinessId),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>Creating and checking API tokens. Only a SHA-256 hash is stored; the token is shown once.</summary>
public static class ApiTokens
{
    private const string TokenPrefix = "bi_";

    public static string NewToken() => TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static bool LooksLikeToken(string token) =>
        token.StartsWith(TokenPrefix, StringComparison.Ordinal) && token.Length is > 20 and < 100;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Creates a token for a business; returns the token text, which is never stored.</summary>
    public static async Task<string> CreateAsync(InboxDb db, int businessId, string name, DateTimeOffset now, CancellationToken ct)
    {
        var token = NewToken();
        db.ApiTokens.Add(new ApiToken
        {
            BusinessId = businessId, Name = name.Trim(), TokenHash = Hash(token), Prefix = token[..10], CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
