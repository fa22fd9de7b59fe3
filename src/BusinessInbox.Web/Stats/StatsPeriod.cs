namespace BusinessInbox.Stats;

/// <summary>
/// A span of local calendar days in the business's zone, both ends included, and the period it is compared with:
/// the same number of days just before, or for "this month" the same days of the previous month.
/// </summary>
public sealed record StatsPeriod(DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo)
{
    public const int MaxDays = 366;

    public static readonly IReadOnlyList<string> Presets = ["today", "yesterday", "7d", "30d", "90d", "month", "custom"];

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The span right before, of the same length.</summary>
    public static StatsPeriod Of(DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber + 1;
        return new StatsPeriod(from, to, from.AddDays(-days), from.AddDays(-1));
    }

    /// <summary>A preset relative to <paramref name="today"/>; null for an unknown one.</summary>
    public static StatsPeriod? Preset(string preset, DateOnly today) => preset switch
    {
        "today" => Of(today, today),
        "yesterday" => Of(today.AddDays(-1), today.AddDays(-1)),
        "7d" => Of(today.AddDays(-6), today),
        "30d" => Of(today.AddDays(-29), today),
        "90d" => Of(today.AddDays(-89), today),
        "month" => ThisMonth(today),
        _ => null,
    };

    private static StatsPeriod ThisMonth(DateOnly today)
    {
        var first = new DateOnly(today.Year, today.Month, 1);
        var previousFirst = first.AddMonths(-1);
        // The 31st of a month compares with the last day of a shorter previous month.
        var previousTo = previousFirst.AddDays(Math.Min(today.Day, DateTime.DaysInMonth(previousFirst.Year, previousFirst.Month)) - 1);
        return new StatsPeriod(first, today, previousFirst, previousTo);
    }

    /// <summary>Checks a requested span; the error names the parameter at fault, or is null when the span is usable.</summary>
    public static (StatsPeriod? Period, string? Parameter, string? Error) Parse(string? from, string? to)
    {
        if (!TryDate(from, out var start))
        {
            return (null, "from", "Give from as a date, yyyy-MM-dd.");
        }
        if (!TryDate(to, out var end))
        {
            return (null, "to", "Give to as a date, yyyy-MM-dd.");
        }
        if (end < start)
        {
            return (null, "to", "to must not be before from.");
        }
        if (end.DayNumber - start.DayNumber + 1 > MaxDays)
        {
            return (null, "to", $"A period spans at most {MaxDays} days.");
        }
        return (Of(start, end), null, null);
    }

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date);
}
