using BusinessInbox.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace BusinessInbox.Security;

public static class SecurityExtensions
{
    /// <summary>Identity with cookies for staff, bearer API tokens for integrations, and one policy per role.</summary>
    public static WebApplicationBuilder AddInboxSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null);

        services.AddIdentityCore<AppUser>(o =>
            {
                // Length over composition (NIST SP 800-63B): long passphrases, no character-class rules.
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddSignInManager()
            .AddEntityFrameworkStores<InboxDb>()
            .AddDefaultTokenProviders();

        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromDays(3));
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            // A removed member is also signed out of every browser within a minute.
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            o.OnRefreshingPrincipal = ctx =>
            {
                if (ctx.CurrentPrincipal?.FindFirst(InboxClaims.BusinessId) is { } business && ctx.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity)
                {
                    identity.AddClaim(new System.Security.Claims.Claim(business.Type, business.Value));
                }
                return Task.CompletedTask;
            };
        });
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "bi_auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
        });

        services.AddScoped<IClaimsTransformation, MembershipClaims>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Agent, p => p.RequireAuthenticatedUser().RequireRole(nameof(MemberRole.Agent), nameof(MemberRole.Admin), nameof(MemberRole.Owner)))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(nameof(MemberRole.Admin), nameof(MemberRole.Owner)))
            .AddPolicy(Policies.Owner, p => p.RequireAuthenticatedUser().RequireRole(nameof(MemberRole.Owner)))
            .AddPolicy(Policies.Api, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName).RequireAuthenticatedUser().RequireClaim(InboxClaims.BusinessId));

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "bi_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        return builder;
    }

    // Pages redirect a person to sign in; hubs and scripts get a status code they can act on.
    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/hubs") || path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        if (status == StatusCodes.Status403Forbidden)
        {
            // A real 403 with a readable page, not a redirect that hides the refusal.
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
