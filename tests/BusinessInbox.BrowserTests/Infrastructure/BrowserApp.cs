using System.Net;
using System.Net.Sockets;
using BusinessInbox.Data;
using BusinessInbox.Setup;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BusinessInbox.BrowserTests.Infrastructure;

/// <summary>The real app on a loopback port that a real browser can reach, on a fresh temporary data folder.</summary>
public sealed class BrowserApp : WebApplicationFactory<Program>
{
    public const string Password = "correct horse battery";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "bi-browser-tests", Guid.NewGuid().ToString("n"));

    public BrowserApp()
    {
        Port = FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    /// <summary>Extra configuration, set before the server starts.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Outside Development the app serves the published wwwroot; a test runs the build output, whose
        // compressed copies of the scripts live in obj/, so the build's static web assets manifest is used.
        builder.UseStaticWebAssets();
        builder.UseSetting("Storage:DataPath", _dataPath);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What the app printed to its console for <c>/setup</c>.</summary>
    public string SetupCode => Services.GetRequiredService<SetupCode>().Value;

    /// <summary>Creates a business and its owner through the same code path as <c>/setup</c>.</summary>
    public async Task<TestBusiness> CreateBusinessAsync(string? name = null, string? ownerName = null)
    {
        var slug = "shop-" + Guid.NewGuid().ToString("n")[..10];
        var email = $"owner@{slug}.test";
        await using var scope = Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<BusinessSetup>();
        var result = await setup.CreateAsync(new NewBusiness(name ?? "Corner Bakery", slug, "Europe/Berlin", ownerName ?? "Lena", email, Password), default);
        result.Succeeded.Should().BeTrue(string.Join("; ", result.Errors.Select(e => e.Key + ": " + e.Value)));
        return new TestBusiness(result.BusinessId!.Value, slug, result.OwnerId!, email);
    }

    /// <summary>Adds a member with the test password to a business; returns their e-mail address.</summary>
    public async Task<string> AddMemberAsync(TestBusiness business, MemberRole role, string name)
    {
        var email = $"{name.ToLowerInvariant()}@{business.Slug}.test";
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
        (await users.CreateAsync(user, Password)).Succeeded.Should().BeTrue();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        db.Memberships.Add(new Membership { BusinessId = business.Id, UserId = user.Id, Role = role, JoinedAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
        return email;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dataPath, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the temp folder is cleaned by the OS.
            }
        }
    }
}

public sealed record TestBusiness(int Id, string Slug, string OwnerId, string OwnerEmail);
