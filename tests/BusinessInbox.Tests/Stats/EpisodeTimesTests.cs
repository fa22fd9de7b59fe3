using System.Net.Http.Headers;
using System.Net.Http.Json;
using BusinessInbox.Hours;
using BusinessInbox.Security;
using BusinessInbox.Stats;
using BusinessInbox.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace BusinessInbox.Tests.Stats;

/// <summary>The times an episode keeps once answered or resolved (decision 0020).</summary>
public sealed class EpisodeTimesTests
{
    private static TimeRange R(int start, int end) => new(new TimeOnly(start, 0), new TimeOnly(end % 24, 0));

    /// <summary>Berlin, split weekday hours, a late Saturday into Sunday, Sunday over the repeated autumn hour, a holiday.</summary>
    private static readonly HoursSchedule Hours = new(HoursMode.SelectedHours, new Dictionary<DayOfWeek, DayHours>
    {
        [DayOfWeek.Monday] = DayHours.Of(R(9, 12), R(13, 18)),
        [DayOfWeek.Tuesday] = DayHours.Of(R(9, 12), R(13, 18)),
        [DayOfWeek.Wednesday] = DayHours.Of(R(9, 12), R(13, 18)),
        [DayOfWeek.Thursday] = DayHours.Of(R(9, 12), R(13, 18)),
        [DayOfWeek.Friday] = DayHours.Of(R(9, 12), R(13, 18)),
        [DayOfWeek.Saturday] = DayHours.Of(R(22, 2)),
        [DayOfWeek.Sunday] = DayHours.Of(R(0, 6)),
    }, [new DateOverride(new DateOnly(2026, 10, 28), "Holiday", DayHours.Closed), new DateOverride(new DateOnly(2026, 3, 30), "Holiday", DayHours.Closed)]);

    [Theory]
    [InlineData("2026-10-10T00:00:00Z")]
    [InlineData("2026-03-20T00:00:00Z")]
    public void Stored_times_are_the_seconds_the_dashboard_computed_from_the_period_timeline_across_DST_and_holidays(string from)
    {
        var clock = new BusinessClock(Hours.In("Europe/Berlin"));
        var start = DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture);
        var random = new Random(20);
        var episodes = Enumerable.Range(0, 400).Select(_ =>
        {
            var started = start.AddSeconds(random.Next(0, 31 * 24 * 3600));
            var answered = started.AddSeconds(random.Next(0, 3 * 24 * 3600)).AddTicks(random.Next(0, 10_000_000));
            return new EpisodeStat { StartedAt = started, FirstResponseAt = answered, ResolvedAt = answered.AddSeconds(random.Next(0, 5 * 24 * 3600)) };
        }).ToList();

        episodes.ForEach(e => EpisodeTimes.Measure(e, clock));

        // What the dashboard did on every request before the times were kept: one timeline over every span it measured.
        var timeline = clock.Timeline(episodes.Min(e => e.StartedAt), episodes.Max(e => e.ResolvedAt!.Value));
        foreach (var e in episodes)
        {
            (e.FirstResponseSeconds, e.FirstResponseOpenSeconds).Should().Be(
                ((long)(e.FirstResponseAt!.Value - e.StartedAt).TotalSeconds, (long)timeline.Between(e.StartedAt, e.FirstResponseAt.Value).TotalSeconds));
            (e.ResolutionSeconds, e.ResolutionOpenSeconds).Should().Be(
                ((long)(e.ResolvedAt!.Value - e.StartedAt).TotalSeconds, (long)timeline.Between(e.StartedAt, e.ResolvedAt.Value).TotalSeconds));
        }
        episodes.Should().Contain(e => e.FirstResponseOpenSeconds < e.FirstResponseSeconds, "closed hours must have been left out somewhere");
    }

    [Fact]
    public void A_measured_time_stays_as_it_was_when_the_hours_change_later()
    {
        var started = new DateTimeOffset(2026, 6, 15, 6, 0, 0, TimeSpan.Zero);
        var episode = new EpisodeStat { StartedAt = started, FirstResponseAt = started.AddHours(4) };
        EpisodeTimes.Measure(episode, new BusinessClock(Hours.In("Europe/Berlin")));

        episode.ResolvedAt = started.AddHours(6);
        EpisodeTimes.Measure(episode, new BusinessClock(HoursSchedule.AlwaysOpen.In("Europe/Berlin")));

        // Monday 08:00–12:00 Berlin time: open 09:00–12:00 then; resolved at 14:00 with the shop now always open.
        (episode.FirstResponseSeconds, episode.FirstResponseOpenSeconds).Should().Be((4 * 3600L, 3 * 3600L));
        (episode.ResolutionSeconds, episode.ResolutionOpenSeconds).Should().Be((6 * 3600L, 6 * 3600L));
    }

    [Fact]
    public async Task Episodes_written_before_the_upgrade_are_measured_at_startup_and_the_dashboard_shows_their_times()
    {
        string dataPath;
        int businessId;
        await using (var before = new InboxApp { KeepData = true })
        {
            var shop = await before.CreateBusinessAsync("upgraded-shop");
            (dataPath, businessId) = (before.DataPath, shop.Id);
            await before.WithDbAsync(async db =>
            {
                var business = await db.Businesses.SingleAsync(b => b.Id == shop.Id);
                business.Hours = Hours;
                // Friday 16:00 Berlin (summer time), answered Monday 10:00 and resolved Wednesday 10:00 (winter time).
                var friday = new DateTimeOffset(2026, 10, 23, 14, 0, 0, TimeSpan.Zero);
                db.Set<EpisodeStat>().Add(new EpisodeStat
                {
                    BusinessId = shop.Id, StartedAt = friday, FirstResponseAt = friday.AddHours(67), FirstResponderId = shop.OwnerId,
                    ResolvedAt = friday.AddHours(115), ResolvedById = shop.OwnerId,
                });
                db.Set<EpisodeStat>().Add(new EpisodeStat { BusinessId = shop.Id, StartedAt = friday.AddHours(1) });
                await db.SaveChangesAsync();
                // As the rows were before their times were kept.
                await db.Database.ExecuteSqlRawAsync(
                    "UPDATE EpisodeStat SET FirstResponseSeconds = NULL, FirstResponseOpenSeconds = NULL, ResolutionSeconds = NULL, ResolutionOpenSeconds = NULL");
            });
        }

        await using var after = new InboxApp(dataPath);
        var token = await after.WithDbAsync(db => ApiTokens.CreateAsync(db, businessId, "Stats", DateTimeOffset.UnixEpoch, default));
        using var client = after.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var report = (await client.GetFromJsonAsync<StatsReport>("/api/v1/stats?from=2026-10-23&to=2026-10-28"))!;

        report.Figures.Should().BeEquivalentTo(new
        {
            EpisodesOpened = 2, EpisodesResolved = 1,
            // Open: Friday 16:00–18:00 (2 h), Saturday 22:00 to Sunday 06:00 (9 h: the clocks went back), Monday 09:00–10:00.
            FirstResponse = new { Median = 67 * 3600L, MedianOpenHours = 12 * 3600L, Count = 1 },
            // Then the rest of Monday (7 h) and Tuesday (8 h); Wednesday is a holiday.
            Resolution = new { Median = 115 * 3600L, MedianOpenHours = 27 * 3600L, Count = 1 },
        });
    }
}
