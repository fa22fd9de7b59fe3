using System.Diagnostics;

namespace BusinessInbox.Bench;

public sealed record Latency(string Name, int Calls, double P50Ms, double P95Ms, double MaxMs, int Errors)
{
    public static Latency Of(string name, List<double> samples, int errors)
    {
        samples.Sort();
        double At(double q) => samples.Count == 0 ? double.NaN : samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        return new Latency(name, samples.Count, At(0.50), At(0.95), samples.Count == 0 ? double.NaN : samples[^1], errors);
    }
}

/// <summary>Repeated calls of one request, one at a time, timed from send to the last byte read.</summary>
public static class Measure
{
    public static async Task<Latency> RepeatAsync(string name, HttpClient http, Func<int, HttpRequestMessage> request, int warmup, int calls)
    {
        var samples = new List<double>(calls);
        var errors = 0;
        for (var i = 0; i < warmup + calls; i++)
        {
            using var message = request(i);
            var watch = Stopwatch.StartNew();
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            await response.Content.ReadAsByteArrayAsync();
            watch.Stop();
            if (!response.IsSuccessStatusCode)
            {
                errors++;
                continue;
            }
            if (i >= warmup)
            {
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        return Latency.Of(name, samples, errors);
    }
}
