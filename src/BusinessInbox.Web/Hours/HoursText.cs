using System.Globalization;

namespace BusinessInbox.Hours;

/// <summary>Hours in words for customers: the auto-reply placeholders and the chat page use the same phrases.</summary>
public static class HoursText
{
    /// <summary>"09:00–12:00, 13:00–18:00", "Open 24 hours", "Closed" or "By appointment only".</summary>
    public static string Today(OpeningHours hours, BusinessClock clock, DateTimeOffset now)
    {
        if (WithoutSchedule(hours.Mode) is { } text)
        {
            return text;
        }
        var (_, day, _) = clock.Today(now);
        return Day(day);
    }

    /// <summary>The whole answer for the modes that have no weekly schedule; null for "selected hours".</summary>
    private static string? WithoutSchedule(HoursMode mode) => mode switch
    {
        HoursMode.AlwaysOpen => "Open 24 hours",
        HoursMode.ByAppointmentOnly => "By appointment only",
        _ => null,
    };

    public static string Day(DayHours day) =>
        day.Open24Hours ? "Open 24 hours"
        : day.IsClosed ? "Closed"
        : string.Join(", ", day.Ranges.OrderBy(r => r.Start).Select(r => $"{Time(r.Start)}–{Time(r.End)}"));

    /// <summary>The line customers and staff see: "Open now · closes 18:00", "Closed · opens Mon 09:00", "Open 24 hours", "By appointment only".</summary>
    public static string Status(OpeningHours hours, BusinessClock clock, DateTimeOffset now)
    {
        if (WithoutSchedule(hours.Mode) is { } text)
        {
            return text;
        }
        var state = clock.StateAt(now);
        if (state.IsOpen)
        {
            return state.ChangesAtLocal is { } closes
                ? $"Open now · closes {When(closes, clock.LocalDate(now))}"
                : "Open now";
        }
        return state.ChangesAt is null ? "Closed" : $"Closed · opens {NextOpen(hours, clock, now)}";
    }

    /// <summary>"18:00" today, else "Tue 02:00".</summary>
    private static string When(DateTime local, DateOnly today) =>
        DateOnly.FromDateTime(local) == today
            ? Time(TimeOnly.FromDateTime(local))
            : $"{local.ToString("ddd", CultureInfo.InvariantCulture)} {Time(TimeOnly.FromDateTime(local))}";

    /// <summary>"now", "today at 09:00", "Mon 09:00" within a week, else "9 Feb 2027 09:00"; "by appointment" when there are no hours.</summary>
    public static string NextOpen(OpeningHours hours, BusinessClock clock, DateTimeOffset now)
    {
        if (hours.Mode == HoursMode.ByAppointmentOnly)
        {
            return "by appointment";
        }
        var state = clock.StateAt(now);
        if (state.IsOpen)
        {
            return "now";
        }
        if (state.ChangesAtLocal is not { } opens)
        {
            return "later";
        }
        var today = clock.LocalDate(now);
        var date = DateOnly.FromDateTime(opens);
        var time = Time(TimeOnly.FromDateTime(opens));
        return date == today ? $"today at {time}"
            : date.DayNumber - today.DayNumber < 7 ? $"{opens.ToString("ddd", CultureInfo.InvariantCulture)} {time}"
            : $"{opens.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} {time}";
    }

    private static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);
}
