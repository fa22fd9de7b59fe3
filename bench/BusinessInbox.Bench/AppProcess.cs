using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BusinessInbox.Bench;

/// <summary>The published app as its own process on a loopback port, as it runs in production.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private long _peakRssKb;

    private AppProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>Peak resident memory of the server so far (VmHWM), in MB.</summary>
    public double PeakRssMb
    {
        get
        {
            Sample();
            return _peakRssKb / 1024.0;
        }
    }

    /// <summary>Runs one command of the app (setup, token create) and returns what it printed.</summary>
    public static async Task<string> RunCommandAsync(string appDll, string dataPath, params string[] args)
    {
        var start = Start(appDll, dataPath, null, args);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{string.Join(' ', args.Take(2))}` failed ({process.ExitCode}): {errors}{output}");
        }
        return output.Trim();
    }

    public static async Task<AppProcess> StartAsync(string appDll, string dataPath, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var start = Start(appDll, dataPath, port, []);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var app = new AppProcess(process, port);
        using var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} while starting.");
            }
            try
            {
                if ((await http.GetAsync("readyz")).IsSuccessStatusCode)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        await app.DisposeAsync();
        throw new TimeoutException("The app did not answer /readyz within a minute.");
    }

    /// <summary>The server's processor time so far (user and kernel, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Reads the kernel's record of the peak resident set (Linux).</summary>
    public void Sample()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    _peakRssKb = Math.Max(_peakRssKb, kb);
                }
            }
        }
        catch (IOException)
        {
            // The process has gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Sample();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static ProcessStartInfo Start(string appDll, string dataPath, int? port, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        start.ArgumentList.Add(appDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["Storage__DataPath"] = dataPath;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        if (port is { } p)
        {
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{p}";
        }
        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
