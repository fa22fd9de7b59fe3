using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using BusinessInbox.Bench;

// BusinessInbox benchmark: seeds a dataset, starts the published app on a loopback port and measures
// the read paths and the WhatsApp webhook ingest next to bare Kestrel endpoints on the same machine, so
// every figure also has a ratio to this machine's own ceiling. Usage: bench [quick|full] [--app DIR] [--out FILE] [--no-auto-replies] [--reads-only] [--keep-data]
// [--full-ingest] [--ingest-seconds N] [--warmup-seconds N] [--app-env NAME=VALUE ...]
var mode = args.FirstOrDefault(a => a is "quick" or "full") ?? "quick";
var size = mode == "full" ? DatasetSize.Full : DatasetSize.Quick;
var calls = mode == "full" ? 300 : 60;
// --full-ingest: the full mode's ingest (40 businesses, 200 agents, 1,000/s) on the quick mode's dataset.
var ingestSize = mode == "full" || args.Contains("--full-ingest") ? IngestSize.Full : IngestSize.Quick;
// Longer measured runs (or a shorter warm-up) than the mode's, for comparing two builds on a noisy machine.
if (Option("--ingest-seconds") is { } ingestSeconds)
{
    ingestSize = ingestSize with { Duration = TimeSpan.FromSeconds(int.Parse(ingestSeconds, CultureInfo.InvariantCulture)) };
}
if (Option("--warmup-seconds") is { } warmupSeconds)
{
    ingestSize = ingestSize with { Warmup = TimeSpan.FromSeconds(int.Parse(warmupSeconds, CultureInfo.InvariantCulture)) };
}
// The closed loops' concurrency: more requests in flight than the mode's, to see where a rate levels off.
if (Option("--connections") is { } connections)
{
    ingestSize = ingestSize with { Connections = int.Parse(connections, CultureInfo.InvariantCulture) };
}
var repo = FindRepository();
var appDir = Option("--app") ?? Path.Combine(repo, "bench-results", "app");
var outFile = Option("--out") ?? Path.Combine(repo, "bench-results", $"{mode}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
var total = Stopwatch.StartNew();

if (Option("--app") is null)
{
    Console.Error.WriteLine("publishing the app (Release) ...");
    await RunAsync("dotnet", "publish", Path.Combine(repo, "src", "BusinessInbox.Web"), "-c", "Release", "-o", appDir, "-nologo", "-v", "q");
}
var appDll = Path.Combine(appDir, "BusinessInbox.Web.dll");
var dataPath = Path.Combine(Path.GetTempPath(), "bi-bench-" + Guid.NewGuid().ToString("n"));
Directory.CreateDirectory(dataPath);

try
{
    Console.Error.WriteLine($"mode {mode}: {size.Businesses} businesses, {size.Chats:N0} chats, {size.Messages:N0} messages");
    var businesses = new List<SeededBusiness>();
    for (var b = 1; b <= size.Businesses; b++)
    {
        var slug = $"bench-shop-{b}";
        var email = $"owner@{slug}.test";
        await AppProcess.RunCommandAsync(appDll, dataPath, "setup", "--business", $"Bench Shop {b}", "--slug", slug,
            "--owner-email", email, "--owner-password", "bench passphrase 123", "--time-zone", "Europe/Berlin");
        var token = (await AppProcess.RunCommandAsync(appDll, dataPath, "token", "create", "--business", slug, "--name", "bench")).Split('\n')[^1].Trim();
        businesses.Add(new SeededBusiness(b, slug, "", email, token));
    }
    businesses = await OwnerIdsAsync(Path.Combine(dataPath, "inbox.db"), businesses);
    var ingestShops = new List<SeededBusiness>();
    for (var b = 1; b <= ingestSize.Businesses; b++)
    {
        var slug = $"bench-wa-{b}";
        await AppProcess.RunCommandAsync(appDll, dataPath, "setup", "--business", $"WhatsApp Shop {b}", "--slug", slug,
            "--owner-email", $"owner@{slug}.test", "--owner-password", "bench passphrase 123", "--time-zone", "Europe/Berlin");
        ingestShops.Add(new SeededBusiness(b, slug, "", $"owner@{slug}.test", ""));
    }
    var ingestBusinesses = (await OwnerIdsAsync(Path.Combine(dataPath, "inbox.db"), ingestShops))
        .Select(b => new IngestBusiness(b.Id, b.Slug, b.OwnerEmail, Ingest.PhoneNumberIdOf(b.Id))).ToList();
    // --no-auto-replies shows what the automatic replies cost the ingest path.
    if (!args.Contains("--no-auto-replies"))
    {
        await EnableGreetingsAsync(Path.Combine(dataPath, "inbox.db"), ingestBusinesses);
    }
    var seedWatch = Stopwatch.StartNew();
    await Seeder.SeedAsync(Path.Combine(dataPath, "inbox.db"), businesses, size, DateTimeOffset.UtcNow);
    await StatsSeeder.FillAsync(Path.Combine(dataPath, "inbox.db"), businesses);
    var seedSeconds = seedWatch.Elapsed.TotalSeconds;
    // The running app keeps its search index up to date; a seeded dataset is taken in whole before the app starts.
    var indexWatch = Stopwatch.StartNew();
    await AppProcess.RunCommandAsync(appDll, dataPath, "search-index");
    var indexSeconds = indexWatch.Elapsed.TotalSeconds;

    await using var bare = await BareServer.StartAsync(Ingest.AppSecret);
    await using var graph = await FakeGraph.StartAsync();
    var appSettings = new Dictionary<string, string>
    {
        ["WhatsApp__AppSecret"] = Ingest.AppSecret,
        ["WhatsApp__GraphApiBaseUrl"] = graph.BaseUrl,
    };
    // --app-env NAME=VALUE (repeatable): runtime settings to try on the app, e.g. DOTNET_TieredPGO=0.
    for (var a = Array.IndexOf(args, "--app-env"); a >= 0 && a + 1 < args.Length; a = Array.IndexOf(args, "--app-env", a + 2))
    {
        var (name, value) = (args[a + 1].Split('=', 2)[0], args[a + 1].Split('=', 2)[^1]);
        appSettings[name] = value;
    }
    await using var app = await AppProcess.StartAsync(appDll, dataPath, appSettings);
    var shop = businesses[0];
    using var api = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = app.BaseAddress };
    api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", shop.Token);
    using var bareClient = new HttpClient { BaseAddress = bare.BaseAddress };

    var chatIds = await ChatIdsAsync(api);
    var results = new List<Latency>
    {
        await Measure.RepeatAsync("bare Kestrel endpoint (baseline)", bareClient, _ => new HttpRequestMessage(HttpMethod.Get, "bare"), 20, calls),
        await Measure.RepeatAsync("API: inbox first page", api, _ => Get("api/v1/conversations?limit=30"), 10, calls),
        await Measure.RepeatAsync("API: inbox filtered (unread)", api, _ => Get("api/v1/conversations?view=unread&limit=30"), 10, calls),
        await Measure.RepeatAsync("API: thread (latest 50)", api, i => Get($"api/v1/conversations/{chatIds[i % chatIds.Count]}/messages"), 10, calls),
        await Measure.RepeatAsync("API: search all history, Latin word", api, _ => Get("api/v1/conversations?q=delivery&limit=30"), 3, Math.Max(10, calls / 3)),
        await Measure.RepeatAsync("API: search all history, 营业", api, _ => Get("api/v1/conversations?q=" + Uri.EscapeDataString("营业") + "&limit=30"), 3, Math.Max(10, calls / 3)),
        // The worst case: a word nobody wrote is looked for in every message.
        await Measure.RepeatAsync("API: search all history, no match", api, _ => Get("api/v1/conversations?q=quokka&limit=30"), 1, 10),
        // The public page is rate limited per client address (60 a minute): stay under it.
        await Measure.RepeatAsync("page: customer chat page", api, _ => Get($"c/{shop.Slug}"), 5, 40),
        await Measure.RepeatAsync("API: stats, 90 days", api, _ => Get($"api/v1/stats?from={DateTime.UtcNow.AddDays(-89):yyyy-MM-dd}&to={DateTime.UtcNow:yyyy-MM-dd}"), 3, Math.Max(10, calls / 3)),
    };
    using (var staff = await SignedInAsync(app.BaseAddress, shop.OwnerEmail))
    {
        results.Add(await Measure.RepeatAsync("page: staff inbox (rendered)", staff, _ => Get("inbox"), 10, calls));
        results.Add(await Measure.RepeatAsync("page: stats dashboard, 90 days", staff, _ => Get("stats?range=90d"), 3, Math.Max(10, calls / 3)));
    }

    // --reads-only measures the read paths alone, for quick work on one of them.
    var ingest = args.Contains("--reads-only") ? null
        : await IngestRun.RunAsync(app, bare, graph, Path.Combine(dataPath, "inbox.db"), ingestBusinesses, ingestSize, "bench passphrase 123");

    var baseline = results[0].P50Ms;
    var report = new
    {
        mode,
        machine = new { Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
        dataset = new { size.Businesses, size.Chats, size.Messages, seedSeconds = Math.Round(seedSeconds, 1), searchIndexSeconds = Math.Round(indexSeconds, 1) },
        serverPeakRssMb = Math.Round(app.PeakRssMb, 1),
        readPaths = results.Select(r => new { r.Name, r.Calls, p50Ms = Round(r.P50Ms), p95Ms = Round(r.P95Ms), maxMs = Round(r.MaxMs), r.Errors, p50VsBaseline = Round(r.P50Ms / baseline) }),
        ingest = ingest is null ? null : new
        {
            ingest.Businesses,
            ingest.Agents,
            loads = ingest.Loads.Select(l =>
            {
                var b = ingest.Of(IngestRun.BareInsert, open: l.Mode.StartsWith("open", StringComparison.Ordinal));
                return new
                {
                    l.Target, l.Mode, l.Sent, l.Ok, l.Errors, seconds = Round(l.Seconds), messagesPerSecond = Math.Round(l.PerSecond),
                    p50Ms = Round(l.P50Ms), p95Ms = Round(l.P95Ms), p99Ms = Round(l.P99Ms), maxMs = Round(l.MaxMs),
                    perSecondVsBareInsert = Round(l.PerSecond / b.PerSecond), p99VsBareInsert = Round(l.P99Ms / b.P99Ms),
                    appCpuMsPerDelivery = l.CpuMsPerDelivery is { } cpu ? Round(cpu) : (double?)null,
                    benchCpuMsPerDelivery = l.BenchCpuMsPerDelivery is { } benchCpu ? Round(benchCpu) : (double?)null,
                    benchGcPauseMs = l.BenchGcPauseMs is { } pause ? Round(pause) : (double?)null,
                    benchLongestGcPauseMs = l.BenchLongestGcPauseMs is { } longest ? Round(longest) : (double?)null,
                };
            }),
            customerToAgent = ingest.CustomerToAgent.Select(a => new
            {
                a.Phase, a.Samples, a.Expected, p50Ms = Round(a.P50Ms), p99Ms = Round(a.P99Ms), maxMs = Round(a.MaxMs),
                p99VsBareInsertAck = Round(a.P99Ms / ingest.Of(IngestRun.BareInsert, open: true).P99Ms),
            }),
            exactlyOnce = new { ingest.Acknowledged, ingest.Missing, ingest.Duplicated },
            automaticRepliesSent = ingest.GraphSends,
            automaticRepliesSentTwice = ingest.GraphSentTwice,
            warmupBacklog = new { ingest.WarmupBacklog.Queued, seconds = Round(ingest.WarmupBacklog.Seconds), ingest.WarmupBacklog.Drained },
        },
        totalSeconds = Math.Round(total.Elapsed.TotalSeconds, 1),
    };
    Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
    await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));

    Console.WriteLine();
    Console.WriteLine($"BusinessInbox benchmark ({mode}): {size.Chats:N0} chats, {size.Messages:N0} messages, seeded in {seedSeconds:0.0} s, search index built in {indexSeconds:0.0} s");
    Console.WriteLine($"{"read path",-40} {"calls",6} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"errors",6} {"p50 / bare",10}");
    foreach (var r in results)
    {
        Console.WriteLine($"{r.Name,-40} {r.Calls,6} {r.P50Ms,8:0.00} {r.P95Ms,8:0.00} {r.MaxMs,8:0.00} {r.Errors,6} {r.P50Ms / baseline,10:0.0}");
    }
    if (ingest is not null)
    {
        IngestRun.Print(ingest);
    }
    Console.WriteLine($"server peak RSS: {app.PeakRssMb:0} MB; total {total.Elapsed.TotalSeconds:0} s; figures in {outFile}");
    return results.Any(r => r.Errors > 0) || ingest is { } i && (i.Loads.Any(l => l.Errors > 0) || i.Missing > 0 || i.Duplicated > 0 || i.GraphSentTwice > 0 || i.Acknowledged == 0) ? 1 : 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    // --keep-data leaves the seeded database for timing one query at a time afterwards.
    if (args.Contains("--keep-data"))
    {
        Console.Error.WriteLine($"data kept in {dataPath}");
    }
    else
    {
        Directory.Delete(dataPath, recursive: true);
    }
}

static double Round(double v) => Math.Round(v, 2);

static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindRepository()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BusinessInbox.sln")))
    {
        dir = dir.Parent;
    }
    return dir?.FullName ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
}

static async Task RunAsync(string file, params string[] arguments)
{
    var start = new ProcessStartInfo(file) { UseShellExecute = false };
    foreach (var a in arguments)
    {
        start.ArgumentList.Add(a);
    }
    using var process = Process.Start(start)!;
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with {process.ExitCode}.");
    }
}

static async Task<List<SeededBusiness>> OwnerIdsAsync(string database, List<SeededBusiness> businesses)
{
    await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
    await connection.OpenAsync();
    var result = new List<SeededBusiness>();
    foreach (var b in businesses)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT b.Id, u.Id FROM Businesses b JOIN Memberships m ON m.BusinessId = b.Id JOIN AspNetUsers u ON u.Id = m.UserId WHERE b.Slug = $slug";
        command.Parameters.AddWithValue("$slug", b.Slug);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        result.Add(b with { Id = reader.GetInt32(0), OwnerId = reader.GetString(1) });
    }
    return result;
}

static async Task EnableGreetingsAsync(string database, IEnumerable<IngestBusiness> businesses)
{
    await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = $"UPDATE Businesses SET AutoReplies = $json WHERE Id IN ({string.Join(",", businesses.Select(b => b.Id))})";
    command.Parameters.AddWithValue("$json", Ingest.AutoRepliesJson);
    await command.ExecuteNonQueryAsync();
}

static async Task<List<int>> ChatIdsAsync(HttpClient api)
{
    using var page = await JsonDocument.ParseAsync(await api.GetStreamAsync("api/v1/conversations?limit=100"));
    return page.RootElement.GetProperty("chats").EnumerateArray().Select(c => c.GetProperty("id").GetInt32()).ToList();
}

static async Task<HttpClient> SignedInAsync(Uri baseAddress, string email)
{
    var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    var form = await client.GetStringAsync("account/login");
    var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
    using var response = await client.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["Input.Email"] = email,
        ["Input.Password"] = "bench passphrase 123",
        ["__RequestVerificationToken"] = token,
    }));
    if (response.StatusCode != HttpStatusCode.Redirect)
    {
        throw new InvalidOperationException($"Signing in as {email} failed ({(int)response.StatusCode}).");
    }
    return client;
}
