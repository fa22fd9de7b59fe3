using System.Globalization;
using System.Text;
using BusinessInbox.Contacts;

namespace BusinessInbox.Stats;

/// <summary>The dashboard as CSV files, written with <see cref="Csv"/> so no cell is read as a spreadsheet formula.</summary>
public static class StatsCsv
{
    /// <summary>One row per figure: its name, this period's value and the previous period's. Times are in seconds.</summary>
    public static byte[] Figures(StatsReport report)
    {
        var csv = new StringBuilder(Csv.Line(["figure", Range(report.From, report.To), Range(report.PreviousFrom, report.PreviousTo)]));
        foreach (var (key, value, previous) in StatsFigureList.Rows(report))
        {
            csv.Append(Csv.Line([key, value, previous]));
        }
        foreach (var a in report.Agents)
        {
            csv.Append(Csv.Line([$"agent replies: {a.Name}", Num(a.Replies), ""]));
            csv.Append(Csv.Line([$"agent chats resolved: {a.Name}", Num(a.Resolved), ""]));
            csv.Append(Csv.Line([$"agent median first response seconds: {a.Name}", Num(a.MedianFirstResponse), ""]));
        }
        foreach (var l in report.Labels)
        {
            csv.Append(Csv.Line([$"label episodes opened: {l.Name}", Num(l.EpisodesOpened), ""]));
            csv.Append(Csv.Line([$"label episodes resolved: {l.Name}", Num(l.EpisodesResolved), ""]));
        }
        foreach (var p in report.Pricing)
        {
            csv.Append(Csv.Line([$"billable messages: {p.Category}", Num(p.Messages), ""]));
        }
        return Bytes(csv);
    }

    public static byte[] Days(StatsReport report)
    {
        var csv = new StringBuilder(Csv.Line(["date", "received", "sent_by_staff", "sent_automatically", "delivered", "read", "failed",
            "new_contacts", "episodes_opened", "episodes_resolved", "median_first_response_seconds"]));
        foreach (var d in report.Days)
        {
            csv.Append(Csv.Line([d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Num(d.Received), Num(d.SentByStaff),
                Num(d.SentAutomatic), Num(d.Delivered), Num(d.Read), Num(d.Failed), Num(d.NewContacts), Num(d.EpisodesOpened),
                Num(d.EpisodesResolved), Num(d.MedianFirstResponse)]));
        }
        return Bytes(csv);
    }

    private static string Range(DateOnly from, DateOnly to) =>
        string.Create(CultureInfo.InvariantCulture, $"{from:yyyy-MM-dd}..{to:yyyy-MM-dd}");

    private static string Num(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    // With a byte-order mark, so that spreadsheets read the file as UTF-8.
    private static byte[] Bytes(StringBuilder csv) => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
}
