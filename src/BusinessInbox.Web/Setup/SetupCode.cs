using System.Security.Cryptography;
using BusinessInbox.Data;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Setup;

/// <summary>
/// The one-time code that <c>/setup</c> asks for, printed to the console at start while no business
/// exists, so that a stranger who finds a fresh server first cannot claim it.
/// </summary>
public sealed class SetupCode
{
    public string Value { get; } = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 10);

    public bool Matches(string? attempt) =>
        attempt is not null &&
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(Value),
            System.Text.Encoding.UTF8.GetBytes(attempt.Trim().ToUpperInvariant().Replace("-", "", StringComparison.Ordinal)));
}

internal sealed class SetupCodeAnnouncer(IServiceScopeFactory scopes, SetupCode code, IHostApplicationLifetime lifetime, ILogger<SetupCodeAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = AnnounceAsync());
        return Task.CompletedTask;
    }

    private async Task AnnounceAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        if (!await db.Businesses.AnyAsync())
        {
            // Printed on purpose: whoever can read this console may set up the first business.
            logger.LogWarning("No business exists yet. Open /setup and enter the setup code {SetupCode}", code.Value);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class SetupExtensions
{
    public static WebApplicationBuilder AddBusinessSetup(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SetupCode>();
        builder.Services.AddScoped<BusinessSetup>();
        builder.Services.AddScoped<Pages.Account.StaffSignIn>();
        builder.Services.AddHostedService<SetupCodeAnnouncer>();
        return builder;
    }
}
