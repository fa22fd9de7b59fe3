using System.Globalization;

namespace BusinessInbox.Hours;

/// <summary>Time ranges as an owner types them: "09:00–12:00, 13:00–18:00".</summary>
public static class RangeText
{
    private static readonly string[] Dashes = ["–", "—", "-", " to "];

    public static string Format(IEnumerable<TimeRange> ranges) =>
        string.Join(", ", ranges.OrderBy(r => r.Start).Select(r =>
            r.Start.ToString("HH:mm", CultureInfo.InvariantCulture) + "–" + r.End.ToString("HH:mm", CultureInfo.InvariantCulture)));

    /// <summary>Parses the ranges, or says which part could not be read.</summary>
    public static (List<TimeRange> Ranges, string? Error) Parse(string? text)
    {
        var ranges = new List<TimeRange>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return (ranges, "Enter at least one range, such as 09:00–18:00.");
        }
        foreach (var part in text.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split(Dashes, 2, StringSplitOptions.TrimEntries);
            if (bounds.Length != 2 || !TryTime(bounds[0], out var start) || !TryTime(bounds[1], out var end))
            {
                return (ranges, $"\"{part}\" is not a range; write it like 09:00–18:00.");
            }
            ranges.Add(new TimeRange(start, end));
        }
        return (ranges, null);
    }

    private static bool TryTime(string text, out TimeOnly time)
    {
        // "until 24:00" is how people write "until midnight".
        if (text is "24:00" or "24")
        {
            time = TimeOnly.MinValue;
            return true;
        }
        return TimeOnly.TryParseExact(text, ["H:mm", "HH:mm", "%H", "HH"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }
}
