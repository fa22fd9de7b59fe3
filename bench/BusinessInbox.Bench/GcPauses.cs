using System.Diagnostics.Tracing;

namespace BusinessInbox.Bench;

/// <summary>
/// The benchmark's own garbage-collection pauses, from the runtime's events: while one lasts, the load generator sends
/// nothing and the agents' screens read nothing, so an open loop's deliveries due meanwhile are answered late by a server
/// that was not at fault. Reported beside each load, so a stall in its tail can be told apart from one of the server's.
/// </summary>
public sealed class GcPauses : EventListener
{
    // The runtime's event source, its garbage-collection keyword, and the events that open and close a pause.
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int SuspendBegin = 9;
    private const int RestartEnd = 3;

    // Why the runtime stopped the threads: for a collection, or to prepare one. Other stops (the debugger, re-compiling
    // code) are not counted.
    private const uint ForCollection = 1;
    private const uint ForCollectionPreparation = 6;

    private readonly Lock _lock = new();
    private readonly List<(DateTime Began, double Ms)> _pauses = [];
    private DateTime? _suspended;
    private DateTime _lastEvent = DateTime.MinValue;

    /// <summary>
    /// The pauses that began between <paramref name="from"/> and now: their sum and the longest; null when the runtime's
    /// events did not come.
    /// </summary>
    /// <remarks>
    /// The runtime hands its events over a little later: a collection started here marks where they have caught up
    /// with now.
    /// </remarks>
    public async Task<(double TotalMs, double LongestMs)?> SinceAsync(DateTime from)
    {
        var until = DateTime.UtcNow;
        GC.Collect(0);
        for (var waited = 0; waited < 100 && LastEvent < until; waited++)
        {
            await Task.Delay(50);
        }
        lock (_lock)
        {
            if (_lastEvent < until)
            {
                return null;
            }
            var pauses = _pauses.Where(p => p.Began >= from && p.Began < until).Select(p => p.Ms).ToList();
            return (pauses.Sum(), pauses.DefaultIfEmpty(0).Max());
        }
    }

    private DateTime LastEvent
    {
        get
        {
            lock (_lock)
            {
                return _lastEvent;
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var at = eventData.TimeStamp.ToUniversalTime();
        lock (_lock)
        {
            _lastEvent = at;
            if (eventData.EventId == SuspendBegin)
            {
                _suspended = ReasonOf(eventData) is ForCollection or ForCollectionPreparation ? at : null;
            }
            else if (eventData.EventId == RestartEnd && _suspended is { } began)
            {
                _suspended = null;
                _pauses.Add((began, (at - began).TotalMilliseconds));
            }
        }
    }

    private static uint? ReasonOf(EventWrittenEventArgs suspension) =>
        suspension.PayloadNames?.IndexOf("Reason") is >= 0 and var at && suspension.Payload?[at] is { } reason
            ? Convert.ToUInt32(reason, System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
