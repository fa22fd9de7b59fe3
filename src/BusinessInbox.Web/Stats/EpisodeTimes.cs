using BusinessInbox.Data;
using BusinessInbox.Hours;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Stats;

/// <summary>
/// The first response and resolution times of an episode, measured once when they end and kept on the row, so the
/// dashboard reads numbers instead of laying out opening hours for thousands of episodes per request (decision 0020).
/// </summary>
public static class EpisodeTimes
{
    public static async Task<BusinessClock> ClockAsync(InboxDb db, int businessId, CancellationToken ct)
    {
        var business = await db.Businesses.AsNoTracking().Where(b => b.Id == businessId).Select(b => new { b.TimeZone, b.Hours }).SingleAsync(ct);
        return new BusinessClock(business.Hours.In(business.TimeZone));
    }

    /// <summary>Fills the times of the ends the episode has reached and that are not measured yet; a measured time never changes.</summary>
    public static void Measure(EpisodeStat episode, BusinessClock clock)
    {
        if (episode is { FirstResponseAt: { } answered, FirstResponseSeconds: null })
        {
            (episode.FirstResponseSeconds, episode.FirstResponseOpenSeconds) = Span(clock, episode.StartedAt, answered);
        }
        if (episode is { ResolvedAt: { } resolved, ResolutionSeconds: null })
        {
            (episode.ResolutionSeconds, episode.ResolutionOpenSeconds) = Span(clock, episode.StartedAt, resolved);
        }
    }

    /// <summary>Whole seconds (cut, not rounded), wall-clock and in opening hours, as the dashboard has always shown them.</summary>
    public static (long Wall, long Open) Span(BusinessClock clock, DateTimeOffset from, DateTimeOffset to) =>
        ((long)(to - from).TotalSeconds, (long)clock.OpeningTimeBetween(from, to).TotalSeconds);

    /// <summary>
    /// Measures the episodes written before their times were kept (with the business's hours at the upgrade, which is
    /// what the dashboard used for them until then). Runs at startup after the migrations; finds nothing once done.
    /// </summary>
    public static async Task BackfillAsync(InboxDb db, CancellationToken ct)
    {
        var unmeasured = db.Set<EpisodeStat>()
            .Where(e => (e.FirstResponseAt != null && e.FirstResponseSeconds == null) || (e.ResolvedAt != null && e.ResolutionSeconds == null));
        foreach (var businessId in await unmeasured.Select(e => e.BusinessId).Distinct().ToListAsync(ct))
        {
            var clock = await ClockAsync(db, businessId, ct);
            for (var after = 0L; ;)
            {
                var batch = await unmeasured.Where(e => e.BusinessId == businessId && e.Id > after).OrderBy(e => e.Id).Take(2_000).ToListAsync(ct);
                if (batch.Count == 0)
                {
                    break;
                }
                batch.ForEach(e => Measure(e, clock));
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                after = batch[^1].Id;
            }
        }
    }
}
