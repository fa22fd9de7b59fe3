namespace BusinessInbox.Hours;

/// <summary>How the business states its hours, as in WhatsApp Business.</summary>
public enum HoursMode
{
    SelectedHours = 0,
    AlwaysOpen = 1,
    ByAppointmentOnly = 2,
}

/// <summary>
/// A span of local time that starts on a given day. An end at or before the start runs past midnight
/// into the next day (18:00–02:00 belongs to the day it starts).
/// </summary>
public sealed record TimeRange(TimeOnly Start, TimeOnly End)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool CrossesMidnight => End <= Start;

    /// <summary>Length in local clock time, ignoring any DST change inside it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan ClockLength => CrossesMidnight ? TimeSpan.FromDays(1) - (Start - End) : End - Start;
}

/// <summary>One day's hours: closed, open around the clock, or one or more ranges.</summary>
public sealed record DayHours(bool Open24Hours, IReadOnlyList<TimeRange> Ranges)
{
    public static readonly DayHours Closed = new(false, []);
    public static readonly DayHours AllDay = new(true, []);

    public static DayHours Of(params TimeRange[] ranges) => new(false, ranges);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsClosed => !Open24Hours && Ranges.Count == 0;
}

/// <summary>A holiday or special day that replaces the weekday's hours.</summary>
public sealed record DateOverride(DateOnly Date, string? Name, DayHours Hours);

/// <summary>The hours as the owner enters them, without the zone (which belongs to the business).</summary>
public sealed record HoursSchedule(HoursMode Mode, IReadOnlyDictionary<DayOfWeek, DayHours> Week, IReadOnlyList<DateOverride> Overrides)
{
    /// <summary>A new business is open around the clock until the owner says otherwise.</summary>
    public static readonly HoursSchedule AlwaysOpen = new(HoursMode.AlwaysOpen, new Dictionary<DayOfWeek, DayHours>(), []);

    public OpeningHours In(string timeZoneId) => new(timeZoneId, Mode, Week, Overrides);
}

/// <summary>Everything that decides when a business is open. Pure data; <see cref="BusinessClock"/> answers questions about it.</summary>
public sealed record OpeningHours(
    string TimeZoneId,
    HoursMode Mode,
    IReadOnlyDictionary<DayOfWeek, DayHours> Week,
    IReadOnlyList<DateOverride> Overrides)
{
    public DayHours For(DateOnly date) =>
        Overrides.FirstOrDefault(o => o.Date == date)?.Hours
        ?? Week.GetValueOrDefault(date.DayOfWeek, DayHours.Closed);

    /// <summary>Problems that make the hours unusable, each in words a shop owner understands; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out _))
        {
            problems.Add($"\"{TimeZoneId}\" is not a known time zone.");
        }
        foreach (var (day, hours) in Week.OrderBy(d => ((int)d.Key + 6) % 7))
        {
            problems.AddRange(ValidateDay(day.ToString(), hours));
        }
        foreach (var group in Overrides.GroupBy(o => o.Date).Where(g => g.Count() > 1))
        {
            problems.Add($"{group.Key:yyyy-MM-dd} has more than one special entry.");
        }
        foreach (var o in Overrides)
        {
            problems.AddRange(ValidateDay(o.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), o.Hours));
        }
        return problems;
    }

    private static IEnumerable<string> ValidateDay(string day, DayHours hours)
    {
        if (hours.Open24Hours && hours.Ranges.Count > 0)
        {
            yield return $"{day}: choose either open 24 hours or time ranges.";
        }
        foreach (var r in hours.Ranges.Where(r => r.Start == r.End))
        {
            yield return $"{day}: the range {r.Start:HH\\:mm}–{r.End:HH\\:mm} ends when it starts.";
        }
        var ordered = hours.Ranges.Where(r => r.Start != r.End).OrderBy(r => r.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            var previous = ordered[i - 1];
            if (previous.CrossesMidnight || ordered[i].Start < previous.End)
            {
                yield return $"{day}: {previous.Start:HH\\:mm}–{previous.End:HH\\:mm} overlaps {ordered[i].Start:HH\\:mm}–{ordered[i].End:HH\\:mm}.";
            }
        }
    }
}
