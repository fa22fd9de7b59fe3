using System.Globalization;

namespace BusinessInbox.Stats;

public enum FigureKind
{
    Count,
    Rate,
    /// <summary>Seconds.</summary>
    Duration,
}

/// <summary>A figure of the dashboard with its one-line definition; the page, the CSV and the tests read the same list.</summary>
public sealed record FigureDefinition(string Key, string Name, string Definition, FigureKind Kind, Func<StatsFigures, double?> Value);

public static class StatsFigureList
{
    public static readonly IReadOnlyList<FigureDefinition> All =
    [
        new("received", "Received", "Messages customers wrote to you.", FigureKind.Count, f => f.Received),
        new("sent_by_staff", "Sent by staff", "Replies your team wrote (private notes not included).", FigureKind.Count, f => f.SentByStaff),
        new("sent_automatically", "Sent automatically", "Greeting and away messages the inbox sent for you.", FigureKind.Count, f => f.SentAutomatic),
        new("delivered", "Delivered", "Messages you sent that reached the customer, read ones included.", FigureKind.Count, f => f.Delivered),
        new("read", "Read", "Messages you sent that the customer read.", FigureKind.Count, f => f.Read),
        new("failed", "Failed", "Messages you sent that never reached the customer.", FigureKind.Count, f => f.Failed),
        new("read_rate", "Read rate", "Read messages as a share of delivered ones.", FigureKind.Rate, f => f.ReadRate),
        new("new_contacts", "New contacts", "People who wrote to you for the first time.", FigureKind.Count, f => f.NewContacts),
        new("episodes_opened", "Conversations opened", "A customer wrote to a new or resolved chat.", FigureKind.Count, f => f.EpisodesOpened),
        new("episodes_resolved", "Conversations resolved", "Chats your team marked as resolved.", FigureKind.Count, f => f.EpisodesResolved),
        new("episodes_reopened", "Conversations reopened", "A customer wrote again after the chat was resolved.", FigureKind.Count, f => f.EpisodesReopened),
        new("first_response_median", "First response, median", "Half of the conversations got a first reply from a person within this time.", FigureKind.Duration, f => f.FirstResponse.Median),
        new("first_response_p90", "First response, 90th percentile", "Nine in ten conversations got a first reply from a person within this time.", FigureKind.Duration, f => f.FirstResponse.P90),
        new("first_response_open_median", "First response in opening hours, median", "As the median first response, counting only your opening hours.", FigureKind.Duration, f => f.FirstResponse.MedianOpenHours),
        new("first_response_open_p90", "First response in opening hours, 90th percentile", "As the 90th percentile, counting only your opening hours.", FigureKind.Duration, f => f.FirstResponse.P90OpenHours),
        new("resolution_median", "Resolution time, median", "From the customer's first message to resolved, for half of the conversations.", FigureKind.Duration, f => f.Resolution.Median),
        new("resolution_p90", "Resolution time, 90th percentile", "From the customer's first message to resolved, for nine in ten conversations.", FigureKind.Duration, f => f.Resolution.P90),
        new("resolution_open_median", "Resolution time in opening hours, median", "As the median resolution time, counting only your opening hours.", FigureKind.Duration, f => f.Resolution.MedianOpenHours),
        new("resolution_open_p90", "Resolution time in opening hours, 90th percentile", "As the 90th percentile, counting only your opening hours.", FigureKind.Duration, f => f.Resolution.P90OpenHours),
    ];

    /// <summary>Each figure as invariant text for files: counts as integers, the rate as a fraction, times in seconds.</summary>
    public static IEnumerable<(string Key, string Value, string Previous)> Rows(StatsReport report) =>
        All.Select(f => (f.Key, Invariant(f.Value(report.Figures)), Invariant(f.Value(report.Previous))));

    private static string Invariant(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
