using BusinessInbox.Data;
using BusinessInbox.Security;
using BusinessInbox.Setup;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Cli;

/// <summary>
/// Unattended administration: <c>setup</c> creates a business and its owner, <c>token create</c> prints a
/// new API token, <c>search-index</c> brings the message search index up to date. Each runs against the
/// configured database, prints its result and exits; bad input gets a message naming the problem and a
/// non-zero exit code.
/// </summary>
public static class CommandLine
{
    private const string Usage = """
        Usage:
          setup --business NAME --slug SLUG --owner-email EMAIL --owner-password PASSWORD [--owner-name NAME] [--time-zone ZONE]
          token create --business SLUG --name NAME
          search-index    (builds the message search index before the app starts, e.g. after an import)
        """;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "setup" or "token" or "search-index";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        await app.Services.MigrateInboxDbAsync();
        var options = ParseOptions(args.SkipWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray());
        if (options is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        await using var scope = app.Services.CreateAsyncScope();
        return args switch
        {
            ["setup", ..] => await SetupAsync(scope.ServiceProvider, options),
            ["token", "create", ..] => await CreateTokenAsync(scope.ServiceProvider, options),
            ["search-index"] => await IndexSearchAsync(scope.ServiceProvider),
            _ => await UsageAsync(),
        };
    }

    private static async Task<int> UsageAsync()
    {
        await Console.Error.WriteLineAsync(Usage);
        return 2;
    }

    private static async Task<int> SetupAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        var required = new[] { "business", "slug", "owner-email", "owner-password" };
        if (required.FirstOrDefault(k => !o.ContainsKey(k)) is { } missing)
        {
            await Console.Error.WriteLineAsync($"Missing --{missing}.\n{Usage}");
            return 2;
        }
        var setup = services.GetRequiredService<BusinessSetup>();
        var result = await setup.CreateAsync(new NewBusiness(
            o["business"], o["slug"], o.GetValueOrDefault("time-zone", "UTC"),
            o.GetValueOrDefault("owner-name", o["owner-email"].Split('@')[0]), o["owner-email"], o["owner-password"]), CancellationToken.None);
        if (!result.Succeeded)
        {
            foreach (var (field, error) in result.Errors)
            {
                await Console.Error.WriteLineAsync($"{OptionName(field)}: {error}");
            }
            return 1;
        }
        Console.WriteLine($"Created business \"{o["business"]}\" with chat page /c/{o["slug"].ToLowerInvariant()}; its owner signs in as {o["owner-email"]}.");
        return 0;
    }

    private static async Task<int> CreateTokenAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        if (!o.TryGetValue("business", out var slug) || !o.TryGetValue("name", out var name) || string.IsNullOrWhiteSpace(name))
        {
            await Console.Error.WriteLineAsync($"Give --business SLUG and --name NAME.\n{Usage}");
            return 2;
        }
        var db = services.GetRequiredService<InboxDb>();
        var businessId = await db.Businesses.Where(b => b.Slug == slug).Select(b => (int?)b.Id).SingleOrDefaultAsync();
        if (businessId is null)
        {
            await Console.Error.WriteLineAsync($"--business: no business has the short link name \"{slug}\".");
            return 1;
        }
        if (name.Trim().Length > 100)
        {
            await Console.Error.WriteLineAsync("--name: at most 100 characters.");
            return 1;
        }
        var token = await ApiTokens.CreateAsync(db, businessId.Value, name, services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
        Console.WriteLine(token);
        return 0;
    }

    private static async Task<int> IndexSearchAsync(IServiceProvider services)
    {
        var taken = await services.GetRequiredService<Inbox.MessageSearchIndex>().CatchUpAsync(CancellationToken.None);
        Console.WriteLine($"The message search index is up to date ({taken} messages and changes taken in).");
        return 0;
    }

    private static string OptionName(string field) => field switch
    {
        nameof(NewBusiness.Name) => "--business",
        nameof(NewBusiness.Slug) => "--slug",
        nameof(NewBusiness.TimeZone) => "--time-zone",
        nameof(NewBusiness.OwnerName) => "--owner-name",
        nameof(NewBusiness.OwnerEmail) => "--owner-email",
        nameof(NewBusiness.OwnerPassword) => "--owner-password",
        _ => field,
    };

    private static Dictionary<string, string>? ParseOptions(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }
            result[args[i][2..]] = args[i + 1];
        }
        return result;
    }
}
