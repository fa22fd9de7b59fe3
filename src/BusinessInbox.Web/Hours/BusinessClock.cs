namespace BusinessInbox.Hours;

/// <summary>An instant interval [Start, End).</summary>
public readonly record struct OpenInterval(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset instant) => Start <= instant && instant < End;
}

/// <summary>Whether the business is open at an instant, and when that changes (null: it never does, as far as we look ahead).</summary>
public sealed record OpenState(bool IsOpen, DateTimeOffset? ChangesAt, DateTime? ChangesAtLocal);

/// <summary>
/// Answers questions about <see cref="OpeningHours"/> at given instants, always in the business's own
/// time zone (never the server's): is it open, when does it next open or close, what are today's hours,
/// and how much opening time lies between two instants. Local times that a DST change skips open at
/// the first instant after the jump; local times it repeats count from the first occurrence to the last.
/// </summary>
public sealed class BusinessClock
{
    /// <summary>How far ahead "next open" looks (a year of holidays is the most a shop closes for).</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(400);
    private static readonly TimeSpan Chunk = TimeSpan.FromDays(14);

    private readonly OpeningHours _hours;
    private readonly TimeZoneInfo _zone;

    public BusinessClock(OpeningHours hours)
    {
        _hours = hours;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(hours.TimeZoneId);
    }

    public TimeZoneInfo Zone => _zone;

    public DateTime ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, _zone).DateTime;

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(ToLocal(instant));

    /// <summary>The hours that apply on the local day of <paramref name="instant"/>, and the special day's name if one applies.</summary>
    public (DateOnly Date, DayHours Hours, string? SpecialDay) Today(DateTimeOffset instant)
    {
        var date = LocalDate(instant);
        var special = _hours.Overrides.FirstOrDefault(o => o.Date == date);
        return (date, special?.Hours ?? _hours.For(date), special?.Name);
    }

    public bool IsOpen(DateTimeOffset instant) =>
        OpenIntervals(instant - TimeSpan.FromDays(2), instant + TimeSpan.FromDays(2)).Any(i => i.Contains(instant));

    /// <summary>Open or closed at <paramref name="instant"/>, and when that next changes.</summary>
    public OpenState StateAt(DateTimeOffset instant)
    {
        if (_hours.Mode == HoursMode.AlwaysOpen)
        {
            return new OpenState(true, null, null);
        }
        if (_hours.Mode == HoursMode.ByAppointmentOnly)
        {
            return new OpenState(false, null, null);
        }
        var open = IsOpen(instant);
        for (var from = instant; from < instant + Horizon; from += Chunk)
        {
            var first = OpenIntervals(from, from + Chunk).Cast<OpenInterval?>().FirstOrDefault();
            if (open)
            {
                // Still open through this chunk unless the first interval stops short of its end.
                if (first is not { } stillOpen || stillOpen.Start > from)
                {
                    return Changed(open, from);
                }
                if (stillOpen.End < from + Chunk)
                {
                    return Changed(open, stillOpen.End);
                }
            }
            else if (first is { } opens)
            {
                return Changed(open, opens.Start);
            }
        }
        return new OpenState(open, null, null);
    }

    private OpenState Changed(bool open, DateTimeOffset at) => new(open, at, ToLocal(at));

    /// <summary>How much opening time lies in [from, to): the figure "response time in business hours" needs.</summary>
    public TimeSpan OpeningTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            return TimeSpan.Zero;
        }
        var total = TimeSpan.Zero;
        foreach (var interval in OpenIntervals(from, to))
        {
            total += interval.End - interval.Start;
        }
        return total;
    }

    /// <summary>The opening time of [from, to), ready to answer <see cref="OpeningTimeBetween"/> for many spans inside it.</summary>
    public OpeningTimeline Timeline(DateTimeOffset from, DateTimeOffset to) => new(OpenIntervals(from, to));

    /// <summary>The merged open intervals that intersect [from, to), clipped to it, in order.</summary>
    public IEnumerable<OpenInterval> OpenIntervals(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            yield break;
        }
        switch (_hours.Mode)
        {
            case HoursMode.AlwaysOpen:
                yield return new OpenInterval(from, to);
                yield break;
            case HoursMode.ByAppointmentOnly:
                yield break;
        }

        var raw = new List<OpenInterval>();
        // A range that started the day before may still be open (18:00–02:00).
        for (var date = LocalDate(from).AddDays(-1); date <= LocalDate(to); date = date.AddDays(1))
        {
            var day = _hours.For(date);
            if (day.Open24Hours)
            {
                raw.Add(new OpenInterval(Instant(date, TimeOnly.MinValue, earliest: true), Instant(date.AddDays(1), TimeOnly.MinValue, earliest: true)));
                continue;
            }
            foreach (var range in day.Ranges.Where(r => r.Start != r.End))
            {
                var start = Instant(date, range.Start, earliest: true);
                var end = Instant(range.CrossesMidnight ? date.AddDays(1) : date, range.End, earliest: false);
                if (end > start)
                {
                    raw.Add(new OpenInterval(start, end));
                }
            }
        }
        raw.Sort((a, b) => a.Start.CompareTo(b.Start));

        OpenInterval? current = null;
        foreach (var next in raw)
        {
            if (current is { } c && next.Start <= c.End)
            {
                current = c with { End = next.End > c.End ? next.End : c.End };
                continue;
            }
            if (current is { } done && Clip(done, from, to) is { } clipped)
            {
                yield return clipped;
            }
            current = next;
        }
        if (current is { } last && Clip(last, from, to) is { } lastClipped)
        {
            yield return lastClipped;
        }
    }

    private static OpenInterval? Clip(OpenInterval i, DateTimeOffset from, DateTimeOffset to)
    {
        var start = i.Start < from ? from : i.Start;
        var end = i.End > to ? to : i.End;
        return end > start ? new OpenInterval(start, end) : null;
    }

    /// <summary>
    /// The instant a local date and time stands for in the business's zone. A skipped local time (spring
    /// forward) becomes the instant the clock jumps; a repeated one (autumn) the first occurrence when
    /// <paramref name="earliest"/>, else the second, so a range over the repeated hour lasts its full length.
    /// </summary>
    public DateTimeOffset Instant(DateOnly date, TimeOnly time, bool earliest)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(local))
        {
            var before = _zone.GetUtcOffset(local.AddHours(-6));
            var candidate = new DateTimeOffset(local, before).ToUniversalTime();
            var after = _zone.GetUtcOffset(candidate);
            // Walk back to the minute of the jump: the first instant that has the new offset.
            while (_zone.GetUtcOffset(candidate.AddMinutes(-1)) == after)
            {
                candidate = candidate.AddMinutes(-1);
            }
            return candidate;
        }
        if (_zone.IsAmbiguousTime(local))
        {
            var offsets = _zone.GetAmbiguousTimeOffsets(local);
            var offset = earliest ? offsets.Max() : offsets.Min();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }
        return new DateTimeOffset(local, _zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
