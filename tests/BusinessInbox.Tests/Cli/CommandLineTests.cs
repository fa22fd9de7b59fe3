using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using BusinessInbox.Inbox;
using BusinessInbox.Security;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BusinessInbox.Tests.Cli;

/// <summary>The built app run as a process, as an administrator would: <c>dotnet BusinessInbox.Web.dll setup …</c>.</summary>
public sealed partial class CommandLineTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "bi-cli-tests", Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task Setup_creates_a_business_and_says_so()
    {
        var run = await SetupAsync("bakery");

        run.Exit.Should().Be(0, run.Error);
        run.Output.Should().Contain("Created business \"Crumb Bakery\" with chat page /c/bakery");
    }

    [Fact]
    public async Task Setup_with_a_taken_slug_fails_naming_the_slug_option()
    {
        (await SetupAsync("bakery")).Exit.Should().Be(0);

        var run = await SetupAsync("bakery", email: "someone@else.test");

        run.Exit.Should().NotBe(0);
        run.Error.Should().Contain("--slug").And.Contain("already taken");
    }

    [Fact]
    public async Task Setup_with_a_weak_password_fails()
    {
        var run = await SetupAsync("bakery", password: "short");

        run.Exit.Should().NotBe(0);
        run.Error.Should().Contain("--owner-password").And.Contain("at least 10 characters");
    }

    [Fact]
    public async Task Setup_with_an_unknown_time_zone_fails()
    {
        var run = await SetupAsync("bakery", zone: "Mars/Olympus_Mons");

        run.Exit.Should().NotBe(0);
        run.Error.Should().Contain("--time-zone").And.Contain("Mars/Olympus_Mons");
    }

    [Fact]
    public async Task Token_create_prints_a_token_that_the_api_accepts()
    {
        (await SetupAsync("bakery")).Exit.Should().Be(0);

        var run = await RunAsync("token", "create", "--business", "bakery", "--name", "Shop website");

        run.Exit.Should().Be(0, run.Error);
        var token = BearerToken().Match(run.Output).Value;
        token.Should().StartWith("bi_");
        await using var app = new InboxApp().WithSetting("Storage:DataPath", _dataPath);
        (await app.WithDbAsync(db => db.ApiTokens.AnyAsync(t => t.TokenHash == ApiTokens.Hash(token) && t.Name == "Shop website"))).Should().BeTrue();
        using var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await api.GetAsync("/api/v1/conversations")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Token_create_for_an_unknown_business_fails()
    {
        var run = await RunAsync("token", "create", "--business", "nowhere", "--name", "X");

        run.Exit.Should().NotBe(0);
        run.Error.Should().Contain("--business").And.Contain("nowhere");
        BearerToken().IsMatch(run.Output).Should().BeFalse();
    }

    [Fact]
    public async Task Search_index_takes_in_the_messages_written_while_no_pass_ran_and_says_so()
    {
        (await SetupAsync("bakery")).Exit.Should().Be(0);
        // A clock that never moves: the app's own passes never run.
        var stopped = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using (var app = new InboxApp { Clock = stopped }.WithSetting("Storage:DataPath", _dataPath))
        {
            var shop = await app.WithDbAsync(db => db.Businesses.SingleAsync(b => b.Slug == "bakery"));
            await app.CustomerWritesAsync(shop.Id, "v-1", "Do you bake quokka cookies?", "Quinn");
            await app.CustomerWritesAsync(shop.Id, "v-2", "Two loaves please", "Lou");
        }

        var run = await RunAsync("search-index");

        run.Exit.Should().Be(0, run.Error);
        run.Output.Should().Contain("The message search index is up to date (");
        await using var restarted = new InboxApp { Clock = stopped }.WithSetting("Storage:DataPath", _dataPath);
        var (quokka, last) = await restarted.WithDbAsync(async db =>
            (await db.Messages.Where(m => m.Body.Contains("quokka")).Select(m => m.Id).SingleAsync(), await db.Messages.MaxAsync(m => m.Id)));
        var hits = await restarted.Services.GetRequiredService<MessageSearchIndex>().FindAsync("quokka", 10, default);
        hits!.MessageIds.Should().Equal(quokka);
        hits.IndexedThrough.Should().Be(last);
    }

    private Task<Run> SetupAsync(string slug, string email = "owner@bakery.test", string password = InboxApp.Password, string zone = "Europe/Berlin") =>
        RunAsync("setup", "--business", "Crumb Bakery", "--slug", slug, "--owner-email", email, "--owner-password", password, "--time-zone", zone);

    private async Task<Run> RunAsync(params string[] args)
    {
        var dll = typeof(Program).Assembly.Location;
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["Storage__DataPath"] = _dataPath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private sealed record Run(int Exit, string Output, string Error);

    [GeneratedRegex("bi_[A-Za-z0-9_-]{20,}")]
    private static partial Regex BearerToken();
}
