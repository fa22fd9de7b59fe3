using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Profile;

public static class ProfileEndpoints
{
    /// <summary>The public logo of a business, shown on its chat page (<c>/c/{slug}/logo</c>).</summary>
    public static IEndpointRouteBuilder MapBusinessProfile(this IEndpointRouteBuilder app)
    {
        app.MapGet("/c/{slug}/logo", async (string slug, InboxDb db, HttpContext http, CancellationToken ct) =>
        {
            var logo = await db.BusinessLogos.AsNoTracking()
                .Where(l => db.Businesses.Any(b => b.Id == l.BusinessId && b.Slug == slug))
                .Select(l => l.Png).SingleOrDefaultAsync(ct);
            if (logo is null)
            {
                return Results.NotFound();
            }
            // The page links the logo with its version, so a changed logo has a new address.
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.File(logo, "image/png");
        }).AllowAnonymous().WithName("BusinessLogo").ExcludeFromDescription();
        return app;
    }
}
