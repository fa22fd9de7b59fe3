using System.Net;
using System.Text.RegularExpressions;
using BusinessInbox.Data;
using BusinessInbox.Setup;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Infrastructure;

/// <summary>
/// The real app on a real SQLite file in a fresh temporary data folder, migrated as on start.
/// Tests talk to it over HTTP and SignalR through the in-memory test server.
/// </summary>
/// <param name="dataPath">Another app's data folder, to start a second process on the same data (restart tests).</param>
public class InboxApp(string? dataPath = null) : WebApplicationFactory<Program>
{
    public const string Password = "correct horse battery";

    private readonly string _dataPath = dataPath ?? Path.Combine(Path.GetTempPath(), "bi-tests", Guid.NewGuid().ToString("n"));
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly Dictionary<string, string?> _settings = [];

    /// <summary>Set before first use to run the app on a clock the test moves.</summary>
    public FakeTimeProvider? Clock { get; init; }

    public string DataPath => _dataPath;

    /// <summary>Leave the data folder in place on dispose, for another <see cref="InboxApp"/> started on it.</summary>
    public bool KeepData { get; init; }

    public InboxApp WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public InboxApp WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:DataPath", _dataPath);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            if (Clock is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            }
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    public async Task<T> WithDbAsync<T>(Func<InboxDb, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<InboxDb>());
    }

    public Task WithDbAsync(Func<InboxDb, Task> work) => WithDbAsync(async db => { await work(db); return true; });

    /// <summary>Creates a business and its owner through the same code path as <c>/setup</c>.</summary>
    public async Task<TestBusiness> CreateBusinessAsync(string slug, string? timeZone = "Europe/Berlin", string? name = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<BusinessSetup>();
        var email = $"owner@{slug}.test";
        var result = await setup.CreateAsync(new NewBusiness(name ?? $"Shop {slug}", slug, timeZone!, $"Owner of {slug}", email, Password), default);
        result.Succeeded.Should().BeTrue(string.Join("; ", result.Errors.Select(e => e.Key + ": " + e.Value)));
        return new TestBusiness(result.BusinessId!.Value, slug, result.OwnerId!, email);
    }

    /// <summary>Adds a member with a password, as if they had accepted an invitation.</summary>
    public async Task<string> AddMemberAsync(TestBusiness business, string email, MemberRole role, string? displayName = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName ?? email.Split('@')[0] };
            (await users.CreateAsync(user, Password)).Succeeded.Should().BeTrue();
        }
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        db.Memberships.Add(new Membership { BusinessId = business.Id, UserId = user.Id, Role = role, JoinedAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>An HTTP client that keeps cookies and does not follow redirects, like a browser tab a test can inspect.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real sign-in form; returns the client and its cookie header for hubs.</summary>
    public async Task<SignedIn> SignInAsync(string email, string password = Password)
    {
        var cookies = new CookieJar();
        var handler = new CookieHandler(cookies) { InnerHandler = Server.CreateHandler() };
        var client = new HttpClient(handler) { BaseAddress = Server.BaseAddress };
        var form = await client.GetStringAsync("/account/login");
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        response.StatusCode.Should().Be(HttpStatusCode.Redirect, "signing in as {0} should succeed", email);
        return new SignedIn(client, cookies.Header);
    }

    public static string AntiforgeryToken(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException("The page has no antiforgery token.");

    /// <summary>A SignalR connection over WebSockets through the test server, with the given cookies.</summary>
    public HubConnection Hub(string path, string? cookieHeader)
    {
        return new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = false;
                o.HttpMessageHandlerFactory = _ => Server.CreateHandler();
                if (cookieHeader is not null)
                {
                    o.Headers["Cookie"] = cookieHeader;
                }
                o.WebSocketFactory = async (context, ct) =>
                {
                    var ws = Server.CreateWebSocketClient();
                    if (cookieHeader is not null)
                    {
                        ws.ConfigureRequest = r => r.Headers["Cookie"] = cookieHeader;
                    }
                    return await ws.ConnectAsync(context.Uri, ct);
                };
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
    }

    /// <summary>Opens the public chat page as a new customer and returns their cookie (the visitor id).</summary>
    public async Task<Customer> NewCustomerAsync(string slug)
    {
        var cookies = new CookieJar();
        var client = new HttpClient(new CookieHandler(cookies) { InnerHandler = Server.CreateHandler() }) { BaseAddress = Server.BaseAddress };
        var page = await client.GetAsync($"/c/{slug}");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = cookies.Header;
        var hub = Hub($"/hubs/chat?slug={slug}", cookie);
        await hub.StartAsync();
        return new Customer(client, hub, cookie);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        if (disposing && !KeepData)
        {
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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}

public sealed record TestBusiness(int Id, string Slug, string OwnerId, string OwnerEmail);

public sealed record SignedIn(HttpClient Client, string CookieHeader);

public sealed record Customer(HttpClient Client, HubConnection Hub, string CookieHeader) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Client.Dispose();
    }
}

/// <summary>
/// Keeps cookies across requests, as a browser does. Expiry dates are ignored on purpose: tests run the
/// app on a fake clock, whose cookies would look expired to a jar that reads the real one.
/// </summary>
public sealed class CookieJar
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public string Header
    {
        get
        {
            lock (_cookies)
            {
                return string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value));
            }
        }
    }

    public void Set(string setCookie)
    {
        var pair = setCookie.Split(';', 2)[0];
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return;
        }
        var (name, value) = (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
        var deleted = value.Length == 0 || setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);
        lock (_cookies)
        {
            if (deleted)
            {
                _cookies.Remove(name);
            }
            else
            {
                _cookies[name] = value;
            }
        }
    }
}

public sealed class CookieHandler(CookieJar cookies) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var header = cookies.Header;
        if (header.Length > 0)
        {
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", header);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                cookies.Set(setCookie);
            }
        }
        return response;
    }
}
