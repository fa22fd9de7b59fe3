using System.Globalization;
using System.Text.Json;
using BusinessInbox.Data;
using BusinessInbox.Security;
using BusinessInbox.Stats;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BusinessInbox.Pages.Stats;

/// <summary>The statistics dashboard for admins and owners; a plain GET form, so the range is in the address.</summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(InboxDb db, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Range { get; set; } = "7d";

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public StatsReport? Report { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Report = await LoadAsync(ct);

    /// <summary>The figures (<paramref name="file"/> = figures) or the per-day series (days) of the chosen range.</summary>
    public async Task<IActionResult> OnGetCsvAsync(string? file, CancellationToken ct)
    {
        if (await LoadAsync(ct) is not { } report)
        {
            return BadRequest();
        }
        var name = string.Create(CultureInfo.InvariantCulture, $"{report.From:yyyy-MM-dd}_{report.To:yyyy-MM-dd}.csv");
        return file == "days"
            ? File(StatsCsv.Days(report), "text/csv; charset=utf-8", "stats-days_" + name)
            : File(StatsCsv.Figures(report), "text/csv; charset=utf-8", "stats_" + name);
    }

    private async Task<StatsReport?> LoadAsync(CancellationToken ct)
    {
        var businessId = User.BusinessIdOf();
        StatsPeriod? period;
        if (Range == "custom")
        {
            (period, _, Error) = StatsPeriod.Parse(From, To);
        }
        else
        {
            var today = await StatsQueries.TodayAsync(db, businessId, clock, ct);
            if (!StatsPeriod.Presets.Contains(Range))
            {
                Range = "7d";
            }
            period = StatsPeriod.Preset(Range, today);
        }
        if (period is null)
        {
            return null;
        }
        From = period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        To = period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return await StatsQueries.ReportAsync(db, businessId, period, ct);
    }

    /// <summary>The query string of the current range, for the CSV links.</summary>
    public string Query => $"range={Uri.EscapeDataString(Range)}&from={Uri.EscapeDataString(From ?? "")}&to={Uri.EscapeDataString(To ?? "")}";

    public static string Format(FigureKind kind, double? value) => value is not { } v ? "–" : kind switch
    {
        FigureKind.Rate => v.ToString("P1", CultureInfo.CurrentCulture),
        FigureKind.Duration => Duration((long)v),
        _ => v.ToString("N0", CultureInfo.CurrentCulture),
    };

    public static string Duration(long? seconds)
    {
        if (seconds is not { } s)
        {
            return "–";
        }
        var t = TimeSpan.FromSeconds(s);
        return t.TotalDays >= 1 ? string.Create(CultureInfo.CurrentCulture, $"{(int)t.TotalDays} d {t.Hours} h")
            : t.TotalHours >= 1 ? string.Create(CultureInfo.CurrentCulture, $"{t.Hours} h {t.Minutes} min")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.CurrentCulture, $"{t.Minutes} min {t.Seconds} s")
            : string.Create(CultureInfo.CurrentCulture, $"{t.Seconds} s");
    }

    /// <summary>The change from the previous period: a difference for counts, in points for the rate, a duration for times.</summary>
    public static string Change(FigureKind kind, double? now, double? before)
    {
        if (now is not { } n || before is not { } b)
        {
            return "–";
        }
        var d = n - b;
        var sign = d > 0 ? "+" : d < 0 ? "−" : "±";
        return kind switch
        {
            FigureKind.Rate => sign + Math.Abs(d * 100).ToString("0.0", CultureInfo.CurrentCulture) + " pt",
            FigureKind.Duration => sign + Duration((long)Math.Abs(d)),
            _ => sign + Math.Abs(d).ToString("N0", CultureInfo.CurrentCulture)
                + (b > 0 ? " (" + sign + Math.Abs(d / b).ToString("P0", CultureInfo.CurrentCulture) + ")" : ""),
        };
    }

    /// <summary>A shade from 0 (none) to 4 (the busiest hour of the period) for the heatmap's cells.</summary>
    public static int Shade(int value, int max) => value == 0 || max == 0 ? 0 : 1 + (int)Math.Min(3, Math.Floor(4.0 * (value - 1) / max));

    /// <summary>The chart series for stats.js; System.Text.Json escapes &lt; and &gt;, so the JSON is safe inside the page.</summary>
    public string ChartJson(Func<string, string> localize) => Report is not { } r ? "{}" : JsonSerializer.Serialize(new
    {
        labels = r.Days.Select(d => d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        received = r.Days.Select(d => d.Received),
        sentByStaff = r.Days.Select(d => d.SentByStaff),
        sentAutomatic = r.Days.Select(d => d.SentAutomatic),
        firstResponseMinutes = r.Days.Select(d => d.MedianFirstResponse is { } s ? Math.Round(s / 60.0, 1) : (double?)null),
        text = new
        {
            received = localize("Received"),
            sentByStaff = localize("Sent by staff"),
            sentAutomatic = localize("Sent automatically"),
            firstResponse = localize("Median first response (minutes)"),
        },
    });
}
