using BusinessInbox.Data;
using BusinessInbox.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace BusinessInbox.Stats;

/// <summary>The statistics API: <c>GET /api/v1/stats?from=yyyy-MM-dd&amp;to=yyyy-MM-dd</c>, dates in the business's zone.</summary>
public static class StatsEndpoints
{
    /// <summary>
    /// An API token (which only an owner can create) or a signed-in admin or owner. A signed-in agent is refused:
    /// the figures include every colleague's speed, which the dashboard keeps from agents too.
    /// </summary>
    public const string ReaderPolicy = "StatsReader";

    public static WebApplicationBuilder AddStats(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder().AddPolicy(ReaderPolicy, p => p
            .AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName, IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(InboxClaims.BusinessId)
            .RequireAssertion(c =>
                c.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == ApiTokenAuthentication.SchemeName)
                || c.User.RoleOf() is MemberRole.Admin or MemberRole.Owner));
        return builder;
    }

    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/stats", GetStats).RequireAuthorization(ReaderPolicy).WithName("GetStats").WithTags("Statistics");
        return app;
    }

    /// <param name="from">First local day, yyyy-MM-dd.</param>
    /// <param name="to">Last local day, yyyy-MM-dd (included); at most 366 days after from.</param>
    private static async Task<Results<Ok<StatsReport>, ValidationProblem>> GetStats(
        HttpContext http, InboxDb db, string? from, string? to, CancellationToken ct)
    {
        var (period, parameter, error) = StatsPeriod.Parse(from, to);
        if (period is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [parameter!] = [error!] }, detail: error);
        }
        return TypedResults.Ok(await StatsQueries.ReportAsync(db, http.User.BusinessIdOf(), period, ct));
    }
}
