using System.Globalization;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Localization;
using Serilog;
using Serilog.Events;

namespace BusinessInbox.Hosting;

public static class HostingExtensions
{
    public const string CustomerRateLimit = "customer";

    /// <summary>Logging, proxy headers, rate limits, problem details, health checks, pages and localization.</summary>
    public static WebApplicationBuilder AddInboxHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            // Sinks registered as ILogEventSink services too (the tests capture events this way).
            .ReadFrom.Services(services)
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            // Four lines for every call to the Graph API, hundreds a second on a busy number; failures are logged by the callers.
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture));

        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Behind a reverse proxy on another host, add it under ForwardedHeaders:KnownProxies.
            foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            {
                o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
            // The public chat page and its hub: per client address.
            o.AddPolicy(CustomerRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 60, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddLocalization();
        builder.Services.AddRazorPages(o =>
            {
                o.Conventions.AuthorizeFolder("/", Security.Policies.Agent);
                // Not the whole Account folder: the profile and the business switch are for members.
                o.Conventions.AllowAnonymousToPage("/Account/Login");
                o.Conventions.AllowAnonymousToPage("/Account/Logout");
                o.Conventions.AllowAnonymousToPage("/Account/AcceptInvite");
                o.Conventions.AllowAnonymousToFolder("/Setup");
                o.Conventions.AllowAnonymousToFolder("/Chat");
                o.Conventions.AllowAnonymousToPage("/Error");
                o.Conventions.AllowAnonymousToPage("/Index");
                o.Conventions.AuthorizeFolder("/Settings", Security.Policies.Owner);
                // Settings that admins manage too (labels, quick replies); their routes are still under /settings.
                o.Conventions.AuthorizeFolder("/Manage", Security.Policies.Admin);
            })
            .AddViewLocalization();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<Api.BearerSecurityScheme>());
        return builder;
    }

    public static WebApplication UseInboxHosting(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }
        // The API answers refusals with problem details; people get a readable page.
        app.UseWhen(http => IsApi(http), api => api.UseStatusCodePages());
        app.UseWhen(http => !IsApi(http), pages => pages.UseStatusCodePagesWithReExecute("/Error", "?status={0}"));
        app.UseSerilogRequestLogging(o =>
        {
            // This app's logger, not the static one: several hosts may share a process (tests, tools).
            o.Logger = app.Services.GetService<Serilog.ILogger>();
            o.GetLevel = (http, _, ex) =>
                ex is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : http.Request.Path.StartsWithSegments("/healthz") || http.Request.Path.StartsWithSegments("/readyz") ? LogEventLevel.Verbose
                // Meta's deliveries come by the thousand a second at peak: the ones that went well are not worth a line each.
                : http.Request.Path.StartsWithSegments("/webhooks") && http.Response.StatusCode < 400 ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });
        app.UseRequestLocalization(o =>
        {
            o.SetDefaultCulture("en").AddSupportedCultures("en", "zh-Hans").AddSupportedUICultures("en", "zh-Hans");
            o.RequestCultureProviders.Insert(0, new QueryStringRequestCultureProvider());
        });
        app.MapStaticAssets();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapRazorPages().WithStaticAssets();
        return app;
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");
}
