using System.Diagnostics;

namespace BusinessInbox.Bench;

/// <summary>The automatic replies the warm-up left queued, and how long the app took to send them.</summary>
public sealed record Backlog(long Queued, double Seconds, bool Drained);

public sealed record Arrival(string Phase, int Samples, int Expected, double P50Ms, double P99Ms, double MaxMs);

public sealed record IngestReport(
    IReadOnlyList<LoadResult> Loads,
    IReadOnlyList<Arrival> CustomerToAgent,
    int Agents,
    int Businesses,
    int Acknowledged,
    int Missing,
    int Duplicated,
    long GraphSends,
    long GraphSentTwice,
    Backlog WarmupBacklog)
{
    public LoadResult Of(string target, bool open) => Loads.First(l => l.Target == target && l.Mode.StartsWith(open ? "open" : "closed", StringComparison.Ordinal));
}

/// <summary>The ingest part of a run: the two bare baselines, then the app with its agents, all driven by the same load generator.</summary>
public static class IngestRun
{
    public const string App = "app: WhatsApp webhook";
    public const string BareBody = "bare: read body";
    public const string BareInsert = "bare: verify + insert";

    public static async Task<IngestReport> RunAsync(AppProcess app, BareServer bare, FakeGraph graph, string database,
        IReadOnlyList<IngestBusiness> businesses, IngestSize size, string password)
    {
        var ingest = new Ingest(businesses, Ingest.AppSecret) { ContactsPerBusiness = size.ContactsPerBusiness };
        var openCount = (int)(size.Rate * size.Duration.TotalSeconds);
        var loads = new List<LoadResult>();
        using var gc = new GcPauses();
        using var bareHttp = Client(bare.BaseAddress, size.Connections);
        using var appHttp = Client(app.BaseAddress, size.Connections);

        // The baselines do not care which deliveries they get: one set serves both, cycled in the closed loop.
        var sample = ingest.Build(Math.Max(openCount, 20_000));
        foreach (var (name, path) in new[] { (BareBody, "bare-body"), (BareInsert, "bare-insert") })
        {
            Console.Error.WriteLine($"ingest: {name} ...");
            await ingest.OpenLoopAsync(name, bareHttp, path, sample.Take(500).ToList(), Math.Max(size.Rate, 500), null);
            loads.Add(await MeasuredAsync(gc, null, () => ingest.OpenLoopAsync(name, bareHttp, path, sample.Take(openCount).ToList(), size.Rate, null)));
            loads.Add(await MeasuredAsync(gc, null, () => ingest.ClosedLoopAsync(name, bareHttp, path, sample, size.Connections, size.Duration, cycle: true, null)));
        }

        Console.Error.WriteLine($"ingest: connecting {businesses.Count} WhatsApp numbers and {businesses.Count * size.AgentsPerBusiness} agents ...");
        var cookies = new Dictionary<int, string>();
        foreach (var business in businesses)
        {
            cookies[business.Id] = await Ingest.ConnectWhatsAppAsync(app.BaseAddress, business, password);
        }
        var agents = await ingest.ConnectAgentsAsync(app.BaseAddress, cookies, size.AgentsPerBusiness);
        try
        {
            var acked = new System.Collections.Concurrent.ConcurrentBag<string>();
            var warmup = ingest.Build(IngestSize.WarmupDeliveries);
            var open = ingest.Build(openCount);
            // The app's code is compiled and re-compiled by the tiered JIT during its first tens of seconds under
            // this load (about 15,000 methods, most of a core): measured before that settles, the figures are
            // the JIT's, not the app's. The warm-up's deliveries are verified like the others.
            Console.Error.WriteLine($"ingest: {App}, warming up for {size.Warmup.TotalSeconds:0} s ...");
            await ingest.ClosedLoopAsync(App, appHttp, "webhooks/whatsapp", warmup, size.Connections, size.Warmup, cycle: false, acked);
            // The warm-up runs at the closed loop's rate, and greets each customer's first message faster than the
            // replies can be sent. The open loop measures a steady rate: it starts once that backlog is sent, and
            // the greetings its own new customers earn are sent while it runs.
            var backlog = await Ingest.DrainOutboxAsync(database, TimeSpan.FromMinutes(3));
            Console.Error.WriteLine($"ingest: the warm-up left {backlog.Queued:N0} automatic replies queued; {(backlog.Drained ? "sent" : "still not all sent")} after {backlog.Seconds:0.0} s");
            Console.Error.WriteLine($"ingest: {App} ...");
            app.Sample();
            loads.Add(await MeasuredAsync(gc, app, () => ingest.OpenLoopAsync(App, appHttp, "webhooks/whatsapp", open, size.Rate, acked)));
            app.Sample();
            // Built once the open loop is over: while it runs, the benchmark's heap stays small and its collections short.
            var closed = ingest.Build((int)(IngestSize.ClosedLoopCeiling * size.Duration.TotalSeconds));
            loads.Add(await MeasuredAsync(gc, app, () => ingest.ClosedLoopAsync(App, appHttp, "webhooks/whatsapp", closed, size.Connections, size.Duration, cycle: false, acked)));
            app.Sample();

            // Pushes after the last acknowledgement are still on their way: wait until they stop arriving.
            var quiet = Stopwatch.StartNew();
            var seen = ingest.Arrivals.Count;
            while (quiet.Elapsed < TimeSpan.FromSeconds(2))
            {
                await Task.Delay(200);
                if (ingest.Arrivals.Count != seen)
                {
                    seen = ingest.Arrivals.Count;
                    quiet.Restart();
                }
            }
            var arrivals = ingest.Arrivals.ToArray();
            var ackedSet = acked.ToHashSet(StringComparer.Ordinal);
            Arrival Phase(string name, IReadOnlyList<Delivery> deliveries)
            {
                var from = deliveries[0].N;
                var to = deliveries[^1].N;
                var samples = arrivals.Where(a => a.N >= from && a.N <= to).Select(a => a.Ms).OrderBy(m => m).ToList();
                var expected = deliveries.Count(d => d.Kind == DeliveryKind.New && ingest.SentAt(d.N) > 0 && ackedSet.Contains(d.MessageId!)) * size.AgentsPerBusiness;
                double At(double q) => samples.Count == 0 ? double.NaN : samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
                return new Arrival(name, samples.Count, expected, At(0.5), At(0.99), samples.Count == 0 ? double.NaN : samples[^1]);
            }
            var customerToAgent = new List<Arrival> { Phase($"open loop {size.Rate}/s", open), Phase("closed loop", closed) };
            var (acknowledged, missing, duplicated) = await Ingest.VerifyAsync(database, acked);
            return new IngestReport(loads, customerToAgent, agents.Count, businesses.Count, acknowledged, missing, duplicated, graph.Sent, graph.SentTwice, backlog);
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Runs a load and adds the processor time it took of the app (when it is the target) and of the benchmark itself, and
    /// the benchmark's own collection pauses. The load starts with the benchmark's garbage collected and what it keeps
    /// (the deliveries computed ahead) moved out of the way, so that its collections during the load stay short.
    /// </summary>
    private static async Task<LoadResult> MeasuredAsync(GcPauses gc, AppProcess? app, Func<Task<LoadResult>> run)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var bench = Process.GetCurrentProcess();
        var started = DateTime.UtcNow;
        var appBefore = app?.CpuTime;
        var benchBefore = bench.TotalProcessorTime;
        var result = await run();
        var appUsed = app?.CpuTime - appBefore;
        bench.Refresh();
        var benchUsed = bench.TotalProcessorTime - benchBefore;
        var pauses = await gc.SinceAsync(started);
        double? PerDelivery(TimeSpan? used) => result.Ok == 0 || used is null ? null : used.Value.TotalMilliseconds / result.Ok;
        return result with
        {
            CpuMsPerDelivery = PerDelivery(appUsed),
            BenchCpuMsPerDelivery = PerDelivery(benchUsed),
            BenchGcPauseMs = pauses?.TotalMs,
            BenchLongestGcPauseMs = pauses?.LongestMs,
        };
    }

    private static HttpClient Client(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(connections, 256), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static void Print(IngestReport report)
    {
        var bareInsert = report.Of(BareInsert, open: false);
        var bareOpen = report.Of(BareInsert, open: true);
        Console.WriteLine();
        Console.WriteLine($"webhook ingest: {report.Businesses} businesses, {report.Agents} agents connected during the app's runs");
        Console.WriteLine($"{"target",-24} {"mode",-28} {"ok",8} {"errors",6} {"msg/s",8} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"max ms",8} {"msg/s / insert",14} {"p99 / insert",12} {"app cpu ms/msg",14} {"bench cpu ms/msg",16} {"bench gc pauses ms (longest)",28}");
        foreach (var l in report.Loads)
        {
            var baseline = l.Mode.StartsWith("open", StringComparison.Ordinal) ? bareOpen : bareInsert;
            Console.WriteLine($"{l.Target,-24} {l.Mode,-28} {l.Ok,8} {l.Errors,6} {l.PerSecond,8:0} {l.P50Ms,7:0.00} {l.P95Ms,7:0.00} {l.P99Ms,7:0.00} {l.MaxMs,8:0.0} {l.PerSecond / baseline.PerSecond,14:0.00} {l.P99Ms / baseline.P99Ms,12:0.0} {l.CpuMsPerDelivery,14:0.00} {l.BenchCpuMsPerDelivery,16:0.00} {(l.BenchGcPauseMs is null ? "not known" : $"{l.BenchGcPauseMs:0} ({l.BenchLongestGcPauseMs:0})"),28}");
        }
        foreach (var a in report.CustomerToAgent)
        {
            Console.WriteLine($"customer→agent screen, {a.Phase,-22} p50 {a.P50Ms:0.00} ms, p99 {a.P99Ms:0.00} ms, max {a.MaxMs:0.0} ms ({a.Samples} of {a.Expected} pushes timed)");
        }
        var backlog = report.WarmupBacklog;
        Console.WriteLine(backlog.Queued == 0
            ? "automatic replies the warm-up left queued: none"
            : $"automatic replies the warm-up left queued: {backlog.Queued:N0}, {(backlog.Drained ? "all sent" : "not all sent")} {backlog.Seconds:0.0} s later ({backlog.Queued / backlog.Seconds:0}/s), before the open loop");
        Console.WriteLine($"exactly once: {report.Acknowledged} acknowledged message ids, {report.Missing} missing, {report.Duplicated} stored twice; {report.GraphSends} automatic replies sent to the fake Graph API, {report.GraphSentTwice} of them twice");
    }
}
