namespace BusinessInbox.Hours;

/// <summary>
/// The opening time of a fixed range, laid out once so that the opening time between any two instants in it
/// is two binary searches: what the dashboard needs to measure thousands of response times in opening hours.
/// </summary>
public sealed class OpeningTimeline
{
    private readonly OpenInterval[] _intervals;
    /// <summary>Opening time before interval i starts, from the start of the range.</summary>
    private readonly TimeSpan[] _openBefore;

    internal OpeningTimeline(IEnumerable<OpenInterval> intervals)
    {
        _intervals = intervals.ToArray();
        _openBefore = new TimeSpan[_intervals.Length];
        var total = TimeSpan.Zero;
        for (var i = 0; i < _intervals.Length; i++)
        {
            _openBefore[i] = total;
            total += _intervals[i].End - _intervals[i].Start;
        }
    }

    /// <summary>How much opening time lies in [from, to), counting only the part inside the range the timeline covers.</summary>
    public TimeSpan Between(DateTimeOffset from, DateTimeOffset to) => to <= from ? TimeSpan.Zero : OpenUntil(to) - OpenUntil(from);

    private TimeSpan OpenUntil(DateTimeOffset instant)
    {
        // The last interval that starts at or before the instant.
        int low = 0, high = _intervals.Length - 1, last = -1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            if (_intervals[mid].Start <= instant)
            {
                last = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        if (last < 0)
        {
            return TimeSpan.Zero;
        }
        var interval = _intervals[last];
        return _openBefore[last] + ((instant < interval.End ? instant : interval.End) - interval.Start);
    }
}
