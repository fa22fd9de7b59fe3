using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace BusinessInbox.Bench;

/// <summary>How much webhook load to apply.</summary>
public sealed record IngestSize(int Businesses, int AgentsPerBusiness, int ContactsPerBusiness, int Rate, TimeSpan Duration, int Connections,
    TimeSpan Warmup)
{
    /// <summary>A smoke test: every part runs and is verified, at a gentle rate, in seconds.</summary>
    public static readonly IngestSize Quick = new(2, 2, 200, 200, TimeSpan.FromSeconds(2), 16, TimeSpan.FromSeconds(25));
    public static readonly IngestSize Full = new(40, 5, 500, 1_000, TimeSpan.FromSeconds(60), 128, TimeSpan.FromSeconds(30));

    /// <summary>Warm-up deliveries computed ahead; a server faster than this ends the warm-up early.</summary>
    public const int WarmupDeliveries = 20_000;

    /// <summary>Closed-loop deliveries are computed ahead up to this rate; a server faster than it ends the run early.</summary>
    public const int ClosedLoopCeiling = 15_000;
}

public sealed record IngestBusiness(int Id, string Slug, string OwnerEmail, string PhoneNumberId);

public enum DeliveryKind
{
    New,
    Repeat,
    Status,
}

/// <summary>One signed webhook delivery, computed before the clock starts.</summary>
/// <param name="Original">The delivery that first carried this body, whose number the message's text ends with: a repeat's is an earlier one's.</param>
public sealed record Delivery(int N, int Original, byte[] Body, string Signature, DeliveryKind Kind, string? MessageId);

public sealed record LoadResult(string Target, string Mode, int Sent, int Ok, int Errors, double Seconds, double PerSecond,
    double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    /// <summary>The app's own processor time (all threads) per acknowledged delivery: less bent by other load on a shared machine than rates are.</summary>
    public double? CpuMsPerDelivery { get; init; }

    /// <summary>
    /// The benchmark's own processor time per acknowledged delivery: the load generator, the agents' connections and the
    /// fake Graph API, which share the machine's cores with the server.
    /// </summary>
    public double? BenchCpuMsPerDelivery { get; init; }

    /// <summary>The benchmark's own garbage-collection pauses during the load, in all and the longest (see <see cref="GcPauses"/>).</summary>
    public double? BenchGcPauseMs { get; init; }

    public double? BenchLongestGcPauseMs { get; init; }
}

/// <summary>
/// The webhook load: signed WhatsApp deliveries (80 % new customer messages, 10 % repeated deliveries, 10 % status
/// webhooks for messages the app sent through the fake Graph API), fired open-loop at a fixed rate and closed-loop
/// at the maximum rate, while agents' SignalR connections time each new message from send to arrival.
/// </summary>
public sealed class Ingest(IReadOnlyList<IngestBusiness> businesses, string appSecret)
{
    public const string AppSecret = "bench-app-secret-0123456789abcdef";
    public const string AutoRepliesJson =
        """{"away":{"enabled":false,"text":"","schedule":"OutsideOpeningHours"},"greeting":{"enabled":true,"text":"Hello {name}, thanks for writing! We answer soon.","silenceDays":14},"keywordRules":[],"recipients":"Everyone","staffQuietMinutes":10}""";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(appSecret);
    private readonly Dictionary<int, int> _statusesBy = [];
    private long[] _sentAt = new long[1024];
    private int _next;

    /// <summary>Customer→agent samples: (delivery number, milliseconds).</summary>
    public ConcurrentQueue<(int N, double Ms)> Arrivals { get; } = new();

    public long SentAt(int n) => Volatile.Read(ref _sentAt[n]);

    public static string PhoneNumberIdOf(int business) => (100_000_000_000L + business).ToString(CultureInfo.InvariantCulture);

    /// <summary>The next <paramref name="count"/> deliveries, numbered after the previous batch.</summary>
    public List<Delivery> Build(int count)
    {
        var list = new List<Delivery>(count);
        var first = _next;
        Array.Resize(ref _sentAt, Math.Max(_sentAt.Length, first + count));
        var random = new Random(first);
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        for (var k = 0; k < count; k++)
        {
            var n = _next++;
            var b = n % businesses.Count;
            var business = businesses[b];
            var slot = n % 10;
            if (slot == 8 && list.Count > 20)
            {
                // Meta retries a delivery it thinks was lost: the very same bytes, again.
                var earlier = list[list.Count - 1 - random.Next(Math.Min(list.Count, 200))];
                if (earlier.Kind == DeliveryKind.New)
                {
                    list.Add(earlier with { N = n, Kind = DeliveryKind.Repeat });
                    continue;
                }
            }
            string json;
            DeliveryKind kind;
            string? id = null;
            var customer = random.Next(1, 1 + ContactsPerBusiness);
            var waId = string.Create(CultureInfo.InvariantCulture, $"49170{b:D3}{customer:D5}");
            if (slot == 9)
            {
                // Each message the app sent gets "delivered" then "read"; sends are counted per number by the fake.
                var s = _statusesBy.GetValueOrDefault(b);
                _statusesBy[b] = s + 1;
                var wamid = FakeGraph.Wamid(business.PhoneNumberId, 1 + (s / 2 % ContactsPerBusiness));
                json = $$$"""{"object":"whatsapp_business_account","entry":[{"id":"bench-waba","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"{{{business.PhoneNumberId}}}"},"statuses":[{"id":"{{{wamid}}}","status":"{{{(s % 2 == 0 ? "delivered" : "read")}}}","timestamp":"{{{stamp}}}","recipient_id":"{{{waId}}}","pricing":{"billable":false,"pricing_model":"PMP","category":"service"}}]}}]}]}""";
                kind = DeliveryKind.Status;
            }
            else
            {
                id = $"wamid.bench-in-{n}";
                json = $$$"""{"object":"whatsapp_business_account","entry":[{"id":"bench-waba","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"{{{business.PhoneNumberId}}}"},"contacts":[{"profile":{"name":"Customer {{{customer}}}"},"wa_id":"{{{waId}}}"}],"messages":[{"from":"{{{waId}}}","id":"{{{id}}}","timestamp":"{{{stamp}}}","type":"text","text":{"body":"Hello, is delivery free today? #{{{n}}}#"}}]}}]}]}""";
                kind = DeliveryKind.New;
            }
            var body = Encoding.UTF8.GetBytes(json);
            list.Add(new Delivery(n, n, body, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, body)), kind, id));
        }
        return list;
    }

    public int ContactsPerBusiness { get; init; } = 500;

    /// <summary>Sends each delivery at its due time, whether or not earlier ones were answered; latency counts from the due time.</summary>
    public async Task<LoadResult> OpenLoopAsync(string target, HttpClient http, string path, IReadOnlyList<Delivery> deliveries, int rate, ConcurrentBag<string>? acked)
    {
        var latencies = new double[deliveries.Count];
        var errors = 0;
        var tasks = new Task[deliveries.Count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var due = start + (long)i * Stopwatch.Frequency / rate;
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1);
            }
            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                var ok = await SendAsync(http, path, deliveries[index], due, acked);
                latencies[index] = ok ?? double.NaN;
                if (ok is null)
                {
                    Interlocked.Increment(ref errors);
                }
            });
        }
        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return Result(target, $"open loop {rate}/s", latencies, errors, seconds);
    }

    /// <summary>A fixed number of connections, each sending its next delivery as soon as the previous one is answered.</summary>
    public async Task<LoadResult> ClosedLoopAsync(string target, HttpClient http, string path, IReadOnlyList<Delivery> deliveries, int connections, TimeSpan duration,
        bool cycle, ConcurrentBag<string>? acked)
    {
        var latencies = new ConcurrentQueue<double>();
        var errors = 0;
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= deliveries.Count && !cycle)
                {
                    break;
                }
                var sent = Stopwatch.GetTimestamp();
                var ok = await SendAsync(http, path, deliveries[i % deliveries.Count], sent, acked);
                if (ok is { } ms)
                {
                    latencies.Enqueue(ms);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return Result(target, $"closed loop, {connections} connections", latencies.ToArray(), errors, seconds);
    }

    private async Task<double?> SendAsync(HttpClient http, string path, Delivery delivery, long from, ConcurrentBag<string>? acked)
    {
        try
        {
            using var content = new ByteArrayContent(delivery.Body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", delivery.Signature);
            if (delivery.Kind != DeliveryKind.Status)
            {
                // A push is timed from the first send of its message: the generator's queues can send a repeat before its original.
                Interlocked.CompareExchange(ref _sentAt[delivery.Original], from, 0);
            }
            using var response = await http.SendAsync(request);
            var ms = Stopwatch.GetElapsedTime(from).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }
            if (delivery.MessageId is { } id)
            {
                acked?.Add(id);
            }
            return ms;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Refused, reset or timed out: an error, and the delivery counts as not acknowledged.
            return null;
        }
    }

    private static LoadResult Result(string target, string mode, double[] latencies, int errors, double seconds)
    {
        var ok = latencies.Where(l => !double.IsNaN(l)).OrderBy(l => l).ToList();
        double At(double q) => ok.Count == 0 ? double.NaN : ok[Math.Min(ok.Count - 1, (int)Math.Ceiling(q * ok.Count) - 1)];
        return new LoadResult(target, mode, latencies.Length, ok.Count, errors, seconds, ok.Count / seconds, At(0.5), At(0.95), At(0.99), ok.Count == 0 ? double.NaN : ok[^1]);
    }

    /// <summary>Staff screens: signed in through the login form, connected to the inbox hub, timing each customer message.</summary>
    public async Task<List<AgentScreen>> ConnectAgentsAsync(Uri baseAddress, IReadOnlyDictionary<int, string> cookies, int perBusiness)
    {
        var agents = new List<AgentScreen>();
        foreach (var business in businesses)
        {
            for (var k = 0; k < perBusiness; k++)
            {
                agents.Add(await AgentScreen.ConnectAsync(new Uri(baseAddress, "hubs/inbox"), cookies[business.Id], (n, now) =>
                {
                    if (n < _sentAt.Length && SentAt(n) is > 0 and var sent)
                    {
                        Arrivals.Enqueue((n, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds));
                    }
                }));
            }
        }
        return agents;
    }

    /// <summary>Every acknowledged message id is stored exactly once (the unique index makes "more than once" impossible; "none" is the risk).</summary>
    public static async Task<(int Acknowledged, int Missing, int Duplicated)> VerifyAsync(string database, IEnumerable<string> acked)
    {
        var ids = acked.ToHashSet(StringComparer.Ordinal);
        await using var connection = await OpenReadOnlyAsync(database);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ExternalId, count(*) FROM Messages WHERE Channel = 1 AND ExternalId LIKE 'wamid.bench-in-%' GROUP BY ExternalId";
        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        return (ids.Count, ids.Count(id => !stored.ContainsKey(id)), ids.Count(id => stored.GetValueOrDefault(id) > 1));
    }

    /// <summary>Waits, up to <paramref name="limit"/>, until the app's outbox is empty: every automatic reply queued so far sent.</summary>
    public static async Task<Backlog> DrainOutboxAsync(string database, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        await using var connection = await OpenReadOnlyAsync(database);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM Outbox";
        var queued = (long)(await command.ExecuteScalarAsync())!;
        var left = queued;
        while (left > 0 && waited.Elapsed < limit)
        {
            await Task.Delay(100);
            left = (long)(await command.ExecuteScalarAsync())!;
        }
        return new Backlog(queued, waited.Elapsed.TotalSeconds, left == 0);
    }

    private static async Task<SqliteConnection> OpenReadOnlyAsync(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Signs in through the login form and connects the business's WhatsApp number through the settings page.</summary>
    public static async Task<string> ConnectWhatsAppAsync(Uri baseAddress, IngestBusiness business, string password)
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        await PostFormAsync(client, "account/login", "account/login", null, new() { ["Input.Email"] = business.OwnerEmail, ["Input.Password"] = password });
        await PostFormAsync(client, "settings/whatsapp", "settings/whatsapp?handler=Save", "Saved.", new()
        {
            ["Input.PhoneNumberId"] = business.PhoneNumberId,
            ["Input.WabaId"] = "200000000000",
            ["Input.AccessToken"] = "EAAG-bench-access-token-" + business.Id,
        });
        return cookies.GetCookieHeader(baseAddress);
    }

    /// <summary>Posts a form and expects a redirect, or the page again with <paramref name="saved"/> on it.</summary>
    private static async Task PostFormAsync(HttpClient client, string formPath, string postPath, string? saved, Dictionary<string, string> fields)
    {
        var form = await client.GetStringAsync(formPath);
        fields["__RequestVerificationToken"] = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var response = await client.PostAsync(postPath, new FormUrlEncodedContent(fields));
        if (response.StatusCode != HttpStatusCode.Redirect
            && !(saved is not null && response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains(saved, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"POST {postPath} answered {(int)response.StatusCode}, not a redirect.");
        }
    }
}
