using BusinessInbox.Data;
using BusinessInbox.Hours;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Stats;

/// <summary>Median and 90th percentile of a time, in seconds: wall-clock, and counting only opening hours. Null without data.</summary>
public sealed record TimeFigures(long? Median, long? P90, long? MedianOpenHours, long? P90OpenHours, int Count);

public sealed record StatsFigures(
    int Received, int SentByStaff, int SentAutomatic,
    int Delivered, int Read, int Failed, double? ReadRate,
    int NewContacts, int EpisodesOpened, int EpisodesResolved, int EpisodesReopened,
    TimeFigures FirstResponse, TimeFigures Resolution);

/// <summary>One local day; the median first response is of the episodes that started that day.</summary>
public sealed record StatsDayRow(
    DateOnly Date, int Received, int SentByStaff, int SentAutomatic, int Delivered, int Read, int Failed, int NewContacts,
    int EpisodesOpened, int EpisodesResolved, long? MedianFirstResponse);

public sealed record AgentRow(string UserId, string Name, int Replies, int Resolved, long? MedianFirstResponse);

public sealed record LabelRow(string Name, int EpisodesOpened, int EpisodesResolved, long? MedianFirstResponse);

public sealed record PricingRow(string Category, int Messages);

/// <summary>Everything the dashboard shows. <see cref="Heatmap"/> is customer messages by weekday (Monday first) and local hour.</summary>
public sealed record StatsReport(
    DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, string TimeZone,
    StatsFigures Figures, StatsFigures Previous, IReadOnlyList<StatsDayRow> Days, int[][] Heatmap,
    IReadOnlyList<AgentRow> Agents, IReadOnlyList<LabelRow> Labels, IReadOnlyList<PricingRow> Pricing);

/// <summary>
/// Reads the dashboard from the rollups (<see cref="StatsHour"/>, <see cref="StatsAgentDay"/>, <see cref="StatsPricingDay"/>)
/// and the episodes of the period, of which only the measured times and who answered are read (decision 0020); no
/// message is read. Days and periods are local days in the business's current zone.
/// </summary>
public static class StatsQueries
{
    public static async Task<DateOnly> TodayAsync(InboxDb db, int businessId, TimeProvider clock, CancellationToken ct)
    {
        var zone = await db.Businesses.Where(b => b.Id == businessId).Select(b => b.TimeZone).SingleAsync(ct);
        return StatsRecorder.LocalHour(TimeZoneInfo.FindSystemTimeZoneById(zone), clock.GetUtcNow()).Date;
    }

    public static async Task<StatsReport> ReportAsync(InboxDb db, int businessId, StatsPeriod period, CancellationToken ct)
    {
        // A dozen queries on one connection: opened (with its per-connection pragmas) once, not once per query.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await ReportOnOpenConnectionAsync(db, businessId, period, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<StatsReport> ReportOnOpenConnectionAsync(InboxDb db, int businessId, StatsPeriod period, CancellationToken ct)
    {
        var clock = await EpisodeTimes.ClockAsync(db, businessId, ct);

        // The hourly rows are summed by the database: per day for the series and the totals, per weekday and hour for the heatmap.
        var hours = db.Set<StatsHour>().AsNoTracking().Where(h => h.BusinessId == businessId);
        var inPeriod = hours.Where(h => h.Date >= period.From && h.Date <= period.To);
        var dayTotals = await SumsAsync(inPeriod.GroupBy(h => h.Date), ct);
        var previousTotals = await SumsAsync(hours.Where(h => h.Date >= period.PreviousFrom && h.Date <= period.PreviousTo).GroupBy(h => DateOnly.MinValue), ct);
        var received = await inPeriod.GroupBy(h => new { h.Date.DayOfWeek, h.Hour })
            .Select(g => new { g.Key.DayOfWeek, g.Key.Hour, Received = g.Sum(h => h.Received) }).ToListAsync(ct);
        var span = Span(clock, period.From, period.To);
        var current = await EpisodesAsync(db, businessId, span, detailed: true, ct);
        var previous = await EpisodesAsync(db, businessId, Span(clock, period.PreviousFrom, period.PreviousTo), detailed: false, ct);

        var hoursByDate = dayTotals.ToDictionary(h => h.Date);
        var startedByDate = current.Started.ToLookup(e => clock.LocalDate(e.StartedAt));
        var resolvedByDate = current.Resolved.ToLookup(e => clock.LocalDate(e.ResolvedAt));
        var days = Enumerable.Range(0, period.Days).Select(i => period.From.AddDays(i)).Select(date =>
        {
            var day = hoursByDate.GetValueOrDefault(date) ?? new StatsHour { Date = date };
            return new StatsDayRow(date, day.Received, day.SentByStaff, day.SentAutomatic, day.Delivered, day.Read, day.Failed, day.NewContacts,
                startedByDate[date].Count(), resolvedByDate[date].Count(), Percentile(FirstResponses(startedByDate[date]), 0.5));
        }).ToList();

        var heatmap = Enumerable.Range(0, 7).Select(_ => new int[24]).ToArray();
        foreach (var cell in received)
        {
            heatmap[((int)cell.DayOfWeek + 6) % 7][cell.Hour] = cell.Received;
        }

        return new StatsReport(period.From, period.To, period.PreviousFrom, period.PreviousTo, clock.Zone.Id,
            Figures(dayTotals, current), Figures(previousTotals, previous),
            days, heatmap,
            await AgentsAsync(db, businessId, period, current, ct),
            await LabelsAsync(db, businessId, span, ct),
            await db.Set<StatsPricingDay>().AsNoTracking()
                .Where(p => p.BusinessId == businessId && p.Date >= period.From && p.Date <= period.To)
                .GroupBy(p => p.Category).OrderBy(g => g.Key).Select(g => new PricingRow(g.Key, g.Sum(p => p.Messages)))
                .ToListAsync(ct));
    }

    /// <summary>The instants [Start, End) of local days From to To.</summary>
    private readonly record struct Instants(DateTimeOffset Start, DateTimeOffset End);

    private static Instants Span(BusinessClock clock, DateOnly from, DateOnly to) =>
        new(clock.Instant(from, TimeOnly.MinValue, earliest: true), clock.Instant(to.AddDays(1), TimeOnly.MinValue, earliest: true));

    /// <summary>An episode that started in the period, with its first response if it got one.</summary>
    private sealed record StartedEpisode(DateTimeOffset StartedAt, bool Reopened, long? FirstResponse, long? FirstResponseOpen, string? FirstResponderId);

    private sealed record ResolvedEpisode(DateTimeOffset ResolvedAt, long? Resolution, long? ResolutionOpen, string? ResolvedById);

    private sealed record Episodes(List<StartedEpisode> Started, List<ResolvedEpisode> Resolved);

    /// <summary>The hourly rows of each group added up, one <see cref="StatsHour"/> per group with the group's date.</summary>
    private static Task<List<StatsHour>> SumsAsync(IQueryable<IGrouping<DateOnly, StatsHour>> groups, CancellationToken ct) =>
        groups.Select(g => new StatsHour
        {
            Date = g.Key, Received = g.Sum(h => h.Received), SentByStaff = g.Sum(h => h.SentByStaff),
            SentAutomatic = g.Sum(h => h.SentAutomatic), Delivered = g.Sum(h => h.Delivered), Read = g.Sum(h => h.Read),
            Failed = g.Sum(h => h.Failed), NewContacts = g.Sum(h => h.NewContacts),
        }).ToListAsync(ct);

    /// <summary>The episodes of a period from the covering indexes; without <paramref name="detailed"/> only their times (the comparison needs no more).</summary>
    private static async Task<Episodes> EpisodesAsync(InboxDb db, int businessId, Instants span, bool detailed, CancellationToken ct)
    {
        var episodes = db.Set<EpisodeStat>().AsNoTracking().Where(e => e.BusinessId == businessId);
        var started = episodes.Where(e => e.StartedAt >= span.Start && e.StartedAt < span.End);
        var resolved = episodes.Where(e => e.ResolvedAt >= span.Start && e.ResolvedAt < span.End);
        return detailed
            ? new Episodes(
                await started.Select(e => new StartedEpisode(e.StartedAt, e.Reopened, e.FirstResponseSeconds, e.FirstResponseOpenSeconds, e.FirstResponderId)).ToListAsync(ct),
                await resolved.Select(e => new ResolvedEpisode(e.ResolvedAt!.Value, e.ResolutionSeconds, e.ResolutionOpenSeconds, e.ResolvedById)).ToListAsync(ct))
            : new Episodes(
                await started.Select(e => new StartedEpisode(default, e.Reopened, e.FirstResponseSeconds, e.FirstResponseOpenSeconds, null)).ToListAsync(ct),
                await resolved.Select(e => new ResolvedEpisode(default, e.ResolutionSeconds, e.ResolutionOpenSeconds, null)).ToListAsync(ct));
    }

    private static StatsFigures Figures(List<StatsHour> hours, Episodes episodes)
    {
        var delivered = hours.Sum(h => h.Delivered);
        var read = hours.Sum(h => h.Read);
        var answered = episodes.Started.Where(e => e.FirstResponse is not null).ToList();
        return new StatsFigures(
            hours.Sum(h => h.Received), hours.Sum(h => h.SentByStaff), hours.Sum(h => h.SentAutomatic),
            delivered, read, hours.Sum(h => h.Failed), delivered == 0 ? null : Math.Round((double)read / delivered, 4),
            hours.Sum(h => h.NewContacts), episodes.Started.Count, episodes.Resolved.Count, episodes.Started.Count(e => e.Reopened),
            Times(answered.Select(e => (e.FirstResponse!.Value, e.FirstResponseOpen ?? 0)).ToList()),
            Times(episodes.Resolved.Where(e => e.Resolution is not null).Select(e => (e.Resolution!.Value, e.ResolutionOpen ?? 0)).ToList()));
    }

    private static TimeFigures Times(List<(long Wall, long Open)> times)
    {
        var wall = times.Select(t => t.Wall).ToList();
        var open = times.Select(t => t.Open).ToList();
        return new TimeFigures(Percentile(wall, 0.5), Percentile(wall, 0.9), Percentile(open, 0.5), Percentile(open, 0.9), times.Count);
    }

    private static List<long> FirstResponses(IEnumerable<StartedEpisode> episodes) =>
        episodes.Where(e => e.FirstResponse is not null).Select(e => e.FirstResponse!.Value).ToList();

    /// <summary>The nearest-rank percentile: the smallest value that at least <paramref name="p"/> of the values do not exceed.</summary>
    public static long? Percentile(IReadOnlyCollection<long> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    private static async Task<List<AgentRow>> AgentsAsync(InboxDb db, int businessId, StatsPeriod period, Episodes episodes, CancellationToken ct)
    {
        var replies = await db.Set<StatsAgentDay>().AsNoTracking()
            .Where(a => a.BusinessId == businessId && a.Date >= period.From && a.Date <= period.To)
            .GroupBy(a => a.UserId).Select(g => new { UserId = g.Key, Replies = g.Sum(a => a.Replies) })
            .ToDictionaryAsync(a => a.UserId, a => a.Replies, ct);
        var members = await db.Memberships.AsNoTracking().Where(m => m.BusinessId == businessId)
            .Select(m => new { m.UserId, m.User.DisplayName, m.User.Email }).ToListAsync(ct);
        var resolved = episodes.Resolved.Where(e => e.ResolvedById is not null).CountBy(e => e.ResolvedById!).ToDictionary();
        var answered = episodes.Started.Where(e => e.FirstResponderId is not null).ToLookup(e => e.FirstResponderId!);
        return members
            .Select(m => new AgentRow(m.UserId, m.DisplayName is { Length: > 0 } name ? name : m.Email ?? m.UserId,
                replies.GetValueOrDefault(m.UserId), resolved.GetValueOrDefault(m.UserId), Percentile(FirstResponses(answered[m.UserId]), 0.5)))
            .OrderByDescending(a => a.Replies).ThenBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    /// <summary>Episodes of the chats that carry each label now, joined in the database; an erased chat no longer carries any.</summary>
    private static async Task<List<LabelRow>> LabelsAsync(InboxDb db, int businessId, Instants span, CancellationToken ct)
    {
        var episodes = db.Set<EpisodeStat>().AsNoTracking().Where(e => e.BusinessId == businessId);
        var started = await (
                from e in episodes.Where(e => e.StartedAt >= span.Start && e.StartedAt < span.End)
                join cl in db.ChatLabels on e.ChatId equals (int?)cl.ChatId
                select new { cl.Label.Name, e.FirstResponseSeconds })
            .ToListAsync(ct);
        var resolved = await (
                from e in episodes.Where(e => e.ResolvedAt >= span.Start && e.ResolvedAt < span.End)
                join cl in db.ChatLabels on e.ChatId equals (int?)cl.ChatId
                group e by cl.Label.Name into g
                select new { Name = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Name, g => g.Count, ct);
        var startedByName = started.ToLookup(s => s.Name);
        return startedByName.Select(g => g.Key).Union(resolved.Keys)
            .Select(name => new LabelRow(name, startedByName[name].Count(), resolved.GetValueOrDefault(name),
                Percentile(startedByName[name].Where(s => s.FirstResponseSeconds is not null).Select(s => s.FirstResponseSeconds!.Value).ToList(), 0.5)))
            .OrderBy(l => l.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
    }
}
